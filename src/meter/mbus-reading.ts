/**
 * M-Bus records as protocol-independent readings (src/core/reading.ts; mbus-protocol.md §8): a record the
 * codec maps to a KMP register gets that register's name, so sinks see the same ids, names and units as
 * from a KMP meter; the others are named by quantity and qualifiers ("energy, storage 1"). Dates read as
 * KMP dates do (`2024-03-01`, unit yy:mm:dd); a date and time record (type F) also gives the Date register
 * 1003, and keeps its minute-resolution ISO text for 1002 (no seconds are invented).
 */
import type { Reading } from '../core/reading.js';
import { registerName } from '../kmp/registers.js';
import type { MbusRecord } from '../mbus/records.js';

const DATE_REGISTER = 1003;

/** One reading per record, in the telegram's order (ReadResult.all). */
export function recordReading(r: MbusRecord): Reading {
  const base = {
    register: r.register,
    name: r.register === undefined ? describeRecord(r) : registerName(r.register),
    quantity: r.quantity,
    storage: r.storage,
    tariff: r.tariff,
    subunit: r.subunit,
    function: r.function,
  };
  const v = r.value;
  switch (v.kind) {
    case 'number':
      return { ...base, value: v.value, text: v.value.toString(), unit: r.unit };
    case 'date':
      return { ...base, value: undefined, text: v.text, unit: 'yy:mm:dd' };
    case 'time':
      return { ...base, value: undefined, text: v.text, unit: 'hh:mm:ss' };
    case 'datetime':
      return { ...base, value: undefined, text: v.text, unit: '' };
    case 'text':
      return { ...base, value: undefined, text: v.text, unit: r.unit };
    case 'bytes':
      return { ...base, value: undefined, text: v.hex, unit: '' };
    case 'invalid':
      return { ...base, value: undefined, text: `(no value: ${v.why})`, unit: r.unit };
  }
}

/** Readings by register id: each mapped record once, and the Date (1003) of a date-and-time record. */
export function readingsByRegister(records: readonly MbusRecord[]): Map<number, Reading> {
  const out = new Map<number, Reading>();
  for (const r of records) {
    if (r.register === undefined) continue;
    out.set(r.register, recordReading(r));
  }
  for (const r of records) {
    if (r.register === undefined || r.value.kind !== 'datetime' || out.has(DATE_REGISTER)) continue;
    const date = r.value.text.slice(0, 10);
    out.set(DATE_REGISTER, {
      ...recordReading(r),
      register: DATE_REGISTER,
      name: registerName(DATE_REGISTER),
      text: date,
      unit: 'yy:mm:dd',
    });
  }
  return out;
}

/** "energy, storage 1", "volume, subunit 2", "volume flow, maximum, storage 2", "energy, backward flow". */
export function describeRecord(r: MbusRecord): string {
  const parts = [r.quantity];
  if (r.function !== 'instantaneous') parts.push(r.function === 'error' ? 'during error' : r.function);
  if (r.storage !== 0) parts.push(`storage ${r.storage}`);
  if (r.tariff !== 0) parts.push(`tariff ${r.tariff}`);
  if (r.subunit !== 0) parts.push(`subunit ${r.subunit}`);
  parts.push(...(r.vifeCodes ?? []));
  return parts.join(', ');
}
