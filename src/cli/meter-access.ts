/**
 * Reaching the meter for a command: take the device's lock, open the link (or start the simulated meter
 * in-process), put the protocol's client on it (KMP, or an M-Bus master for the meter on the bus), run,
 * and always close the link and release the lock.
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

export async function openTransport(device: DeviceSpec, ctx: Context): Promise<Transport> {
  if (device.kind === 'sim') {
    const { simTransport } = await import('../simulator/in-process.js');
    return simTransport(device.options);
  }
  const { openLink } = await import('../meter/link.js');
  return openLink(device, ctx.signal);
}

/** The protocol's client modules, loading while the lock is taken and the link opened. */
function clientModules(setup: MeterSetup) {
  return setup.protocol === 'mbus'
    ? Promise.all([import('../meter/mbus-client.js'), import('../meter/mbus-meter.js')]).then(([c, m]) => ({ mbus: { ...c, ...m } }))
    : Promise.all([import('../meter/kmp-client.js'), import('../meter/kmp-meter.js')]).then(([c, m]) => ({ kmp: { ...c, ...m } }));
}

/** The KMP client behind a MeterReader, or the M-Bus master with its meter on the bus. */
async function readerOn(
  transport: Transport,
  setup: MeterSetup,
  ctx: Context,
  modules: ReturnType<typeof clientModules>,
): Promise<MeterReader> {
  const log = (dir: 'tx' | 'rx', bytes: Uint8Array): void => ctx.log.frame(dir, bytes);
  const loaded = await modules;
  if ('mbus' in loaded) {
    const { MbusClient, MbusMeter } = loaded.mbus;
    const client = new MbusClient(transport, {
      baud: setup.baud,
      ...(setup.timeoutGiven ? { timeoutMs: setup.timeoutMs } : {}),
      retries: setup.retries,
      signal: ctx.signal,
      log,
    });
    return new MbusMeter(client, setup.target);
  }
  const { KmpClient, KmpMeter } = loaded.kmp;
  return new KmpMeter(
    new KmpClient(transport, { timeoutMs: setup.timeoutMs, retries: setup.retries, signal: ctx.signal, log }),
    setup.model,
  );
}

/** Opens the meter, runs `fn` with it, and always closes the link and releases the lock. */
export async function withMeter<T>(setup: MeterSetup, ctx: Context, fn: (meter: MeterReader) => Promise<T>): Promise<MeterReport<T>> {
  const modules = clientModules(setup);
  modules.catch(() => {}); // awaited in readerOn; a run that fails before that must not leave it unhandled
  const onLink = async (transport: Transport): Promise<MeterReport<T>> => {
    const meter = await readerOn(transport, setup, ctx, modules);
    try {
      const value = await fn(meter);
      ctx.log.verbose(`meter: ${statsText(meter.stats)}`);
      return { value, stats: meter.stats };
    } finally {
      ctx.onStats?.(meter.stats);
    }
  };
  // A run of several meters holds the device already: its meters take turns on the one link.
  return ctx.link ? onLink(ctx.link) : withLink(setup, ctx, onLink);
}

/** Takes the lock, opens the link, runs `fn` on it; always closes the link and releases the lock. */
export async function withLink<T>(setup: MeterSetup, ctx: Context, fn: (transport: Transport) => Promise<T>): Promise<T> {
  const name = describeDevice(setup.device);
  const timeout = setup.protocol === 'mbus' && !setup.timeoutGiven ? `deadlines from ${setup.baud} Bd` : `timeout ${setup.timeoutMs} ms`;
  ctx.log.verbose(`meter: ${name}, ${setup.protocol === 'mbus' ? 'M-Bus' : 'KMP'}, ${timeout}, ${setup.retries} retries`);
  let release: (() => void) | undefined;
  if (setup.device.kind !== 'sim') {
    (await import('../meter/link.js')).preloadLink(setup.device);
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
