/**
 * `multical read` (the default command, so the classic multical402.py command line works as is):
 * validate everything, read every register once (≤ 8 per request), then push each argument to Domoticz
 * in the order given. Also the classic diagnostics --test_kamstrup and --test_domoticz.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseReadArgument, type ReadArgument } from '../../domoticz/argument.js';
import type { DomoticzClient } from '../../domoticz/client.js';
import { DOMOTICZ_OPTIONS } from '../../domoticz/options.js';
import { meterSetup, METER_OPTIONS, type MeterSetup } from '../../settings/device.js';
import { METER_SELECT } from '../../settings/meters.js';
import type { OptionSpec } from '../../settings/options.js';
import { resolveValue, type Sources } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, Context, RunOptions } from '../context.js';
import { perMeter } from '../per-meter.js';
import type { ExitCodeValue } from '../exit-codes.js';
import { JSON_OPTION } from './get.js';
import type { PushFlags } from './read-push.js';

const flag = (name: string, help: string, flags?: string): OptionSpec => ({
  name,
  config: false,
  type: { kind: 'bool' },
  help,
  ...(flags ? { flags } : {}),
});

export const READ_FLAGS = {
  dryRun: flag('dry-run', 'read the meter and print what would be sent; contact nothing else'),
  json: { ...JSON_OPTION, help: 'print one JSON object describing every reading and push' },
  quiet: flag('quiet', 'print nothing when everything worked; on trouble, a short report on stderr (for cron)', '-q, --quiet'),
  allowDecrease: flag('allow-decrease', 'push a total that is lower than the device shows (after replacing the meter)'),
  testKamstrup: flag('test_kamstrup', 'diagnostic: read the 31 classic registers and print them'),
  testDomoticz: flag('test_domoticz', 'diagnostic: list every Domoticz device with idx, name, type and value'),
} satisfies Record<string, OptionSpec>;

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  const { push: _push, ...connection } = DOMOTICZ_OPTIONS;
  defineCommand(
    program,
    entry,
    {
      argumentHelp:
        'push register CommandNr to device idx; mode 0: the reading; 1: reading − value(idx2); 2: value(idx) + reading − value(idx2); ' +
        "idx:99:alert: the info code's flags to a General/Alert device",
      options: [...Object.values(METER_OPTIONS), METER_SELECT, ...Object.values(connection), ...Object.values(READ_FLAGS)],
      deadline: METER_OPTIONS.deadline,
      perMeter: true,
      run: readRun,
    },
    run,
    state,
  );
}

async function readRun({ args, ctx }: CommandRun): Promise<ExitCodeValue> {
  const on = (spec: OptionSpec): boolean => resolveValue<boolean | undefined>(spec, ctx.sources) === true;
  const f = READ_FLAGS;
  const dryRun = on(f.dryRun);
  const { resolveDomoticz } = await import('../../domoticz/options.js');
  // Everything is checked before the first byte goes out, whatever the command line asks for.
  const domoticz = resolveDomoticz(ctx.sources, !dryRun && (on(f.testDomoticz) || !on(f.testKamstrup)));
  if (on(f.testDomoticz)) {
    const { testDomoticz } = await import('./read-diagnostics.js');
    return testDomoticz(dryRun ? undefined : domoticz, on(f.json), ctx);
  }
  const flags = { json: on(f.json), quiet: on(f.quiet), allowDecrease: on(f.allowDecrease) };
  // One Domoticz connection for every meter's pushes (none for a dry run); each unit of pushes keeps its own journal.
  const Client = dryRun ? undefined : (await import('../../domoticz/client.js')).DomoticzClient;
  let client: DomoticzClient | undefined;
  const shared = (): typeof client => (Client ? (client ??= new Client(domoticz, ctx.log, ctx.signal)) : undefined);
  const pushedBy = new Map<string, string>();
  try {
    return await perMeter(ctx, (src, plan, count) => {
      const setup = meterSetup(src);
      if (on(f.testKamstrup)) return { setup, run: (c) => testKamstrupRun(setup, flags.json, c) };
      const pushArgs = pushArguments(args, src, count);
      // A meter of the list that pushes nothing (MQTT only, say) is not read, unless it was named with --meter.
      if (pushArgs.length === 0 && plan.listed && ctx.sources.cli('meter') === undefined) return undefined;
      if (pushArgs.length === 0) throw new UsageError(NOTHING_TO_READ);
      for (const a of pushArgs) {
        const other = pushedBy.get(a.idx);
        if (other !== undefined && other !== plan.name)
          throw new UsageError(`idx ${a.idx} is pushed by meter ${other} too: give each device one meter`);
        pushedBy.set(a.idx, plan.name);
      }
      return { setup, run: (c) => pushRun(pushArgs, setup, shared(), flags, c) };
    });
  } finally {
    await client?.close();
  }
}

const NOTHING_TO_READ = 'nothing to read: give idx:CommandNr:mode[:idx2] arguments, e.g. multical read -d /dev/ttyUSB0 88:60:0';

/** The push arguments of a meter: the command line's (one meter only), else its `domoticz.push`. */
function pushArguments(args: string[], src: Sources, count: number): ReadArgument[] {
  if (args.length > 0 && count > 1) {
    throw new UsageError("push arguments name one meter's registers: put them in each meter's domoticz.push, or pick one with --meter");
  }
  const texts = args.length > 0 ? args : (resolveValue<string[] | undefined>(DOMOTICZ_OPTIONS.push, src) ?? []);
  return texts.map(parseReadArgument);
}

async function testKamstrupRun(setup: MeterSetup, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  const { testKamstrup } = await import('./read-diagnostics.js');
  return testKamstrup(setup, json, ctx);
}

async function pushRun(
  pushArgs: ReadArgument[],
  setup: MeterSetup,
  client: DomoticzClient | undefined,
  flags: PushFlags,
  ctx: Context,
): Promise<ExitCodeValue> {
  const { readAndPush } = await import('./read-push.js');
  return readAndPush(pushArgs, setup, client, flags, ctx);
}
