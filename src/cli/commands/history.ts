/**
 * `multical history -d DEVICE --logger hourly|daily|monthly|yearly|interval [REGISTER…]`: the meter's own
 * history (kmp-loggers.md), from its loggers, in as few requests as the meter allows — a table, CSV or
 * JSON; `--new` only what is newer than the last --new run's, for cron.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { METER_OPTIONS, meterSetup } from '../../settings/device.js';
import { METER_SELECT } from '../../settings/meters.js';
import { resolveValue } from '../../settings/resolve.js';
import { stateDir, removeState, writeState } from '../../settings/state.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandRun, RunOptions } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { oneMeterSources } from '../per-meter.js';
import { HISTORY_OPTIONS, parsePlan } from './history-options.js';
import type { CommandEntry } from './index.js';

export const HISTORY_HELP = `
Which meters answer which commands (kmp-loggers.md):
  hourly, daily, monthly, yearly   CID B8 at 0x3F: the MULTICAL 303/403/603/803 generation (captured on a 603, the others expected)
  interval                         GetLog A2 by record id at 0x7F, else 0xBF: a MULTICAL 601 logger top or base
                                   module, the MULTICAL 801's logger (LID 1, the interval log)
  A MULTICAL 601 without a logger module answers neither (exit 3, saying so); the 302/402/602 are not known.

Time stamps are the meter's clock as ISO 8601 without a zone (the value carries none); the DST
column is its summer-time offset in minutes when the log holds register 348, empty when it cannot say.

Examples:
  multical history -d /dev/ttyUSB0 --logger hourly --last 48
  multical history -d /dev/ttyUSB0 --logger daily --from 2026-01-01 --to 2026-01-31 --csv
  multical history -d /dev/ttyUSB0 --logger daily --new --csv >> ~/heat-daily.csv    # from cron, once a day`;

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  const cmd = defineCommand(
    program,
    entry,
    {
      argumentHelp: 'registers to show, decimal (60) or hex (0x3C) (default: every register the log holds)',
      options: [
        ...Object.values(METER_OPTIONS),
        { ...METER_SELECT, help: 'the meter of the config file to read (its meters: list)' },
        ...Object.values(HISTORY_OPTIONS),
      ],
      extra: (c) => void c.option('--no-header', 'with --csv: leave the header line out (for appending to a file)'),
      deadline: METER_OPTIONS.deadline,
      run: historyRun,
    },
    run,
    state,
  );
  cmd.addHelpText('after', HISTORY_HELP);
}

async function historyRun({ args, ctx: runCtx }: CommandRun): Promise<ExitCodeValue> {
  // With a config file's list of meters: the one named with --meter, with its own settings.
  const ctx = { ...runCtx, sources: oneMeterSources(runCtx, 'history') };
  const plan = parsePlan(ctx.sources, args);
  const setup = meterSetup(ctx.sources);
  const dir = plan.incremental ? usableStateDir(ctx.io.env) : undefined;
  const settings = {
    timeoutMs: setup.timeoutMs,
    retries: setup.retries,
    baud: resolveValue<number>(METER_OPTIONS.baud, ctx.sources),
    // start bit, 8 data bits, parity, stop bits: 11 for the meter's 8N2
    bitsPerByte:
      9 +
      (resolveValue<string>(METER_OPTIONS.parity, ctx.sources) === 'none' ? 0 : 1) +
      resolveValue<number>(METER_OPTIONS.stopbits, ctx.sources),
  };
  const [{ withLink }, { runHistory }] = await Promise.all([import('../meter-access.js'), import('./history-session.js')]);
  await withLink(setup, ctx, (transport) => runHistory(ctx, plan, settings, transport, dir));
  return ExitCode.ok;
}

/** The state directory, known to be writable before the meter is read (a run must not print what it cannot remember). */
function usableStateDir(env: Readonly<Record<string, string | undefined>>): string {
  const dir = stateDir(env);
  const probe = `.history-probe-${process.pid}`;
  try {
    writeState(dir, probe, '');
    removeState(dir, probe);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`state directory ${dir}: cannot write there (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return dir;
}
