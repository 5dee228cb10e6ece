/**
 * The program as named steps: the program's own help or version (help.ts, without commander), a
 * mistyped command, then commander with the command being run (loaded from its own module, the others
 * only listed), the parse, and the error sink (report.ts). The exit code is returned, never set here
 * (main.ts sets it).
 */
import type { Command } from 'commander';
import type { Io } from '../core/io.js';
import type { RunState } from './command.js';
import { COMMANDS, commandOf, listCommand } from './commands/index.js';
import type { RunOptions } from './context.js';
import { EXIT_CODES_HELP, ExitCode, type ExitCodeValue } from './exit-codes.js';
import { DESCRIPTION, programHelp, version } from './help.js';

export async function runCli(argv: string[], run: RunOptions): Promise<ExitCodeValue> {
  const own = programOnly(argv, run.io);
  if (own !== undefined) return own;
  const mistyped = unknownCommand(argv[0]!);
  if (mistyped) {
    run.io.stderr(`error: ${mistyped}\n`);
    return ExitCode.usage;
  }
  const state: RunState = { code: ExitCode.ok, signal: run.signal ?? new AbortController().signal };
  const program = await newProgram(run.io);
  const target = commandOf(argv);
  for (const entry of COMMANDS) {
    if (entry === target) (await entry.load()).register(program, entry, run, state);
    else listCommand(program, entry);
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return state.code;
  } catch (e) {
    const { CommanderError } = await import('commander');
    const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    if (e instanceof CommanderError && done.includes(e.code)) return ExitCode.ok;
    // The error sink loads only now: a good run never needs it.
    const { reportError } = await import('./report.js');
    const json = state.json ?? (argv.includes('--json') ? 'wanted' : undefined);
    return reportError(e, run.io, { debug: argv.includes('--debug'), json }, state.signal);
  }
}

/** `multical`, `multical --help`, `multical help`, `multical -V`: answered from the catalog. */
function programOnly(argv: string[], io: Io): ExitCodeValue | undefined {
  if (argv.length === 0) {
    // A bare `multical`: what it can do, rather than a complaint about a missing -d.
    io.stderr(programHelp());
    return ExitCode.usage;
  }
  if (argv.length !== 1) return undefined;
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(programHelp());
    return ExitCode.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-V') {
    io.stdout(version() + '\n');
    return ExitCode.ok;
  }
  return undefined;
}

async function newProgram(io: Io): Promise<Command> {
  const { Command } = await import('commander');
  return new Command('multical')
    .description(DESCRIPTION)
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

/**
 * `multical reed`: a bare word where a command goes is a mistyped command, not a push argument of the
 * default command (those hold colons), so it gets a suggestion rather than "bad argument".
 */
function unknownCommand(first: string): string | undefined {
  if (first.startsWith('-') || first.includes(':') || !/^[a-z][a-z_-]*$/i.test(first)) return undefined;
  const names = COMMANDS.map((c) => c.name);
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
