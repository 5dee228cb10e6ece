/**
 * The real process's Io. A closed stdout or stderr (`multical --help | head -1`) is not an error to
 * report — there is nobody to report it to: writes stop, and `onClosed` is told once so the run can end.
 */
import type { Io } from '../core/io.js';

export function processIo(onClosed: () => void): Io {
  let closed = false;
  const close = (e: NodeJS.ErrnoException): void => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') return;
    if (!closed) onClosed();
    closed = true;
  };
  process.stdout.on('error', close);
  process.stderr.on('error', close);
  const write =
    (stream: NodeJS.WriteStream) =>
    (t: string): void => {
      if (!closed && !stream.destroyed) stream.write(t);
    };
  return {
    stdout: write(process.stdout),
    stderr: write(process.stderr),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}
