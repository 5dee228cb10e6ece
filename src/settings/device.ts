/**
 * Where the meter is (`-d`): a serial device, a TCP endpoint (ser2net, an M-Bus gateway) or the built-in
 * simulator; and the meter options every reading command takes, from the option table. All of it is
 * checked before anything is opened, whatever the device.
 */
import { UsageError } from '../core/errors.js';
import { describeLink, type Link } from '../meter/link.js';
import type { SerialSettings } from '../meter/serial-transport.js';
import { parseSimSpec, type SimOptions } from '../simulator/spec.js';
import { int, oneOf, seconds, text, type OptionSpec } from './options.js';
import { resolveValue, type Sources } from './resolve.js';

export type DeviceSpec = Link | { kind: 'sim'; options: SimOptions };

export const METER_OPTIONS = {
  device: {
    name: 'device',
    flags: '-d, --device <device>',
    type: text(),
    help: 'meter: a serial device (/dev/ttyUSB0), tcp://host:port (ser2net), or sim (built-in simulated meter)',
  },
  baud: { name: 'baud', arg: 'rate', type: int(50, 4_000_000), default: 1200, help: 'serial baud rate' },
  stopbits: { name: 'stopbits', arg: 'n', type: int(1, 2, 'must be 1 or 2'), default: 2, help: 'serial stop bits, 1 or 2' },
  parity: { name: 'parity', arg: 'parity', type: oneOf('none', 'even', 'odd'), default: 'none', help: 'serial parity: none, even or odd' },
  timeout: {
    name: 'timeout',
    arg: 'seconds',
    type: seconds(0.1, 60),
    default: 2,
    help: 'seconds to wait for the meter to answer one request',
  },
  retries: { name: 'retries', arg: 'n', type: int(0, 5), default: 2, help: 'times to repeat a request the meter did not answer, 0 to 5' },
  lockWait: {
    name: 'lock-wait',
    arg: 'seconds',
    type: seconds(0, 3600),
    default: 30,
    help: 'how long to wait for another multical run on the same meter to finish',
  },
  model: {
    name: 'model',
    arg: 'model',
    type: oneOf('302', '303', '402', '403', '601', '602', '603', '803'),
    help: "the MULTICAL model, to name the info code's flags (default: unknown; then only the flags every model shares are named)",
  },
  deadline: {
    name: 'deadline',
    arg: 'seconds',
    type: seconds(1, 86_400),
    default: 120,
    help: 'upper bound for the whole run; past it the run stops, says why and exits 8',
  },
} satisfies Record<string, OptionSpec>;

export interface MeterSetup {
  device: DeviceSpec;
  /** The MULTICAL model the user named, if any (`--model`). */
  model: string | undefined;
  timeoutMs: number;
  retries: number;
  lockWaitMs: number;
}

/** The meter options, resolved and checked (before anything is opened). */
export function meterSetup(src: Sources): MeterSetup {
  const o = METER_OPTIONS;
  const serial: SerialSettings = {
    baudRate: resolveValue<number>(o.baud, src),
    dataBits: 8,
    stopBits: resolveValue<1 | 2>(o.stopbits, src),
    parity: resolveValue<SerialSettings['parity']>(o.parity, src),
  };
  const timeoutMs = resolveValue<number>(o.timeout, src);
  const retries = resolveValue<number>(o.retries, src);
  const lockWaitMs = resolveValue<number>(o.lockWait, src);
  const model = resolveValue<string | undefined>(o.model, src);
  return { device: parseDevice(resolveValue<string | undefined>(o.device, src), serial), model, timeoutMs, retries, lockWaitMs };
}

export function parseDevice(text: string | undefined, serial: SerialSettings): DeviceSpec {
  if (text === undefined || text.trim() === '') {
    throw new UsageError('no meter device: give -d /dev/ttyUSB0, -d tcp://host:port (ser2net) or -d sim (the built-in simulated meter)');
  }
  if (text === 'sim' || text.startsWith('sim:')) return { kind: 'sim', options: parseSimSpec(text) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return parseTcp(text);
  if (text.includes('\0')) throw new UsageError(`device ${JSON.stringify(text)}: not a path`);
  if (Buffer.byteLength(text) > 4095) throw new UsageError(`device ${JSON.stringify(text.slice(0, 40) + '…')}: the path is too long`);
  return { kind: 'serial', path: text, settings: serial };
}

function parseTcp(text: string): DeviceSpec {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`device ${JSON.stringify(text)} is not a valid URL`);
  }
  if (url.protocol !== 'tcp:') throw new UsageError(`device ${JSON.stringify(text)}: only tcp://host:port is supported for network meters`);
  const port = Number(url.port);
  if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535 || url.port === '') {
    throw new UsageError(`device ${JSON.stringify(text)} needs a host and a port, like tcp://192.168.1.20:2001`);
  }
  return { kind: 'tcp', host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

export function describeDevice(spec: DeviceSpec): string {
  return spec.kind === 'sim' ? 'sim' : describeLink(spec);
}
