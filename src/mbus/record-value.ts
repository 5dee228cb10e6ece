/**
 * One record's value from its data bytes, data field and VIF meaning (EN 13757-3 Annex A codings,
 * mbus-protocol.md §4–6): integers and BCD × 10^exponent × corrections as exact Decimals in the KMP unit,
 * reals as the shortest round-trip decimal, LVAR text and numbers, dates, and opaque bytes as hex.
 */

import { Decimal } from '../core/decimal.js';
import { toHex } from '../core/hex.js';
import { decodeDate, dateType } from './dates.js';
import { DataField, isBcd, isInteger, type Dib } from './dif.js';
import { decodeReal } from './real.js';
import { toReported, reportedUnit } from './units.js';
import { decodeBcd, decodeInt, decodeLvarText, type LvarForm } from './values.js';
import type { VifMeaning } from './vif.js';

export type MbusValue =
  | { kind: 'number'; value: Decimal }
  | { kind: 'date' | 'datetime' | 'time'; text: string; summerTime?: boolean }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; hex: string }
  | { kind: 'invalid'; why: string };

export interface ValueRead {
  value: MbusValue;
  unit: string;
  /** Something the record should be flagged for. */
  problem?: string;
}

/** The data as sent; for an LVAR record the bytes after the LVAR byte. */
export function decodeRecordValue(
  dib: Dib,
  lvar: LvarForm | undefined,
  data: Uint8Array,
  meaning: VifMeaning,
  msbFirst: boolean,
): ValueRead {
  const df = dib.dataField;
  // MSB-first telegrams (CI 0x76) send every fixed multi-byte field the other way round.
  const bytes = msbFirst && df !== DataField.LVAR ? data.slice().reverse() : data;
  const convert = meaning.kind === 'value' && !meaning.plainText;
  const unit = convert ? reportedUnit(meaning.unit) : meaning.unit;
  if (df === DataField.NONE) return { value: { kind: 'invalid', why: 'no data (data field 0)' }, unit };
  if (df === DataField.SELECTION) {
    const why = 'selection for readout (data field 8), sent only from master to slave';
    return { value: { kind: 'invalid', why }, unit, problem: why };
  }
  if (meaning.kind === 'opaque') return { value: { kind: 'bytes', hex: toHex(data) }, unit };
  if (meaning.kind === 'date') return dateValue(df, bytes, unit);
  const raw = rawNumber(df, lvar, bytes);
  if ('text' in raw) return { value: { kind: 'text', text: raw.text }, unit };
  if ('hex' in raw) return { value: { kind: 'bytes', hex: raw.hex }, unit };
  if ('why' in raw) return { value: { kind: 'invalid', why: raw.why }, unit, ...(raw.flag ? { problem: raw.why } : {}) };
  const scaled = raw.number.shift(meaning.exponent + meaning.effect.shift);
  return { value: { kind: 'number', value: convert ? toReported(scaled, meaning.unit) : scaled }, unit };
}

type Raw = { number: Decimal } | { text: string } | { hex: string } | { why: string; flag: boolean };

function rawNumber(df: number, lvar: LvarForm | undefined, bytes: Uint8Array): Raw {
  if (isInteger(df)) return { number: Decimal.of(decodeInt(bytes)) };
  if (df === DataField.REAL32) {
    const d = decodeReal(bytes);
    return d ? { number: d } : { why: `real ${toHex(bytes)} is not a number (NaN or infinity)`, flag: true };
  }
  if (isBcd(df)) return bcd(bytes, false);
  if (!lvar || lvar.kind === 'reserved') return { why: `data field ${df} has no value coding`, flag: true };
  if (lvar.kind === 'text') return { text: decodeLvarText(bytes) };
  if (lvar.kind === 'bcd') return bcd(bytes, lvar.negative);
  // Binary LVARs up to 8 bytes are integers like data fields 1–7; longer ones are kept as bytes.
  return lvar.length <= 8 ? { number: Decimal.of(decodeInt(bytes)) } : { hex: toHex(bytes) };
}

function bcd(bytes: Uint8Array, negative: boolean): Raw {
  const r = decodeBcd(bytes);
  if (!r.ok) return { why: r.why, flag: !r.noValue };
  return { number: Decimal.of(negative ? -r.value : r.value) };
}

function dateValue(df: number, bytes: Uint8Array, unit: string): ValueRead {
  if (dateType(df) === undefined) {
    const why = `data field ${df} is not a date or time type (G: 2, J: 3, F: 4, I: 6)`;
    return { value: { kind: 'invalid', why }, unit, problem: why };
  }
  const d = decodeDate(df, bytes);
  if (!d.ok) return { value: { kind: 'invalid', why: d.why }, unit, ...(d.why.startsWith('invalid') ? { problem: d.why } : {}) };
  const value: MbusValue = { kind: d.kind, text: d.text, ...(d.summerTime === undefined ? {} : { summerTime: d.summerTime }) };
  return { value, unit, ...(d.periodic ? { problem: `periodic ${d.kind}: ${d.periodic}` } : {}) };
}
