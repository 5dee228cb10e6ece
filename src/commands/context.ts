import { Chalk, type ChalkInstance } from 'chalk';
import { parseIntOption, parseSecondsOption } from '../args.js';
import { Logger, type Io } from '../io.js';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, type ClientStats, type MeterClient } from '../meter/client.js';
import { describeDevice, openMeter, parseDevice, type DeviceSpec } from '../meter/device.js';
import { UsageError } from '../core/errors.js';
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** What every command gets: output, colours, logging, and a signal that stops it (deadline, SIGINT). */
export interface Context {
  io: Io;
  out: ChalkInstance;
  err: ChalkInstance;
  log: Logger;
  signal: AbortSignal;
}

/** Colours only on a terminal, never with NO_COLOR (https://no-color.org: any non-empty value). */
export function chalkFor(io: Io, stream: 'stdout' | 'stderr' = 'stdout'): ChalkInstance {
  const tty = stream === 'stdout' ? io.stdoutIsTTY : io.stderrIsTTY;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return new Chalk({ level: tty && !noColor ? 1 : 0 });
}

export function makeContext(io: Io, opts: { verbose?: boolean; debug?: boolean; debugFile?: string | undefined }, signal: AbortSignal): Context {
  let debugFile: string | undefined;
  if (opts.debugFile !== undefined) {
    debugFile = resolve(io.cwd, opts.debugFile);
    try {
      accessSync(dirname(debugFile), constants.W_OK);
    } catch {
      throw new UsageError(`--debug-file ${opts.debugFile}: cannot write in ${dirname(debugFile)}`);
    }
  }
  return {
    io,
    out: chalkFor(io, 'stdout'),
    err: chalkFor(io, 'stderr'),
    log: new Logger(io, { verbose: opts.verbose ?? false, debug: opts.debug ?? false, debugFile }),
    signal,
  };
}

/** The options every command that talks to a meter takes, as commander hands them over. */
export interface MeterOptionText {
  device?: string;
  baud?: string;
  stopbits?: string;
  parity?: string;
  timeout?: string;
  retries?: string;
  lockWait?: string;
}

export interface MeterSetup {
  device: DeviceSpec;
  timeoutMs: number;
  retries: number;
  lockWaitMs: number;
}

export const MAX_RETRIES = 5;
export const DEFAULT_LOCK_WAIT_MS = 30_000;

/** Validates the meter options (before anything is opened). */
export function meterSetup(o: MeterOptionText): MeterSetup {
  return {
    device: parseDevice(o.device, { baud: o.baud, stopbits: o.stopbits, parity: o.parity }),
    timeoutMs: parseSecondsOption('--timeout', o.timeout, 0.1, 60, DEFAULT_TIMEOUT_MS),
    retries: parseIntOption('--retries', o.retries, 0, MAX_RETRIES, DEFAULT_RETRIES),
    lockWaitMs: parseSecondsOption('--lock-wait', o.lockWait, 0, 3600, DEFAULT_LOCK_WAIT_MS),
  };
}

export interface MeterReport<T> {
  value: T;
  stats: ClientStats;
}

/** Opens the meter, runs `fn` with its client, and always closes the link. */
export async function withMeter<T>(setup: MeterSetup, ctx: Context, fn: (client: MeterClient) => Promise<T>): Promise<MeterReport<T>> {
  const name = describeDevice(setup.device);
  ctx.log.verbose(`meter: ${name}, timeout ${setup.timeoutMs} ms, ${setup.retries} retries`);
  const { acquireDeviceLock } = await import('../meter/lock.js');
  const lock = await acquireDeviceLock(setup.device, setup.lockWaitMs, ctx.signal, name);
  try {
    const meter = await openMeter(setup.device, {
      timeoutMs: setup.timeoutMs,
      retries: setup.retries,
      signal: ctx.signal,
      log: (dir, bytes) => ctx.log.frame(dir, bytes),
    });
    try {
      const value = await fn(meter.client);
      return { value, stats: meter.client.stats };
    } finally {
      await meter.close();
    }
  } finally {
    lock?.release();
  }
}

export function summarizeStats(stats: ClientStats): string {
  return `${stats.requests} request${stats.requests === 1 ? '' : 's'}, ${stats.attempts} frame${stats.attempts === 1 ? '' : 's'} sent, ${stats.bytesSent} bytes out, ${stats.bytesReceived} bytes in`;
}
