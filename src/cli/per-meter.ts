/**
 * How `read`, `get`, `info` and `mqtt` act on the meters of a run: one meter (the classic `-d DEV`, or a
 * config file without `meters:`) runs as it always has; a list of meters (all of `meters:`, or those
 * named with `--meter`) runs through fleet.ts. Every meter's settings are checked before any is read.
 */
import { UsageError } from '../core/errors.js';
import type { MeterSetup } from '../settings/device.js';
import { METER_SELECT, metersOf, type MeterPlan } from '../settings/meters.js';
import type { Sources } from '../settings/resolve.js';
import type { Context } from './context.js';
import type { ExitCodeValue } from './exit-codes.js';

/** One meter's part of a command, checked and ready to run. */
export interface PreparedMeter {
  setup: MeterSetup;
  run: (ctx: Context) => Promise<ExitCodeValue>;
}

/**
 * What a command checks for one meter, from that meter's settings; `count` is the number of meters in the
 * run. Undefined: the command has nothing to do for this meter of the list (`read` for a meter without pushes).
 */
export type PrepareMeter = (src: Sources, plan: MeterPlan, count: number) => PreparedMeter | undefined | Promise<PreparedMeter | undefined>;

/** The meters of this run: `--meter` names picked out of the config file's list. */
export function meterPlans(ctx: Context): MeterPlan[] {
  return metersOf(ctx.sources, ctx.sources.cli(METER_SELECT.name) as string[] | undefined);
}

/** Prepares every meter (any bad setting stops the run before a byte goes out), then runs them. */
export async function perMeter(ctx: Context, prepare: PrepareMeter, plans = meterPlans(ctx)): Promise<ExitCodeValue> {
  if (!plans[0]!.listed) {
    const one = await prepare(ctx.sources, plans[0]!, 1);
    if (!one) throw new UsageError('nothing to do for the meter');
    return one.run(ctx);
  }
  const meters = [];
  for (const plan of plans) {
    try {
      const prepared = await prepare(plan.src, plan, plans.length);
      if (prepared) meters.push({ plan, ...prepared });
      else ctx.log.verbose(`${plan.name}: nothing to do for this meter`);
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`meter ${plan.name}: ${e.message}`, { cause: e });
      throw e;
    }
  }
  if (meters.length === 0) throw new UsageError(`nothing to do for the meters of ${ctx.sources.config?.path ?? 'the config file'}`);
  const { runFleet } = await import('./fleet.js');
  return runFleet(meters, ctx);
}

/** The sources of the one meter a one-meter command (history) acts on: `-d`, the file's meter, or the one `--meter` names. */
export function oneMeterSources(ctx: Context, command: string): Sources {
  const plans = meterPlans(ctx);
  if (plans.length > 1) {
    const names = plans.map((p) => p.name).join(', ');
    throw new UsageError(
      `${command} reads one meter: name it with --meter (${ctx.sources.config?.path ?? 'the config file'} lists ${names})`,
    );
  }
  return plans[0]!.src;
}
