/**
 * Serving a simulated meter on a transport, as a real one answers: requests arrive at the wire's pace,
 * an echoing head sends the request back first, the reply comes after the meter's latency and trickles
 * out byte by byte at the baud rate. Protocol-free: the meter gives a frame splitter and a reply function.
 */
import type { Transport } from '../meter/transport.js';

export interface WireOptions {
  /** Echo every request back first, as some IR heads and M-Bus level converters do. */
  echo: boolean;
  /** Milliseconds between the request's end and the reply's first byte. */
  latencyMs: number;
  /** Pace the wire at this baud (0: no pacing), 11 bits a byte (8N2 for KMP, 8E1 for M-Bus). */
  baud: number;
  /** Close the link when this many requests have been answered. */
  vanishAfter?: number | undefined;
}

export interface SimulatedDevice {
  /** A fresh splitter of incoming bytes into request frames. */
  splitter(): { push(chunk: Uint8Array): Uint8Array[] };
  /** The bytes to send back for one request, or null for silence (or a promise of them). */
  reply(request: Uint8Array): Uint8Array | null | Promise<Uint8Array | null>;
}

export const BITS_PER_BYTE = 11;

export interface Served {
  stop: () => void;
  done: Promise<void>;
}

/** Serves `device` on `transport` until the link closes or `stop()`; one request at a time. */
export function serve(device: SimulatedDevice, transport: Transport, o: WireOptions): Served {
  const framer = device.splitter();
  const queue: Uint8Array[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const state = { busy: false, stopped: false, answered: 0 };
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));
  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((r) => {
          const t = setTimeout(() => {
            timers.delete(t);
            r();
          }, ms);
          timers.add(t);
        });
  const byteMs = o.baud > 0 ? (BITS_PER_BYTE * 1000) / o.baud : 0;
  const stop = (): void => {
    if (state.stopped) return;
    state.stopped = true;
    for (const t of timers) clearTimeout(t);
    resolveDone();
  };
  const send = (bytes: Uint8Array): Promise<void> => paced(transport, bytes, byteMs, sleep, () => state.stopped);
  const answer = async (request: Uint8Array): Promise<void> => {
    // The request itself takes wire time to arrive at a real meter.
    await sleep(request.length * byteMs);
    if (o.echo) await transport.write(request);
    const reply = await device.reply(request);
    if (reply === null || state.stopped) return;
    await sleep(o.latencyMs);
    if (state.stopped) return;
    await send(reply);
    state.answered++;
    if (o.vanishAfter !== undefined && state.answered >= o.vanishAfter) {
      stop();
      await transport.close();
    }
  };
  const pump = async (): Promise<void> => {
    if (state.busy) return;
    state.busy = true;
    try {
      while (queue.length > 0 && !state.stopped) await answer(queue.shift()!);
    } catch {
      stop();
    } finally {
      state.busy = false;
    }
  };
  transport.setReceiver((chunk) => {
    if (state.stopped) return;
    queue.push(...framer.push(chunk));
    void pump();
  });
  transport.onLost(() => stop());
  return { stop, done };
}

/**
 * Writes `bytes` at the wire's pace, as a real link delivers them: a byte arrives once all its bits are
 * through, so n bytes take n byte times.
 */
async function paced(
  transport: Transport,
  bytes: Uint8Array,
  byteMs: number,
  sleep: (ms: number) => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  if (byteMs === 0) return transport.write(bytes);
  const start = performance.now();
  let sent = 0;
  while (sent < bytes.length && !stopped()) {
    const due = Math.min(bytes.length, Math.floor((performance.now() - start) / byteMs));
    if (due > sent) {
      await transport.write(bytes.subarray(sent, due));
      sent = due;
    }
    if (sent < bytes.length) await sleep(start + (sent + 1) * byteMs - performance.now());
  }
}
