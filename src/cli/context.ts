/**
 * What every command gets — output streams, colours, the log, the signal that stops it (deadline,
 * SIGINT, SIGTERM) and where its settings come from — and the action wrapper that builds it: load the
 * config file, start the deadline, open the log, run, report.
 */
import type { ChalkInstance } from 'chalk';
import type { Command } from 'commander';
import { StopError } from '../core/errors.js';
import type { Io, Log } from '../core/io.js';
import type { ReadStats } from '../core/reading.js';
import type { Transport } from '../meter/transport.js';
import type { ConfigView } from '../settings/config-file.js';
import type { OptionSpec } from '../settings/options.js';
import type { RawValue, Sources } from '../settings/resolve.js';

export interface Context {
  io: Io;
  out: ChalkInstance;
  err: ChalkInstance;
  log: Log;
  signal: AbortSignal;
  /** Where each setting comes from: command line, environment, config file, defaults. */
  sources: Sources;
  /** Prints one error line on stderr, secrets masked. */
  error(text: string): void;
  /** With --json: the object to print (once, at the end, with the exit code). Without --json: ignored. */
  report(doc: Record<string, unknown>): void;
  /** What the process gave the run (SIGHUP for the service). */
  run: RunOptions;
  /**
   * The device's link, when a run of several meters already holds it (its lock taken, its link open):
   * the meters on one device are read one after another on the one link (fleet.ts).
   */
  link?: Transport;
  /** Told what the meter's conversation took (requests, frames, bytes), when a run of several meters reports it. */
  onStats?: (stats: ReadStats) => void;
  /** With a list of meters and no --deadline given: the bound of each meter's part of the run (fleet.ts). */
  meterDeadlineMs?: number;
}

export interface CommandRun {
  args: string[];
  ctx: Context;
}

export interface RunOptions {
  io: Io;
  /** Stops the run: SIGINT/SIGTERM from main.ts. */
  signal?: AbortSignal;
  /** Calls `listener` on SIGHUP (the service reloads its config); returns the way to stop listening. */
  onHangup?: (listener: () => void) => () => void;
}

/** The options every command has: the config file and the diagnostics. */
export const LOG_OPTIONS = {
  config: {
    name: 'config',
    arg: 'file',
    config: false,
    type: { kind: 'path' },
    help: 'settings from this YAML file (default: $MULTICAL_CONFIG, else ~/.config/multical/config.yaml when it exists)',
  },
  verbose: { name: 'verbose', config: false, type: { kind: 'bool' }, help: 'say more about what happens, on stderr' },
  debug: {
    name: 'debug',
    config: false,
    type: { kind: 'bool' },
    help: 'also log raw frames (tx/rx hex) and HTTP calls, and show stack traces',
  },
  debugFile: { name: 'debug-file', arg: 'path', config: false, type: { kind: 'path' }, help: 'append the debug log to this file' },
} satisfies Record<string, OptionSpec>;

/** Colours only on a terminal, never with NO_COLOR (https://no-color.org: any non-empty value). */
export async function chalkFor(io: Io, stream: 'stdout' | 'stderr'): Promise<ChalkInstance> {
  const { Chalk } = await import('chalk');
  const tty = stream === 'stdout' ? io.stdoutIsTTY : io.stderrIsTTY;
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return new Chalk({ level: tty && !noColor ? 1 : 0 });
}

/** Command-line values as given (not commander's defaults), the environment and the config file. */
export function sourcesOf(cmd: Command, io: Io, config: ConfigView | undefined, warn: (t: string) => void): Sources {
  const camel = (k: string): string => k.replace(/-([a-z_])/g, (_m, c: string) => c.toUpperCase());
  return {
    cli: (name) => {
      const attr = name.includes('_') ? name : camel(name);
      return cmd.getOptionValueSource(attr) === 'cli' ? (cmd.getOptionValue(attr) as RawValue) : undefined;
    },
    env: io.env,
    config,
    warn,
  };
}

/** The run deadline: every wait (meter, lock, HTTP, broker) listens to the one signal it aborts. */
export function deadlineSignal(
  ms: number | undefined,
  outer: AbortSignal,
  what = 'the run deadline',
): { signal: AbortSignal; clear: () => void } {
  if (ms === undefined) return { signal: outer, clear: () => {} };
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new StopError('DEADLINE', `${what} of ${ms / 1000} s ran out`)), ms);
  return { signal: AbortSignal.any([outer, deadline.signal]), clear: () => clearTimeout(timer) };
}

/** The config file for a command, found and checked; undefined when there is none. */
export async function loadConfig(cmd: Command, io: Io, warn: (t: string) => void): Promise<ConfigView | undefined> {
  const { findConfigPath, loadConfigFile } = await import('../settings/config-file.js');
  const explicit = cmd.getOptionValueSource('config') === 'cli' ? (cmd.getOptionValue('config') as string) : undefined;
  const found = findConfigPath(explicit, io.env, io.cwd);
  if (!found) return undefined;
  // The schema (every option table) is loaded only when there is a file to check.
  const { configSchema } = await import('./schema.js');
  return loadConfigFile(found.path, found.what, configSchema(), warn);
}
