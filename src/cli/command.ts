/**
 * How a command module registers itself: its options come from the option table, its action is wrapped
 * so that the config file is loaded, the deadline started and the context built before it runs, and
 * the log closed after.
 */
import type { Command } from 'commander';
import { resolve as resolvePath } from 'node:path';
import type { OptionSpec } from '../settings/options.js';
import { flagsOf, helpOf } from '../settings/options.js';
import { chalkFor, deadlineSignal, loadConfig, LOG_OPTIONS, sourcesOf, type CommandRun, type Context, type RunOptions } from './context.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

export interface CommandDef {
  name: string;
  description: string;
  /** `[register...]` and its help. */
  argument?: [usage: string, help: string];
  isDefault?: boolean;
  /** The command's options from the table, in help order (the log options are added to every command). */
  options: readonly OptionSpec[];
  /** Options that need more than the table gives commander (choices, repeatable). */
  extra?: (cmd: Command) => void;
  /** The --deadline option bounding the run, when the command has one. */
  deadline?: OptionSpec;
  run: (r: CommandRun) => Promise<ExitCodeValue>;
}

/** What the program learns from the command that ran: its exit code and the signal it ran under. */
export interface RunState {
  code: ExitCodeValue;
  signal: AbortSignal;
}

export function defineCommand(program: Command, def: CommandDef, run: RunOptions, state: RunState): Command {
  const cmd = program.command(def.name, def.isDefault ? { isDefault: true } : {}).description(def.description);
  if (def.argument) cmd.argument(...def.argument);
  for (const spec of [...def.options, ...Object.values(LOG_OPTIONS)]) cmd.option(flagsOf(spec), helpOf(spec));
  def.extra?.(cmd);
  cmd.action(async (...params: unknown[]) => {
    const c = params[params.length - 1] as Command;
    state.code = await runAction(c, def, run, state);
  });
  return cmd;
}

async function runAction(cmd: Command, def: CommandDef, run: RunOptions, state: RunState): Promise<ExitCodeValue> {
  const { io } = run;
  const warn = (t: string): void => io.stderr(t + '\n');
  // The config file fills in what the command line did not give, before anything else is read.
  const sources = sourcesOf(cmd, io, await loadConfig(cmd, io, warn), warn);
  const { resolveValue } = await import('../settings/resolve.js');
  const ms = def.deadline ? resolveValue<number>(def.deadline, sources) : undefined;
  const bounded = deadlineSignal(ms, run.signal ?? new AbortController().signal);
  state.signal = bounded.signal;
  try {
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
      signal: bounded.signal,
      sources,
      error: (t) => io.stderr(err.red(`error: ${log.clean(t)}`) + '\n'),
    };
    try {
      return await def.run({ args: cmd.args, ctx });
    } finally {
      log.close();
    }
  } finally {
    bounded.clear();
  }
}

export { ExitCode };
