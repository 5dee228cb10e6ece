import { runCli } from './cli.js';
import { ExitCode, MulticalError } from './core/errors.js';
import { processIo } from './io.js';

/** The process entry: signals become an abort, the exit code is set here and nowhere else. */
const controller = new AbortController();
const onSignal = (name: 'SIGINT' | 'SIGTERM', code: 130 | 143) => () => {
  if (controller.signal.aborted) process.exit(code); // a second Ctrl-C: stop now
  controller.abort(new MulticalError(name === 'SIGINT' ? 'INTERRUPTED' : 'TERMINATED', `${name === 'SIGINT' ? 'interrupted' : 'terminated'} (${name})`, { exitCode: code }));
};
process.on('SIGINT', onSignal('SIGINT', ExitCode.sigint));
process.on('SIGTERM', onSignal('SIGTERM', ExitCode.sigterm));

const code = await runCli(process.argv.slice(2), { io: processIo(), signal: controller.signal });
process.exitCode = code;
