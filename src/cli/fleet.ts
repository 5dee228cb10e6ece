/**
 * A run of several meters (the config file's `meters:`). Meters on different devices are read at the
 * same time; meters on one device (an M-Bus segment, a ser2net endpoint) one after another on one link,
 * under the device's lock taken once, with nothing in between. Each meter runs the command's own code on
 * a context of its own: its output is held and printed as one block under its name, in the order of the
 * config file; its --json object becomes its entry of `meters`; its failure (no answer, bad frame,
 * refused push) is its own. The run's exit code is the first, in the documented order, any meter earned.
 * A stop from outside (deadline, signal) stops them all.
 */
import { MulticalError, StopError, UsageError } from '../core/errors.js';
import type { ReadStats } from '../core/reading.js';
import { maskSecrets } from '../core/redact.js';
import { describeTarget } from '../meter/mbus-target.js';
import type { Transport } from '../meter/transport.js';
import { describeDevice, type MeterSetup } from '../settings/device.js';
import type { MeterPlan } from '../settings/meters.js';
import { deadlineSignal, type Context } from './context.js';
import { exitCodeOf } from './error-codes.js';
import { firstOf, type ExitCodeValue } from './exit-codes.js';
import { MeterOutput, MeterLog, type Chunk } from './fleet-output.js';
import { withLink } from './meter-access.js';

export interface FleetMeter {
  plan: MeterPlan;
  setup: MeterSetup;
  /** The command's work for this meter, on the meter's own context; checked before any meter runs. */
  run: (ctx: Context) => Promise<ExitCodeValue>;
}

export interface MeterOutcome {
  name: string;
  device: string;
  code: ExitCodeValue;
  doc: Record<string, unknown> | undefined;
  chunks: Chunk[];
  stats: ReadStats | undefined;
  ms: number;
}

interface Member {
  index: number;
  meter: FleetMeter;
}

/** Runs every meter; prints each one's block in config order as soon as it and those before it are done. */
export async function runFleet(meters: readonly FleetMeter[], ctx: Context): Promise<ExitCodeValue> {
  const groups = deviceGroups(meters);
  const output = new MeterOutput(ctx, meters.length);
  const settled = await Promise.allSettled(groups.map((g) => runGroup(g, ctx, (i, o) => output.done(i, o))));
  const outcomes = output.outcomes();
  ctx.report({ meters: outcomes.map(meterJson) });
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    output.flushAll();
    throw failure.reason;
  }
  return firstOf(outcomes.map((o) => o.code));
}

/**
 * Meters by device, in config order. Meters on one device share its serial line, so they must agree on
 * the protocol and the serial settings, and two meters at one M-Bus address would answer together.
 * Each simulated meter (`sim`) is a device of its own, in this process.
 */
export function deviceGroups(meters: readonly FleetMeter[]): Member[][] {
  const groups = new Map<string, Member[]>();
  meters.forEach((meter, index) => {
    const key = meter.setup.device.kind === 'sim' ? `sim#${index}` : describeDevice(meter.setup.device);
    const group = groups.get(key) ?? [];
    const first = group[0]?.meter;
    if (first) checkShared(first, meter);
    group.push({ index, meter });
    groups.set(key, group);
  });
  return [...groups.values()];
}

function checkShared(a: FleetMeter, b: FleetMeter): void {
  const device = describeDevice(a.setup.device);
  const names = `meters ${a.plan.name} and ${b.plan.name}`;
  const line = (m: FleetMeter): string => `${m.setup.protocol}${'settings' in m.setup.device ? ' ' + serialText(m.setup) : ''}`;
  if (line(a) !== line(b)) {
    throw new UsageError(
      `${names} share ${device} but not its line (${line(a)} vs ${line(b)}): one device has one protocol and one serial setting`,
    );
  }
  if (a.setup.protocol === 'mbus' && JSON.stringify(a.setup.target) === JSON.stringify(b.setup.target)) {
    throw new UsageError(`${names} are both ${describeTarget(a.setup.target)} on ${device}: give each its own --address or --secondary`);
  }
}

function serialText(setup: MeterSetup): string {
  if (!('settings' in setup.device)) return '';
  const s = setup.device.settings;
  return `${s.baudRate} ${s.dataBits}${s.parity[0]!.toUpperCase()}${s.stopBits}`;
}

/** One device's meters, one after another on one link; when the link cannot be had, each says why. */
async function runGroup(group: readonly Member[], ctx: Context, done: (index: number, o: MeterOutcome) => void): Promise<void> {
  const first = group[0]!.meter.setup;
  let next = 0;
  const runNext = async (link: Transport | undefined): Promise<void> => {
    for (; next < group.length; next++) await runMeter(group[next]!, ctx, link, done);
  };
  try {
    await (first.device.kind === 'sim' ? runNext(undefined) : withLink(first, ctx, runNext));
  } catch (e) {
    if (!contained(e, ctx)) throw e;
    for (; next < group.length; next++) done(group[next]!.index, failedOutcome(group[next]!.meter, e, ctx));
  }
}

/** A failure that is this meter's (or its device's) alone; a stop from outside, or a bug, ends the run. */
function contained(e: unknown, ctx: Context): e is MulticalError {
  return e instanceof MulticalError && !(e instanceof StopError) && !ctx.signal.aborted;
}

async function runMeter(
  member: Member,
  ctx: Context,
  link: Transport | undefined,
  done: (index: number, o: MeterOutcome) => void,
): Promise<void> {
  const { plan, setup } = member.meter;
  const chunks: Chunk[] = [];
  const outcome: MeterOutcome = { name: plan.name, device: deviceText(setup), code: 0, doc: undefined, chunks, stats: undefined, ms: 0 };
  const errorLine = (t: string): void => void chunks.push({ stream: 'stderr', text: ctx.err.red(`error: ${ctx.log.clean(t)}`) + '\n' });
  // Without a --deadline for the run, each meter has the default one of its own: a meter past it is stopped, the others go on.
  const bound = deadlineSignal(ctx.meterDeadlineMs, ctx.signal, "the meter's deadline");
  const meterCtx: Context = {
    ...ctx,
    sources: plan.src,
    signal: bound.signal,
    io: { ...ctx.io, stdout: (text) => chunks.push({ stream: 'stdout', text }), stderr: (text) => chunks.push({ stream: 'stderr', text }) },
    log: new MeterLog(ctx.log, plan.name),
    error: errorLine,
    report: (doc) => (outcome.doc = doc),
    onStats: (stats) => (outcome.stats = stats),
    ...(link ? { link } : {}),
  };
  const started = performance.now();
  try {
    outcome.code = await member.meter.run(meterCtx);
  } catch (e) {
    const own = ownStop(e, bound.signal, ctx);
    if (!own && !contained(e, ctx)) {
      outcome.ms = performance.now() - started;
      done(member.index, outcome); // what it printed before the stop is still shown
      throw e;
    }
    const err = own ?? (e as MulticalError);
    outcome.code = exitCodeOf(err);
    errorLine(err.message);
    outcome.doc = { ...outcome.doc, error: { code: err.code, message: ctx.log.clean(maskSecrets(err.message)) } };
  } finally {
    bound.clear();
  }
  outcome.ms = performance.now() - started;
  done(member.index, outcome);
}

/** The meter's own deadline ran out (not the run's, nor a signal): its failure alone. */
function ownStop(e: unknown, meterSignal: AbortSignal, ctx: Context): StopError | undefined {
  if (ctx.signal.aborted || !meterSignal.aborted) return undefined;
  const reason: unknown = meterSignal.reason;
  if (!(reason instanceof StopError)) return undefined;
  const message = `${reason.message}${e instanceof Error && e !== reason ? ` (${e.message})` : ''}`;
  return new StopError(reason.code, message);
}

function failedOutcome(meter: FleetMeter, e: MulticalError, ctx: Context): MeterOutcome {
  const message = ctx.log.clean(maskSecrets(e.message));
  return {
    name: meter.plan.name,
    device: deviceText(meter.setup),
    code: exitCodeOf(e),
    doc: { error: { code: e.code, message } },
    chunks: [{ stream: 'stderr', text: ctx.err.red(`error: ${message}`) + '\n' }],
    stats: undefined,
    ms: 0,
  };
}

function deviceText(setup: MeterSetup): string {
  const where = describeDevice(setup.device);
  return setup.protocol === 'mbus' ? `${where}, M-Bus ${describeTarget(setup.target)}` : `${where}, KMP`;
}

/** A meter's entry of the run's JSON: its name and device, the command's object, its traffic, its exit code. */
function meterJson(o: MeterOutcome): Record<string, unknown> {
  const stats = o.stats ? { ...o.stats, ms: Math.round(o.ms) } : { ms: Math.round(o.ms) };
  const { exitCode: _own, ...doc } = o.doc ?? {};
  return { name: o.name, device: o.device, ...doc, stats, exitCode: o.code };
}
