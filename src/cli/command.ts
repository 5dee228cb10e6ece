/**
 * How a command module registers itself: its options come from the option table, its action is wrapped
 * so that the config file is loaded, the deadline started and the context built before it runs, and
 * the log closed after.
 */
import type { Command } from 'commander';
import { resolve as resolvePath } from 'node:path';
import type { CommandEntry } from './commands/index.js';
import type { OptionSpec } from '../settings/options.js';
import type { Sources } from '../settings/resolve.js';
import { flagsOf, helpOf } from '../settings/options.js';
import { chalkFor, deadlineSignal, loadConfig, LOG_OPTIONS, sourcesOf, type CommandRun, type Context, type RunOptions } from './context.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { printJson, type JsonReport } from './json-report.js';
import type { Logger } from './log.js';

export interface CommandDef {
  /** The help text of the positional arguments (their usage is in the command list). */
  argumentHelp?: string;
  /** The command's options from the table, in help order (the log options are added to every command). */
  options: readonly OptionSpec[];
  /** Options that need more than the table gives commander (choices, repeatable). */
  extra?: (cmd: Command) => void;
  /** The --deadline option bounding the run, when the command has one. */
  deadline?: OptionSpec;
  /** The command acts on each meter of a list (per-meter.ts): its default deadline bounds each meter, not the run. */
  perMeter?: boolean;
  run: (r: CommandRun) => Promise<ExitCodeValue>;
}

/** What the program learns from the command that ran: its exit code, the signal it ran under, its JSON. */
export interface RunState {
  code: ExitCodeValue;
  signal: AbortSignal;
  /** With --json: the one object the run prints on stdout, whatever the outcome (see json-report.ts). */
  json?: JsonReport;
}

export function defineCommand(program: Command, entry: CommandEntry, def: CommandDef, run: RunOptions, state: RunState): Command {
  const cmd = program.command(entry.name, entry.isDefault ? { isDefault: true } : {}).description(entry.description);
  if (entry.args) cmd.argument(entry.args, def.argumentHelp ?? '');
  for (const spec of [...def.options, ...Object.values(LOG_OPTIONS)] as OptionSpec[]) {
    if (spec.repeatable) cmd.option(flagsOf(spec), helpOf(spec), (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
    else cmd.option(flagsOf(spec), helpOf(spec));
  }
  def.extra?.(cmd);
  cmd.action(async (...params: unknown[]) => {
    const c = params[params.length - 1] as Command;
    state.code = await runAction(c, def, run, state);
  });
  return cmd;
}

async function runAction(cmd: Command, def: CommandDef, run: RunOptions, state: RunState): Promise<ExitCodeValue> {
  const { io } = run;
  const json: JsonReport | undefined = cmd.getOptionValue('json') === true ? { doc: undefined, printed: false } : undefined;
  if (json) state.json = json;
  const warn = (t: string): void => io.stderr(t + '\n');
  // The config file fills in what the command line did not give, before anything else is read.
  const sources = sourcesOf(cmd, io, await loadConfig(cmd, io, warn), warn);
  const { resolve } = await import('../settings/resolve.js');
  const deadline = def.deadline ? resolve(def.deadline, sources) : undefined;
  // A list of meters may take minutes (250 on one M-Bus segment): a deadline not given bounds each meter.
  const eachMeter = def.perMeter === true && deadline?.source === 'default' && (await listsMeters(sources));
  const bounded = deadlineSignal(
    eachMeter ? undefined : (deadline?.value as number | undefined),
    run.signal ?? new AbortController().signal,
  );
  state.signal = bounded.signal;
  try {
    const { ctx, log } = await makeContext(run, sources, bounded.signal, json);
    if (eachMeter) ctx.meterDeadlineMs = deadline.value as number;
    try {
      const code = await def.run({ args: cmd.args, ctx });
      if (json) printJson(io, json, { exitCode: code });
      return code;
    } finally {
      log.close();
    }
  } finally {
    bounded.clear();
  }
}

/** Whether the run acts on the config file's list of meters (not on the classic `-d` meter). */
async function listsMeters(sources: Sources): Promise<boolean> {
  if (sources.config === undefined || sources.cli('device') !== undefined) return false;
  const { METERS_KEY } = await import('../settings/config-file.js'); // loaded already: there is a config file
  return Array.isArray(sources.config.data[METERS_KEY]);
}

async function makeContext(
  run: RunOptions,
  sources: Sources,
  signal: AbortSignal,
  json: JsonReport | undefined,
): Promise<{ ctx: Context; log: Logger }> {
  const { io } = run;
  const { Logger } = await import('./log.js');
  const debugFile = sources.cli('debug-file') as string | undefined;
  const log = new Logger(io, {
    verbose: sources.cli('verbose') === true,
    debug: sources.cli('debug') === true,
    debugFile: debugFile === undefined ? undefined : resolvePath(io.cwd, debugFile),
  });
  const [out, err] = await Promise.all([chalkFor(io, 'stdout'), chalkFor(io, 'stderr')]);
  const ctx: Context = {
    io,
    out,
    err,
    log,
    signal,
    sources,
    error: (t) => io.stderr(err.red(`error: ${log.clean(t)}`) + '\n'),
    report: (doc) => {
      if (json) json.doc = doc;
    },
    run,
  };
  return { ctx, log };
}

export { ExitCode };
