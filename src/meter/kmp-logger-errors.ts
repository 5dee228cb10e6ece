/**
 * Why a history read cannot go on. These are meter errors (exit code 3, like every failure to read the
 * meter), with codes of their own for --json: the meter answers no logger command, a reply does not fit
 * the request, a register asked is not in the log, or the log changed under us since the last run (kmp-loggers.md, "Walking a log
 * incrementally", step 5).
 */
import type { MulticalErrorOptions } from '../core/errors.js';
import { MeterError, type MeterErrorCode } from './errors.js';

export type HistoryErrorCode = 'NO_LOGGER' | 'NOT_LOGGED' | 'LOG_UNREADABLE' | 'LOG_CHANGED';

export class HistoryError extends MeterError {
  constructor(code: HistoryErrorCode, message: string, options: MulticalErrorOptions = {}) {
    // MeterErrorCode is a closed list in errors.ts; a history error is a meter error with a code of its own.
    super(code as unknown as MeterErrorCode, message, options);
  }
}
