import type { Context } from './context.js';
import type { RegisterReadResult } from '../meter/client.js';
import { formatRecord } from '../kmp/format.js';
import { registerName } from '../kmp/registers.js';
import { RawNumber, stringifyJson } from '../core/json.js';
import { ExitCode, type ExitCodeValue } from '../core/errors.js';

export interface Row {
  id: number;
  name: string;
  /** Value text; undefined when the register was not read. */
  value: string | undefined;
  numeric: boolean;
  unit: string;
  note?: string;
}

/** Rows in the order asked for (each id once), whether read, left out by the meter, or failed. */
export function rowsFor(ids: readonly number[], result: RegisterReadResult): Row[] {
  const failed = new Map<number, string>();
  for (const f of result.failed) for (const id of f.ids) failed.set(id, f.error.message);
  return [...new Set(ids)].map((id) => {
    const rec = result.records.get(id);
    if (rec) {
      const f = formatRecord(rec);
      return { id, name: registerName(id), value: f.text, numeric: f.numeric, unit: f.unit };
    }
    const note = failed.has(id) ? 'not read' : 'not reported by the meter';
    return { id, name: registerName(id), value: undefined, numeric: false, unit: '', note };
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
  const cells = rows.map((r) => [String(r.id), r.name, r.value ?? `(${r.note ?? 'not read'})`, r.unit]);
  const t = alignColumns([idHeader, 'Register', 'Value', 'Unit'], cells, new Set([0, 2]));
  const out = [ctx.out.bold(t.header)];
  rows.forEach((r, i) => out.push(r.value === undefined ? ctx.out.yellow(t.lines[i]!) : t.lines[i]!));
  return out.join('\n') + '\n';
}

/** `{"registers":[{"id","name","value","unit"}…],"missing":[ids]}`; `errors` only when a request failed. */
export function registersJson(rows: Row[], result: RegisterReadResult): string {
  return stringifyJson(registersDoc(rows, result)) + '\n';
}

export function registersDoc(rows: Row[], result: RegisterReadResult): Record<string, unknown> {
  const registers = rows
    .filter((r) => r.value !== undefined)
    .map((r) => ({ id: r.id, name: r.name, value: r.numeric ? new RawNumber(r.value!) : r.value, unit: r.unit }));
  const failedIds = new Set(result.failed.flatMap((f) => f.ids));
  const missing = rows.filter((r) => r.value === undefined && !failedIds.has(r.id)).map((r) => r.id);
  const doc: Record<string, unknown> = { registers, missing };
  if (result.failed.length > 0) {
    doc.errors = result.failed.map((f) => ({ registers: f.ids, code: f.error.code, message: f.error.message }));
  }
  return doc;
}

export function reportFailures(ctx: Context, result: RegisterReadResult): ExitCodeValue {
  const seen = new Set<string>();
  for (const f of result.failed) {
    // A request not sent because the meter had stopped answering adds nothing to the line that says so.
    if (seen.has(f.error.message) || f.error.fields.skipped === true) continue;
    seen.add(f.error.message);
    ctx.io.stderr(ctx.err.red(`error: ${f.error.message}`) + '\n');
  }
  return result.failed.length > 0 ? ExitCode.meter : ExitCode.ok;
}
