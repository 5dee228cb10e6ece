/**
 * Which log ids a read covers (kmp-loggers.md, "Walking a log incrementally", steps 3 and 5): the newest
 * N, the whole log, or everything after the entry the last run ended with. That entry is read again and
 * compared value by value: a log that was reset or reconfigured holds other values under the same id (or
 * fewer ids than were read), and that is reported, never merged. History is keyed on log ids, never on
 * dates, which repeat when a clock is set back.
 */
import { formatRecord } from '../kmp/format.js';
import { registerName } from '../kmp/registers.js';
import { HistoryError } from './kmp-logger-errors.js';
import type { LogEntryRead } from './kmp-logger-walk.js';

/** Where a run ended: the last entry it printed, by log id, with its exact values as printed (log id 0: the log was empty). */
export interface LogMark {
  logId: number;
  /** Register id → value text and unit. */
  values: Record<string, { text: string; unit: string }>;
}

export type Span = { kind: 'last'; count: number } | { kind: 'all' } | { kind: 'after'; mark: LogMark };

export interface SpanPlan {
  /** Log ids to read, inclusive; nothing when lo > hi. */
  lo: number;
  hi: number;
  /** The mark's entry, read again to check the log did not change (it is not printed again). */
  reread?: LogMark;
  /** Entries after the mark that the meter no longer holds (overwritten while nobody read them). */
  lost?: { from: number; to: number };
}

export interface LogRange {
  label: string;
  oldest: number;
  newest: number;
  empty: boolean;
}

export function planSpan(log: LogRange, span: Span): SpanPlan {
  if (span.kind !== 'after') {
    if (log.empty) return { lo: 1, hi: 0 };
    return { lo: span.kind === 'all' ? log.oldest : Math.max(log.oldest, log.newest - span.count + 1), hi: log.newest };
  }
  const last = span.mark.logId;
  const changed = (now: string): HistoryError =>
    new HistoryError('LOG_CHANGED', `the ${log.label} ${now}, but the last run read up to log id ${last}: the log was reset`);
  if (log.empty) {
    if (last === 0) return { lo: 1, hi: 0 };
    throw changed('is empty');
  }
  if (last > log.newest) throw changed(`holds log ids ${log.oldest}–${log.newest}`);
  if (last === log.newest) return { lo: last + 1, hi: last };
  if (last === 0) return { lo: log.oldest, hi: log.newest };
  if (last < log.oldest) {
    return { lo: log.oldest, hi: log.newest, ...(last + 1 < log.oldest ? { lost: { from: last + 1, to: log.oldest - 1 } } : {}) };
  }
  return { lo: last, hi: log.newest, reread: span.mark };
}

export function markOf(entry: LogEntryRead): LogMark {
  const values: LogMark['values'] = {};
  for (const r of entry.records) {
    const f = formatRecord(r);
    values[String(r.id)] = { text: f.text, unit: f.unit };
  }
  return { logId: entry.logId, values };
}

/** Throws LOG_CHANGED when the entry read again differs from what the last run printed under its log id. */
export function checkMark(label: string, mark: LogMark, entry: LogEntryRead | undefined): void {
  if (entry === undefined || entry.logId !== mark.logId) {
    throw new HistoryError('LOG_CHANGED', `the ${label} no longer holds log id ${mark.logId}, which the last run read: the log was reset`);
  }
  const now = markOf(entry).values;
  for (const [id, was] of Object.entries(mark.values)) {
    const is = now[id];
    if (is === undefined || (is.text === was.text && is.unit === was.unit)) continue;
    const show = (v: { text: string; unit: string }): string => (v.unit ? `${v.text} ${v.unit}` : v.text);
    throw new HistoryError(
      'LOG_CHANGED',
      `the ${label} changed since the last run: log id ${mark.logId} held ${registerName(Number(id))} = ${show(was)}, now ${show(is)} ` +
        '(reset or reconfigured)',
    );
  }
}
