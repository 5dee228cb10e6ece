// Rigs for the M-Bus master's tests: the client against the in-process simulated bus, or against a
// hand-written slave (for answers the simulator is not made to give), over an in-memory transport pair,
// with every frame the client sent and every chunk it received kept for byte-for-byte checks.
import { toHex } from '../../src/core/hex.js';
import { MbusClient, type MbusClientOptions } from '../../src/meter/mbus-client.js';
import { transportPair, type Transport } from '../../src/meter/transport.js';
import { MbusBusSimulator } from '../../src/simulator/mbus-bus.js';
import { parseSimSpec, type SimOptions } from '../../src/simulator/spec.js';

/** 2026-01-05T04:01:40Z, 360100 s after the simulators' T0: values are pinned to it. */
export const NOW = Date.UTC(2026, 0, 5, 4, 1, 40);

export interface Rig {
  client: MbusClient;
  clientSide: Transport;
  /** Frames the client sent, as hex, in order. */
  tx: string[];
  /** Chunks the client received. */
  rx: Uint8Array[];
}

function clientOn(clientSide: Transport, options: MbusClientOptions): Rig {
  const tx: string[] = [];
  const rx: Uint8Array[] = [];
  const client = new MbusClient(clientSide, {
    timeoutMs: 250,
    retries: 2,
    log: (dir, bytes) => (dir === 'tx' ? tx.push(toHex(bytes)) : rx.push(Uint8Array.from(bytes))),
    ...options,
  });
  return { client, clientSide, tx, rx };
}

/** The client and a simulated bus configured by sim words (`telegrams=2,crc-once`); closed after fn. */
export async function withBus(
  words: string,
  client: MbusClientOptions,
  fn: (rig: Rig & { bus: MbusBusSimulator }) => Promise<void>,
  extra: SimOptions = {},
): Promise<void> {
  const [clientSide, meterSide] = transportPair();
  const options = parseSimSpec(words === '' ? 'sim' : `sim:${words}`, 'mbus');
  const bus = new MbusBusSimulator({ now: () => NOW, random: seeded(7), ...options, ...extra });
  const served = bus.serve(meterSide);
  try {
    await fn({ ...clientOn(clientSide, client), bus });
  } finally {
    served.stop();
    await clientSide.close();
  }
}

/** The client and a hand-written slave: `answer` gets each master frame (and its number) and returns the bytes to send back. */
export async function withSlave(
  answer: (frame: string, n: number) => Uint8Array | null,
  client: MbusClientOptions,
  fn: (rig: Rig) => Promise<void>,
): Promise<void> {
  const [clientSide, meterSide] = transportPair();
  let n = 0;
  meterSide.setReceiver((chunk) => {
    const reply = answer(toHex(chunk), n++);
    if (reply) void meterSide.write(reply);
  });
  try {
    await fn(clientOn(clientSide, client));
  } finally {
    await clientSide.close();
  }
}

export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}
