/**
 * Log entries as people and programs see them: an aligned table, CSV rows, or one JSON object, values exact.
 *
 * Time stamps are the meter's own clock, written as ISO 8601 local time without a zone offset
 * (`2026-07-01T14:00:00`): the meter does not know its time zone (it is configuration, not in the value),
 * so an offset such as +02:00 would be a guess. The time shown is the wall clock the meter displays —
 * standard time plus its summer-time offset (what Kamstrup's LogView shows). When the log holds register
 * 348 (unit 79) that offset is known and given beside the time in minutes (`dst`: 0 in winter, 60 in
 * summer), so the hour that repeats in autumn stays apart and standard time is time − dst; with 1003/1002
 * the meter says nothing about summer time and the column is empty (see logger-time.ts).
 */
import { RawNumber } from '../../core/json.js';
import { formatRecord, type FormattedValue } from '../../kmp/format.js';
import { entryTimestamp, type MeterTimestamp } from '../../kmp/logger-time.js';
import { registerName } from '../../kmp/registers.js';
import { HistoryError } from '../../meter/kmp-logger-errors.js';
import type { LogEntryRead } from '../../meter/kmp-logger-walk.js';
import { alignColumns } from '../readings-view.js';

export interface Column {
  id: number;
  name: string;
  /** The unit of the first entry that held it; every later one must agree. */
  unit: string | undefined;
}

export interface Row {
  logId: number;
  time: MeterTimestamp | undefined;
  values: Map<number, FormattedValue>;
}

export function columnsFor(ids: readonly number[], units: Readonly<Record<string, string>> = {}): Column[] {
  return ids.map((id) => ({ id, name: registerName(id), unit: units[String(id)] }));
}

/** The row of one entry; a time stamp that is no valid date is left empty and said in `warning`. */
export function rowOf(entry: LogEntryRead): { row: Row; warning?: string } {
  const values = new Map(entry.records.map((r) => [r.id, formatRecord(r)]));
  try {
    return { row: { logId: entry.logId, time: entryTimestamp(entry.records), values } };
  } catch (e) {
    const warning = `log id ${entry.logId}: ${e instanceof Error ? e.message : String(e)}; its time is left empty`;
    return { row: { logId: entry.logId, time: undefined, values }, warning };
  }
}

/** Fixes each column's unit from the first row holding it; a later unit that differs is a reconfigured log. */
export function settleUnits(label: string, columns: Column[], rows: readonly Row[]): void {
  for (const c of columns) {
    for (const r of rows) {
      const v = r.values.get(c.id);
      if (v === undefined) continue;
      c.unit ??= v.unit;
      if (v.unit !== c.unit) {
        const show = (u: string): string => u || 'no unit';
        throw new HistoryError(
          'LOG_CHANGED',
          `the ${label} changed: ${c.name} is in ${show(v.unit)} from log id ${r.logId} on, in ${show(c.unit)} before`,
        );
      }
    }
  }
}

const heading = (c: Column): string => (c.unit ? `${c.name} [${c.unit}]` : c.name);

function csvField(s: string): string {
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(columns: readonly Column[]): string {
  return ['log_id', 'time', 'dst', ...columns.map(heading)].map(csvField).join(',') + '\n';
}

export function csvRows(columns: readonly Column[], rows: readonly Row[]): string {
  return rows
    .map((r) => {
      const cells = [String(r.logId), r.time?.local ?? '', r.time?.dstOffsetMinutes?.toString() ?? ''];
      return [...cells, ...columns.map((c) => r.values.get(c.id)?.text ?? '')].map(csvField).join(',') + '\n';
    })
    .join('');
}

/** Columns by register id with their unit; the names in a legend below, to keep the table narrow. */
export function table(columns: readonly Column[], rows: readonly Row[], bold: (s: string) => string): string {
  const header = ['Log id', 'Time (meter)', 'DST', ...columns.map((c) => (c.unit ? `${c.id} [${c.unit}]` : String(c.id)))];
  const cells = rows.map((r) => [
    String(r.logId),
    r.time?.local.replace('T', ' ') ?? '',
    r.time?.dstOffsetMinutes?.toString() ?? '',
    ...columns.map((c) => r.values.get(c.id)?.text ?? ''),
  ]);
  const right = new Set(header.map((_h, i) => i).filter((i) => i !== 1));
  const t = alignColumns(header, cells, right);
  const legend = columns.map((c) => `${c.id} ${c.name}`).join(' · ');
  return [bold(t.header), ...t.lines, '', legend].join('\n') + '\n';
}

export interface DocMeta {
  logger: string;
  source: Record<string, unknown>;
  serial: string | undefined;
  oldestLogId: number;
  newestLogId: number;
  missing: number[];
}

/** `{"logger", "source", "registers":[…], "entries":[{"logId","time","dst","values":[{"id","value","unit"}]}]}`. */
export function historyDoc(meta: DocMeta, columns: readonly Column[], rows: readonly Row[]): Record<string, unknown> {
  const registers = columns.map((c) => ({ id: c.id, name: c.name, unit: c.unit ?? null }));
  const entries = rows.map((r) => ({
    logId: r.logId,
    time: r.time?.local ?? null,
    dst: r.time?.dstOffsetMinutes ?? null,
    values: columns.flatMap((c) => {
      const v = r.values.get(c.id);
      return v === undefined ? [] : [{ id: c.id, value: v.numeric ? new RawNumber(v.text) : v.text, unit: v.unit }];
    }),
  }));
  const { logger, source, serial, oldestLogId, newestLogId, missing } = meta;
  return { logger, source, ...(serial ? { serial } : {}), oldestLogId, newestLogId, registers, missing, entries };
}
