/**
 * The one error sink: an error becomes one line on stderr (secrets masked, a stack trace only with
 * --debug), with --json also the one JSON object, and an exit code (error-codes.ts). A stop from outside
 * (deadline, signal) is said as such, with what was being waited for.
 */
import { CommanderError } from 'commander';
import { MulticalError, StopError, errorMessage } from '../core/errors.js';
import type { Io } from '../core/io.js';
import { maskSecrets } from '../core/redact.js';
import { exitCodeOf } from './error-codes.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { printJson, type JsonReport } from './json-report.js';

export function reportError(
  e: unknown,
  io: Io,
  o: { debug: boolean; json: JsonReport | 'wanted' | undefined },
  signal: AbortSignal,
): ExitCodeValue {
  const code = lineFor(e, io, o.debug, signal);
  if (o.json)
    printJson(io, o.json === 'wanted' ? { doc: undefined, printed: false } : o.json, { error: errorJson(e, signal), exitCode: code });
  return code;
}

/** The error as the --json object carries it: a stable code and the one-line message, secrets masked. */
function errorJson(e: unknown, signal: AbortSignal): { code: string; message: string } {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  const err = reason instanceof StopError ? reason : e;
  if (err instanceof CommanderError) return { code: 'USAGE', message: err.message.replace(/^error: /, '') };
  if (err instanceof MulticalError) return { code: err.code, message: maskSecrets(err.message) };
  return { code: 'INTERNAL', message: maskSecrets(errorMessage(err)) };
}

function lineFor(e: unknown, io: Io, debug: boolean, signal: AbortSignal): ExitCodeValue {
  if (e instanceof CommanderError) return ExitCode.usage; // commander has printed its one line
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
