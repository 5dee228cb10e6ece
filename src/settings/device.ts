/**
 * Where the meter is (`-d`): a serial device, a TCP endpoint (ser2net, an M-Bus gateway) or the built-in
 * simulator; which protocol it speaks (KMP on the optical port, or wired M-Bus, and then which meter on
 * the bus); and the meter options every reading command takes, from the option table. All of it is
 * checked before anything is opened, whatever the device. The serial defaults depend on the protocol:
 * KMP 1200 baud 8N2, M-Bus 2400 baud 8E1; a value given anywhere (command line, environment, file) wins.
 */
import { UsageError } from '../core/errors.js';
import { describeLink, type Link } from '../meter/link.js';
import { DEFAULT_TARGET, primaryTarget, secondaryTarget, type MbusTarget } from '../meter/mbus-target.js';
import type { Protocol } from '../meter/reader.js';
import type { SerialSettings } from '../meter/serial-transport.js';
import { parseSimSpec, type SimOptions } from '../simulator/spec.js';
import { int, oneOf, seconds, text, type OptionSpec } from './options.js';
import { resolve, resolveValue, type Sources } from './resolve.js';

export type DeviceSpec = Link | { kind: 'sim'; options: SimOptions };

export const METER_OPTIONS = {
  device: {
    name: 'device',
    flags: '-d, --device <device>',
    type: text(),
    help: 'meter: a serial device (/dev/ttyUSB0), tcp://host:port (ser2net), or sim (built-in simulated meter)',
  },
  protocol: {
    name: 'protocol',
    arg: 'protocol',
    type: oneOf('kmp', 'mbus'),
    default: 'kmp',
    help: 'kmp: the optical IR port; mbus: wired M-Bus (EN 13757) through a level converter or gateway, and -d sim simulates an M-Bus meter',
  },
  address: {
    name: 'address',
    arg: 'n',
    type: int(0, 254, 'must be a primary address 0–250, or 254 (the only meter on the bus)'),
    help: 'M-Bus: primary address 0–250 of the meter, or 254 when it is alone on the bus (the default)',
  },
  secondary: {
    name: 'secondary',
    arg: 'id',
    type: text(),
    help: 'M-Bus: select the meter by secondary address: its 8-digit ID, or IIIIIIIIMMMMVVTT (16 hex; F = any digit, FFFF/FF = any field)',
  },
  baud: {
    name: 'baud',
    arg: 'rate',
    type: int(50, 4_000_000),
    default: 1200,
    help: 'serial baud rate; with --protocol mbus 2400 unless given',
  },
  stopbits: {
    name: 'stopbits',
    arg: 'n',
    type: int(1, 2, 'must be 1 or 2'),
    default: 2,
    help: 'serial stop bits, 1 or 2; with --protocol mbus 1 unless given',
  },
  parity: {
    name: 'parity',
    arg: 'parity',
    type: oneOf('none', 'even', 'odd'),
    default: 'none',
    help: 'serial parity: none, even or odd; with --protocol mbus even unless given',
  },
  timeout: {
    name: 'timeout',
    arg: 'seconds',
    type: seconds(0.1, 60),
    default: 2,
    help: 'seconds to wait for the meter to answer one request; with --protocol mbus derived from the baud rate and the frame length unless given',
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
    help: 'upper bound for the whole run; past it the run stops, says why and exits 8 (not given, with a list of meters: 120 s for each meter, the others go on)',
  },
} satisfies Record<string, OptionSpec>;

export interface MeterSetup {
  device: DeviceSpec;
  /** The MULTICAL model the user named, if any (`--model`). */
  model: string | undefined;
  protocol: Protocol;
  /** M-Bus: the meter on the bus (primary address 254 unless --address or --secondary). */
  target: MbusTarget;
  /** The bus's baud rate (also for TCP, where the gateway sets it): M-Bus deadlines follow from it. */
  baud: number;
  timeoutMs: number;
  /** --timeout was given (on the command line, in the environment or the file): M-Bus then uses it as is. */
  timeoutGiven: boolean;
  retries: number;
  lockWaitMs: number;
}

/** KMP on the optical head: 1200 8N2. Wired M-Bus: 2400 8E1 (mbus-protocol.md §1). */
const PROTOCOL_SERIAL: Readonly<Record<Protocol, Omit<SerialSettings, 'dataBits'>>> = {
  kmp: { baudRate: 1200, stopBits: 2, parity: 'none' },
  mbus: { baudRate: 2400, stopBits: 1, parity: 'even' },
};

/** An option's value, or the protocol's default when nothing gave one. */
function byProtocol<T>(spec: OptionSpec, src: Sources, fallback: T): T {
  const r = resolve(spec, src);
  return r.source === 'default' ? fallback : (r.value as T);
}

/** Serial settings by the rule, each falling back to the protocol's default (`specs`: the table's or a command's copies). */
export function serialSettings(
  protocol: Protocol,
  src: Sources,
  specs: { baud: OptionSpec; stopbits: OptionSpec; parity: OptionSpec } = METER_OPTIONS,
): SerialSettings {
  const d = PROTOCOL_SERIAL[protocol];
  return {
    baudRate: byProtocol(specs.baud, src, d.baudRate),
    dataBits: 8,
    stopBits: byProtocol(specs.stopbits, src, d.stopBits),
    parity: byProtocol(specs.parity, src, d.parity),
  };
}

/**
 * The meter options, resolved and checked (before anything is opened). `forced`: a command that speaks one
 * protocol whatever --protocol says (`scan`: M-Bus, the whole bus, so no --address or --secondary).
 */
export function meterSetup(src: Sources, forced?: Protocol): MeterSetup {
  const o = METER_OPTIONS;
  const protocol = forced ?? resolveValue<Protocol>(o.protocol, src);
  const serial = serialSettings(protocol, src);
  const timeout = resolve(o.timeout, src);
  const retries = resolveValue<number>(o.retries, src);
  const lockWaitMs = resolveValue<number>(o.lockWait, src);
  const target = forced ? DEFAULT_TARGET : mbusTarget(protocol, src);
  const device = parseDevice(resolveValue<string | undefined>(o.device, src), serial, protocol);
  return {
    device,
    protocol,
    model: resolveValue<string | undefined>(o.model, src),
    target,
    baud: serial.baudRate,
    timeoutMs: timeout.value as number,
    timeoutGiven: timeout.source !== 'default',
    retries,
    lockWaitMs,
  };
}

/** --address or --secondary (M-Bus only, not both); 254 when neither is given. */
function mbusTarget(protocol: Protocol, src: Sources): MbusTarget {
  const address = resolve(METER_OPTIONS.address, src);
  const secondary = resolve(METER_OPTIONS.secondary, src);
  const given = [address, secondary].filter((r) => r.value !== undefined);
  if (protocol !== 'mbus') {
    if (given[0]) throw new UsageError(`${given[0].label} is for M-Bus meters: add --protocol mbus`);
    return DEFAULT_TARGET;
  }
  if (given.length > 1) throw new UsageError(`${address.label} and ${secondary.label}: give one of them, not both`);
  if (secondary.value !== undefined) return secondaryTarget(secondary.value as string, secondary.label);
  return address.value === undefined ? DEFAULT_TARGET : primaryTarget(address.value as number, address.label);
}

export function parseDevice(text: string | undefined, serial: SerialSettings, protocol: Protocol = 'kmp'): DeviceSpec {
  if (text === undefined || text.trim() === '') {
    throw new UsageError('no meter device: give -d /dev/ttyUSB0, -d tcp://host:port (ser2net) or -d sim (the built-in simulated meter)');
  }
  if (text === 'sim' || text.startsWith('sim:')) return { kind: 'sim', options: parseSimSpec(text, protocol) };
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
