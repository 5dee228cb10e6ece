/** The process entry: signals and a closed output become an abort; the exit code is set here and nowhere else. */
import { runCli } from './cli/program.js';
import { processIo } from './cli/io.js';
import { ExitCode } from './cli/exit-codes.js';
import { StopError } from './core/errors.js';

const controller = new AbortController();
const stop = (code: 'INTERRUPTED' | 'TERMINATED' | 'CLOSED', message: string, exitCode: number) => (): void => {
  if (controller.signal.aborted) process.exit(exitCode); // a second Ctrl-C: stop now
  controller.abort(new StopError(code, message));
};
process.on('SIGINT', stop('INTERRUPTED', 'interrupted (SIGINT)', ExitCode.sigint));
process.on('SIGTERM', stop('TERMINATED', 'terminated (SIGTERM)', ExitCode.sigterm));

const io = processIo(stop('CLOSED', 'the output was closed', ExitCode.outputClosed));
const onHangup = (listener: () => void): (() => void) => {
  process.on('SIGHUP', listener);
  return () => void process.off('SIGHUP', listener);
};
const code = await runCli(process.argv.slice(2), { io, signal: controller.signal, onHangup });
process.exitCode = code;
