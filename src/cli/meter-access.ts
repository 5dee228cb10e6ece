/**
 * Reaching the meter for a command: take the device's lock, open the link (or start the simulated meter
 * in-process), put the protocol client on it, run, and always close the link and release the lock.
 * `withLink` gives the link itself, for a command that puts its own clients on it (history: one client
 * per reply deadline, since a log readout takes seconds where a GetRegister takes a fraction of one).
 */
import type { ReadStats } from '../core/reading.js';
import { statsText } from '../core/reading.js';
import type { MeterReader } from '../meter/reader.js';
import type { Transport } from '../meter/transport.js';
import { describeDevice, type DeviceSpec, type MeterSetup } from '../settings/device.js';
import type { Context } from './context.js';

export interface MeterReport<T> {
  value: T;
  stats: ReadStats;
}

async function openTransport(device: DeviceSpec, ctx: Context): Promise<Transport> {
  if (device.kind === 'sim') {
    const { simTransport } = await import('../simulator/in-process.js');
    return simTransport(device.options);
  }
  const { openLink } = await import('../meter/link.js');
  return openLink(device, ctx.signal);
}

/** Takes the device's lock, opens the link, runs `fn` on it, and always closes the link and releases the lock. */
export async function withLink<T>(setup: MeterSetup, ctx: Context, fn: (transport: Transport) => Promise<T>): Promise<T> {
  const name = describeDevice(setup.device);
  ctx.log.verbose(`meter: ${name}, timeout ${setup.timeoutMs} ms, ${setup.retries} retries`);
  let release: (() => void) | undefined;
  if (setup.device.kind !== 'sim') {
    const { acquireDeviceLock } = await import('../meter/lock.js');
    release = (await acquireDeviceLock(setup.device, setup.lockWaitMs, ctx.signal, name)).release;
  }
  try {
    const transport = await openTransport(setup.device, ctx);
    try {
      return await fn(transport);
    } finally {
      await transport.close();
    }
  } finally {
    release?.();
  }
}

/** Opens the meter, runs `fn` with it, and always closes the link and releases the lock. */
export async function withMeter<T>(setup: MeterSetup, ctx: Context, fn: (meter: MeterReader) => Promise<T>): Promise<MeterReport<T>> {
  return withLink(setup, ctx, async (transport) => {
    const [{ KmpClient }, { KmpMeter }] = await Promise.all([import('../meter/kmp-client.js'), import('../meter/kmp-meter.js')]);
    const client = new KmpClient(transport, {
      timeoutMs: setup.timeoutMs,
      retries: setup.retries,
      signal: ctx.signal,
      log: (dir, bytes) => ctx.log.frame(dir, bytes),
    });
    const meter = new KmpMeter(client, setup.model);
    const value = await fn(meter);
    ctx.log.verbose(`meter: ${statsText(meter.stats)}`);
    return { value, stats: meter.stats };
  });
}
