/** Readings as people and programs see them: an aligned table, or one JSON object with exact numbers. */
import { RawNumber, stringifyJson } from '../core/json.js';
import type { Reading, ReadResult } from '../core/reading.js';
import { registerName } from '../kmp/registers.js';
import type { Context } from './context.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

export interface Row {
  id: number;
  name: string;
  /** Value text; undefined when the register was not read. */
  value: string | undefined;
  numeric: boolean;
  unit: string;
  note?: string;
  /** An info code's named flags. */
  flags?: string[];
}

/** An info code as people read it: `260 (LOW_BATTERY_LEVEL, FLOW_SENSOR_WEAK_OR_AIR)`. */
export function withFlags(text: string, flags: readonly string[] | undefined): string {
  return flags && flags.length > 0 ? `${text} (${flags.join(', ')})` : text;
}

/** An info code in JSON: `{"value": 260, "flags": ["LOW_BATTERY_LEVEL", …]}`; any other value as itself. */
export function jsonValue(text: string, numeric: boolean, flags: readonly string[] | undefined): unknown {
  const value = numeric ? new RawNumber(text) : text;
  return flags ? { value, flags } : value;
}

/** Rows in the order asked for (each id once), whether read, left out by the meter, or failed. */
export function rowsFor(ids: readonly number[], result: ReadResult): Row[] {
  const failed = new Set(result.failed.flatMap((f) => f.registers));
  return [...new Set(ids)].map((id) => {
    const r = result.readings.get(id);
    if (r)
      return {
        id,
        name: r.name,
        value: r.text,
        numeric: r.value !== undefined,
        unit: r.unit,
        ...(r.flags ? { flags: r.flags.map((f) => f.name) } : {}),
      };
    return {
      id,
      name: registerName(id),
      value: undefined,
      numeric: false,
      unit: '',
      note: failed.has(id) ? 'not read' : 'not reported by the meter',
    };
  });
}

/** Aligned columns, two spaces apart; the columns in `right` are right-aligned (numbers). */
export function alignColumns(header: string[], cells: string[][], right: ReadonlySet<number>): { header: string; lines: string[] } {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string =>
    c
      .map((s, i) => (right.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return { header: line(header), lines: cells.map(line) };
}

export function renderTable(ctx: Context, rows: Row[], idHeader = 'ID'): string {
  const cells = rows.map((r) => [
    String(r.id),
    r.name,
    r.value === undefined ? `(${r.note ?? 'not read'})` : withFlags(r.value, r.flags),
    r.unit,
  ]);
  const t = alignColumns([idHeader, 'Register', 'Value', 'Unit'], cells, new Set([0, 2]));
  const out = [ctx.out.bold(t.header)];
  rows.forEach((r, i) => out.push(r.value === undefined ? ctx.out.yellow(t.lines[i]!) : t.lines[i]!));
  return out.join('\n') + '\n';
}

/** `{"registers":[{"id","name","value","unit"}…],"missing":[ids]}`; `errors` only when a request failed. */
export function registersDoc(rows: Row[], result: ReadResult): Record<string, unknown> {
  const registers = rows
    .filter((r) => r.value !== undefined)
    .map((r) => ({ id: r.id, name: r.name, value: jsonValue(r.value!, r.numeric, r.flags), unit: r.unit }));
  const failedIds = new Set(result.failed.flatMap((f) => f.registers));
  const missing = rows.filter((r) => r.value === undefined && !failedIds.has(r.id)).map((r) => r.id);
  const doc: Record<string, unknown> = { registers, missing };
  if (result.failed.length > 0) {
    doc.errors = result.failed.map((f) => ({ registers: f.registers, code: f.error.code, message: f.error.message }));
  }
  return doc;
}

export function registersJson(rows: Row[], result: ReadResult): string {
  return stringifyJson(registersDoc(rows, result)) + '\n';
}

/** One line per failed request (a batch not sent because the meter had stopped answering adds nothing). */
export function reportFailures(ctx: Context, result: ReadResult): ExitCodeValue {
  const seen = new Set<string>();
  for (const f of result.failed) {
    if (seen.has(f.error.message) || f.error.fields.skipped === true) continue;
    seen.add(f.error.message);
    ctx.error(f.error.message);
  }
  return result.failed.length > 0 ? ExitCode.meter : ExitCode.ok;
}

/** Every reading of an M-Bus readout, in the meter's order: the register id where there is one. */
export function renderRecords(ctx: Context, readings: readonly Reading[]): string {
  const cells = readings.map((r) => [r.register === undefined ? '' : String(r.register), r.name, r.text, r.unit]);
  const t = alignColumns(['ID', 'Record', 'Value', 'Unit'], cells, new Set([0]));
  return [ctx.out.bold(t.header), ...t.lines].join('\n') + '\n';
}
