/**
 * The program: commander wired to the command modules, each of which registers itself; the one error
 * sink; the exit code returned, never set here (main.ts sets it). Only commander and the small command
 * modules load for `--help`: every action imports what it needs when it runs (see bench/).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { MulticalError, StopError, errorMessage } from '../core/errors.js';
import type { Io } from '../core/io.js';
import { maskSecrets } from '../core/redact.js';
import { printJson, type RunState } from './command.js';
import { COMMANDS } from './commands/index.js';
import type { RunOptions } from './context.js';
import { EXIT_CODES_HELP, ExitCode, exitCodeOf, type ExitCodeValue } from './exit-codes.js';

export async function runCli(argv: string[], run: RunOptions): Promise<ExitCodeValue> {
  const state: RunState = { code: ExitCode.ok, signal: run.signal ?? new AbortController().signal };
  const program = newProgram(run.io);
  for (const register of COMMANDS) register(program, run, state);
  if (argv.length === 0) return bareHelp(program, run.io);
  const unknown = unknownCommand(program, argv[0]!);
  if (unknown) {
    run.io.stderr(`error: ${unknown}\n`);
    return ExitCode.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.code;
  } catch (e) {
    const code = reportError(e, run.io, argv.includes('--debug'), state.signal);
    const json = state.json ?? (argv.includes('--json') ? { doc: undefined, printed: false } : undefined);
    if (json && code !== ExitCode.ok) printJson(run.io, json, { error: errorJson(e, state.signal), exitCode: code });
    return code;
  }
}

/** The error as the --json object carries it: a stable code and the one-line message, secrets masked. */
function errorJson(e: unknown, signal: AbortSignal): { code: string; message: string } {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  const err = reason instanceof StopError ? reason : e;
  if (err instanceof CommanderError) return { code: 'USAGE', message: err.message.replace(/^error: /, '') };
  if (err instanceof MulticalError) return { code: err.code, message: maskSecrets(err.message) };
  return { code: 'INTERNAL', message: maskSecrets(errorMessage(err)) };
}

function newProgram(io: Io): Command {
  return new Command('multical')
    .description(
      'Read Kamstrup MULTICAL heat meters over the optical IR port (KMP) and push the readings to Domoticz or MQTT / Home Assistant.',
    )
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (t) => io.stdout(t),
      writeErr: (t) => io.stderr(t),
      outputError: (t, write) => write(t.endsWith('\n') ? t : t + '\n'),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);
}

/** A bare `multical`: what it can do, rather than a complaint about a missing -d. */
function bareHelp(program: Command, io: Io): ExitCodeValue {
  io.stderr(program.helpInformation());
  return ExitCode.usage;
}

/**
 * `multical reed`: a bare word where a command goes is a mistyped command, not a push argument of the
 * default command (those hold colons), so it gets commander's suggestion rather than "bad argument".
 */
function unknownCommand(program: Command, first: string): string | undefined {
  if (first.startsWith('-') || first.includes(':') || !/^[a-z][a-z_-]*$/i.test(first)) return undefined;
  const names = program.commands.map((c) => c.name());
  if (names.includes(first) || first === 'help') return undefined;
  const near = names.find((n) => distance(n, first) <= 2);
  return `unknown command '${first}'${near ? ` (Did you mean ${near}?)` : ''}: see multical --help`;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const t = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = t;
    }
  }
  return d[b.length]!;
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function reportError(e: unknown, io: Io, debug: boolean, signal: AbortSignal): ExitCodeValue {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage; // commander has printed its one line
  }
  const say = (t: string): void => io.stderr(maskSecrets(t));
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof StopError) {
    if (reason.code !== 'CLOSED') say(`error: ${reason.message}${e instanceof Error && e !== reason ? ` (${e.message})` : ''}\n`);
    return exitCodeOf(reason);
  }
  if (e instanceof MulticalError) {
    say(`error: ${e.message}\n`);
    if (debug && e.stack) say(e.stack + '\n');
    return exitCodeOf(e);
  }
  say(`error: ${errorMessage(e)}\n`);
  if (debug && e instanceof Error && e.stack) say(e.stack + '\n');
  else say('(this is a bug in multical: run again with --debug and report the output)\n');
  return ExitCode.internal;
}
