import { UsageError } from '../core/errors.js';
import { MeterClient, type ClientOptions } from './client.js';
import { DEFAULT_SERIAL, type SerialSettings } from './serial-transport.js';
import { parseSimSpec, type SimOptions } from './simulator.js';
import { transportPair, type Transport } from './transport.js';

/** Where the meter is: a serial device, a ser2net TCP endpoint, or the built-in simulator. */
export type DeviceSpec =
  | { kind: 'serial'; path: string; settings: SerialSettings }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'sim'; options: SimOptions };

export interface SerialOptionText {
  baud?: string | number | undefined;
  stopbits?: string | number | undefined;
  parity?: string | undefined;
}

export function parseDevice(text: string | undefined, serial: SerialOptionText = {}): DeviceSpec {
  if (text === undefined || text.trim() === '') {
    throw new UsageError('no meter device: give -d /dev/ttyUSB0, -d tcp://host:port (ser2net) or -d sim (the built-in simulated meter)');
  }
  if (text === 'sim' || text.startsWith('sim:')) return { kind: 'sim', options: parseSimSpec(text) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
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
  return { kind: 'serial', path: text, settings: parseSerialSettings(serial) };
}

export function parseSerialSettings(o: SerialOptionText): SerialSettings {
  const baud = o.baud === undefined ? DEFAULT_SERIAL.baudRate : Number(o.baud);
  if (!Number.isInteger(baud) || baud < 50 || baud > 4_000_000) throw new UsageError(`--baud ${String(o.baud)}: not a baud rate`);
  const stop = o.stopbits === undefined ? DEFAULT_SERIAL.stopBits : Number(o.stopbits);
  if (stop !== 1 && stop !== 2) throw new UsageError(`--stopbits ${String(o.stopbits)}: must be 1 or 2`);
  const parity = o.parity ?? DEFAULT_SERIAL.parity;
  if (parity !== 'none' && parity !== 'even' && parity !== 'odd') throw new UsageError(`--parity ${parity}: must be none, even or odd`);
  return { baudRate: baud, dataBits: 8, stopBits: stop, parity };
}

export interface OpenedMeter {
  client: MeterClient;
  transport: Transport;
  close(): Promise<void>;
}

/** Opens the link and puts a KMP client on it. Serial and TCP code is loaded only when used. */
export async function openMeter(
  spec: DeviceSpec,
  clientOptions: ClientOptions & { connectTimeoutMs?: number },
): Promise<OpenedMeter> {
  let transport: Transport;
  let stopSim: (() => void) | undefined;
  switch (spec.kind) {
    case 'sim': {
      const { MeterSimulator } = await import('./simulator.js');
      const [clientSide, meterSide] = transportPair('sim', 'sim-meter');
      stopSim = new MeterSimulator(spec.options).serve(meterSide).stop;
      transport = clientSide;
      break;
    }
    case 'tcp': {
      const { openTcp } = await import('./tcp-transport.js');
      transport = await openTcp(spec.host, spec.port, clientOptions.connectTimeoutMs ?? 5000, clientOptions.signal);
      break;
    }
    case 'serial': {
      const { openSerial } = await import('./serial-transport.js');
      transport = await openSerial(spec.path, spec.settings);
      break;
    }
  }
  const client = new MeterClient(transport, clientOptions);
  return {
    client,
    transport,
    close: async () => {
      stopSim?.();
      await transport.close();
    },
  };
}

export function describeDevice(spec: DeviceSpec): string {
  switch (spec.kind) {
    case 'sim':
      return 'sim';
    case 'tcp':
      return `tcp://${spec.host}:${spec.port}`;
    case 'serial':
      return spec.path;
  }
}
