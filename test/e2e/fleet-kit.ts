// Shared by the many-meter end-to-end tests: simulated meters served in this test process on one end of a
// socat pty pair (through the real serialport bindings), so the test sees every frame the built CLI sends
// on each device, in order, and can hold a device's replies back until another device has been asked (which
// only a run that reads the devices at the same time gets past). Frames are split by the test's own reading
// of the M-Bus link layer (mbus-protocol.md §2: E5, the 5-byte short frame, the long frame 68 L L 68 … 16)
// and of KMP (kmp-protocol.md: a frame ends at 0x0D).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSerial } from '../../src/meter/serial-transport.js';
import type { Transport } from '../../src/meter/transport.js';
import { KmpSimulator } from '../../src/simulator/kmp-meter.js';
import { MbusBusSimulator } from '../../src/simulator/mbus-bus.js';
import { parseSimSpec } from '../../src/simulator/spec.js';
import { ptyPair } from '../support/pty.js';

/** What the meter side saw, in order: a request frame that came in, or a reply that went out. */
export type WireEvent = { dir: 'request'; frame: number[] } | { dir: 'reply'; bytes: number[] };

export interface WireMeter {
  /** What the CLI's `device:` takes: the other end of the pty pair. */
  device: string;
  events: WireEvent[];
  stop(): Promise<void>;
}

export interface WireOptions {
  /** `sim:` words, e.g. `bus=10000001@1+10000002@2,latency=50`. */
  spec: string;
  protocol: 'kmp' | 'mbus';
  /** Awaited before every reply goes out. */
  beforeReply?: () => Promise<void>;
  /** Called for every request frame that comes in. */
  onRequest?: () => void;
}

/** The length of the whole frame at the start of `buf`; 0 while it is incomplete. */
function frameLength(protocol: 'kmp' | 'mbus', buf: readonly number[]): number {
  if (protocol === 'kmp') return buf.indexOf(0x0d) + 1;
  if (buf[0] === 0xe5) return 1;
  if (buf[0] === 0x10) return buf.length >= 5 ? 5 : 0;
  if (buf[0] === 0x68) return buf.length >= 4 && buf.length >= buf[1]! + 6 ? buf[1]! + 6 : 0;
  return buf.length > 0 ? 1 : 0; // a stray byte: a frame of its own, so the test sees it
}

/** Splits the bytes that came in into whole frames (M-Bus or KMP); what is left waits for more. */
function frameSplitter(protocol: 'kmp' | 'mbus'): (chunk: Uint8Array) => number[][] {
  let buf: number[] = [];
  return (chunk) => {
    buf.push(...chunk);
    const frames: number[][] = [];
    for (;;) {
      const n = frameLength(protocol, buf);
      if (n === 0) return frames;
      frames.push(buf.slice(0, n));
      buf = buf.slice(n);
    }
  };
}

/** A simulated meter (KMP) or M-Bus segment on a pty, with its traffic recorded. */
export async function wireMeter(o: WireOptions): Promise<WireMeter> {
  const pair = await ptyPair();
  const events: WireEvent[] = [];
  const settings =
    o.protocol === 'mbus'
      ? ({ baudRate: 2400, dataBits: 8, stopBits: 1, parity: 'even' } as const)
      : ({ baudRate: 1200, dataBits: 8, stopBits: 2, parity: 'none' } as const);
  const port = await openSerial(pair.a, settings);
  const split = frameSplitter(o.protocol);
  const recorded: Transport = {
    name: port.name,
    write: async (bytes) => {
      await o.beforeReply?.();
      events.push({ dir: 'reply', bytes: [...bytes] });
      return port.write(bytes);
    },
    setReceiver: (receiver) =>
      port.setReceiver((chunk) => {
        for (const frame of split(chunk)) {
          events.push({ dir: 'request', frame });
          o.onRequest?.();
        }
        receiver(chunk);
      }),
    onLost: (l) => port.onLost(l),
    close: () => port.close(),
  };
  const options = parseSimSpec(`sim:${o.spec}`, o.protocol);
  const served = o.protocol === 'mbus' ? new MbusBusSimulator(options).serve(recorded) : new KmpSimulator(options).serve(recorded);
  return {
    device: pair.b,
    events,
    stop: async () => {
      served.stop();
      await port.close();
      await pair.close();
    },
  };
}

/** The primary address an M-Bus request frame is sent to (short frame: byte 2; long frame: byte 5). */
export function addressOf(frame: readonly number[]): number | undefined {
  if (frame[0] === 0x10) return frame[2];
  if (frame[0] === 0x68) return frame[5];
  return undefined;
}

/** A config file in a fresh folder; returns its path. */
export function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'multical-fleet-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, text);
  return path;
}

/** A promise and the function that resolves it. */
export function latch(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
