/**
 * `multical read` (the default command, so the classic multical402.py command line works as is):
 * validate everything, read every register once (≤ 8 per request), then push each argument to Domoticz
 * in the order given. Also the classic diagnostics --test_kamstrup and --test_domoticz.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseReadArgument } from '../../domoticz/argument.js';
import { DOMOTICZ_OPTIONS } from '../../domoticz/options.js';
import { meterSetup, METER_OPTIONS } from '../../settings/device.js';
import type { OptionSpec } from '../../settings/options.js';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, RunOptions } from '../context.js';
import type { ExitCodeValue } from '../exit-codes.js';
import { JSON_OPTION } from './get.js';

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
      options: [...Object.values(METER_OPTIONS), ...Object.values(connection), ...Object.values(READ_FLAGS)],
      deadline: METER_OPTIONS.deadline,
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
  const setup = meterSetup(ctx.sources);
  if (on(f.testKamstrup)) {
    const { testKamstrup } = await import('./read-diagnostics.js');
    return testKamstrup(setup, on(f.json), ctx);
  }
  const texts = args.length > 0 ? args : (resolveValue<string[] | undefined>(DOMOTICZ_OPTIONS.push, ctx.sources) ?? []);
  if (texts.length === 0)
    throw new UsageError('nothing to read: give idx:CommandNr:mode[:idx2] arguments, e.g. multical read -d /dev/ttyUSB0 88:60:0');
  const pushArgs = texts.map(parseReadArgument);
  const { readAndPush } = await import('./read-push.js');
  return readAndPush(
    pushArgs,
    setup,
    dryRun ? undefined : domoticz,
    { json: on(f.json), quiet: on(f.quiet), allowDecrease: on(f.allowDecrease) },
    ctx,
  );
}
