// The whole CLI in-process (runCli of src/cli/program.ts) with a fake Io that keeps what it printed: for
// usage and configuration cases, where a child process would add nothing but its start-up time.
import { runCli } from '../../src/cli/program.js';
import type { Io } from '../../src/core/io.js';
import { cleanEnv, type CliResult } from './cli.js';

export interface InProcessOptions {
  /** On top of cleanEnv's: an empty private HOME, nothing from the developer's shell. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Whether stdout and stderr are terminals. */
  tty?: boolean;
}

export async function cliInProcess(argv: string[], opts: InProcessOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdoutIsTTY: opts.tty ?? false,
    stderrIsTTY: opts.tty ?? false,
    env: cleanEnv(opts.env),
    cwd: opts.cwd ?? process.cwd(),
  };
  const started = Date.now();
  const code = await runCli(argv, { io });
  return { code, signal: null, stdout, stderr, ms: Date.now() - started };
}
