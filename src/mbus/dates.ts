/**
 * Date and time types (EN 13757-3 Annex A; mbus-protocol.md §6): G (date, 2 bytes), F (date and time,
 * 4 bytes), I (date and time with seconds, 6 bytes), J (time of day, 3 bytes). Text is ISO 8601 local time
 * (no zone: the meter's clock; SU says whether summer time applies). Periodic fields ("every": day 0,
 * month 15, year 127, hour 31, minute/second 63) are written as X digits, the ISO 8601-2 unspecified-digit
 * notation ("XXXX-03-01" = every 1 March), and flagged.
 */

import { toHex } from '../core/hex.js';
import { MbusError } from './errors.js';

export type DateKind = 'date' | 'datetime' | 'time';

export type DateRead = { ok: true; kind: DateKind; text: string; summerTime?: boolean; periodic?: string } | { ok: false; why: string };

/** The type a data field carries with VIF 6C / 6D: 2 → G, 3 → J, 4 → F, 6 → I. */
export function dateType(dataField: number): 'G' | 'J' | 'F' | 'I' | undefined {
  return ({ 2: 'G', 3: 'J', 4: 'F', 6: 'I' } as const)[dataField as 2 | 3 | 4 | 6];
}

const pad = (n: number): string => String(n).padStart(2, '0');

class Fields {
  readonly parts: string[] = [];
  readonly periodic: string[] = [];
  bad: string | undefined;

  /** A field that is `every` at `all`, must lie in [min, max] otherwise. */
  add(what: string, v: number, all: number, min: number, max: number, width = 2): number | undefined {
    if (v === all) {
      this.parts.push('X'.repeat(width));
      this.periodic.push(`every ${what}`);
      return undefined;
    }
    if (v < min || v > max) this.bad ??= `${what} ${v}`;
    this.parts.push(width === 4 ? String(v) : pad(v));
    return v;
  }
}

/** Year 0–80 → 2000–2080, 81–99 → 1981–1999 (Table A.5 compatibility rule); with a hundred-year field
 * 1900 + 100·hy + year, except hundred-year 0 with year ≤ 80 → 2000 + year. */
function fullYear(year7: number, hundred?: number): number {
  if (year7 > 99) return -1;
  if (hundred === undefined || hundred === 0) return year7 <= 80 ? 2000 + year7 : 1900 + year7;
  return 1900 + 100 * hundred + year7;
}

function daysIn(year: number | undefined, month: number | undefined): number {
  if (month === undefined) return 31;
  if (month === 2) return year === undefined || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The date part of types G, F and I: day (b0 bits 4–0), month (b1 bits 3–0), year (b1 7–4, b0 7–5). */
function datePart(f: Fields, b0: number, b1: number, hundred?: number): void {
  const year7 = ((b1 >> 4) << 3) | (b0 >> 5);
  const yearValue = year7 === 127 ? 127 : fullYear(year7, hundred);
  if (yearValue < 0) f.bad ??= `year ${year7}`;
  const year = f.add('year', yearValue, 127, 1900, 2399, 4);
  const month = f.add('month', b1 & 0x0f, 15, 1, 12);
  f.add('day', b0 & 0x1f, 0, 1, daysIn(year, month));
}

function result(f: Fields, kind: DateKind, bytes: Uint8Array, summerTime?: boolean): DateRead {
  if (f.bad) return { ok: false, why: `invalid ${kind}: ${f.bad} in ${toHex(bytes)}` };
  const [y = '', mo = '', d = '', ...time] = f.parts;
  const text = kind === 'time' ? f.parts.join(':') : kind === 'date' ? `${y}-${mo}-${d}` : `${y}-${mo}-${d}T${time.join(':')}`;
  return {
    ok: true,
    kind,
    text,
    ...(summerTime === undefined ? {} : { summerTime }),
    ...(f.periodic.length > 0 ? { periodic: f.periodic.join(', ') } : {}),
  };
}

export function decodeDate(dataField: number, bytes: Uint8Array): DateRead {
  const b = (i: number): number => bytes[i] ?? 0;
  const type = dateType(dataField);
  const f = new Fields();
  switch (type) {
    case 'G':
      if (b(0) === 0xff && b(1) === 0xff) return { ok: false, why: 'no date (FF FF)' };
      datePart(f, b(0), b(1));
      return result(f, 'date', bytes);
    case 'F':
      if (b(0) & 0x80) return { ok: false, why: `time invalid (IV bit set) in ${toHex(bytes)}` };
      datePart(f, b(2), b(3), (b(1) >> 5) & 0x03);
      f.add('hour', b(1) & 0x1f, 31, 0, 23);
      f.add('minute', b(0) & 0x3f, 63, 0, 59);
      return result(f, 'datetime', bytes, (b(1) & 0x80) !== 0);
    case 'I':
      if (b(1) & 0x80) return { ok: false, why: `time invalid (IV bit set) in ${toHex(bytes)}` };
      datePart(f, b(3), b(4));
      f.add('hour', b(2) & 0x1f, 31, 0, 23);
      f.add('minute', b(1) & 0x3f, 63, 0, 59);
      f.add('second', b(0) & 0x3f, 63, 0, 59);
      return result(f, 'datetime', bytes, (b(0) & 0x40) !== 0);
    case 'J':
      f.add('hour', b(2) & 0x1f, 31, 0, 23);
      f.add('minute', b(1) & 0x3f, 63, 0, 59);
      f.add('second', b(0) & 0x3f, 63, 0, 59);
      return result(f, 'time', bytes);
    default:
      return { ok: false, why: `data field ${dataField} is not a date or time (types G, J, F, I have 2, 3, 4, 6)` };
  }
}

const DATE = '(\\d{4}|XXXX)-(\\d{2}|XX)-(\\d{2}|XX)';
const PATTERNS = {
  G: new RegExp(`^${DATE}$`),
  F: new RegExp(`^${DATE}T(\\d{2}|XX):(\\d{2}|XX)$`),
  I: new RegExp(`^${DATE}T(\\d{2}|XX):(\\d{2}|XX):(\\d{2}|XX)$`),
  J: /^(\d{2}|XX):(\d{2}|XX):(\d{2}|XX)$/,
} as const;

/** Encodes ISO text (as decodeDate writes it, X digits = every) in the type the data field calls for. */
export function encodeDate(dataField: number, text: string, summerTime = false): Uint8Array {
  const type = dateType(dataField);
  const m = type ? PATTERNS[type].exec(text) : null;
  if (!type || !m) throw new MbusError('MBUS_ENCODE', `"${text}" does not fit data field ${dataField} (G: 2, J: 3, F: 4, I: 6)`);
  const num = (i: number, all: number): number => (m[i]?.startsWith('X') ? all : Number(m[i]));
  if (type === 'J') return checked(dataField, text, summerTime, Uint8Array.of(num(3, 63) & 0x3f, num(2, 63) & 0x3f, num(1, 31) & 0x1f));
  const year = num(1, 127);
  let hundred = 0;
  let year7 = 127;
  if (year !== 127) {
    const limit = type === 'F' ? 2299 : 2080;
    if (year < 1981 || year > limit) throw new MbusError('MBUS_ENCODE', `year ${year} cannot be sent in type ${type} (1981–${limit})`);
    hundred = type === 'F' ? Math.floor((year - 1900) / 100) : 0;
    year7 = type === 'F' ? (year - 1900) % 100 : year % 100;
  }
  const d0 = ((year7 & 0x07) << 5) | (num(3, 0) & 0x1f);
  const d1 = ((year7 >> 3) << 4) | (num(2, 15) & 0x0f);
  if (type === 'G') return checked(dataField, text, summerTime, Uint8Array.of(d0, d1));
  const hour = num(4, 31) & 0x1f;
  if (type === 'F') {
    return checked(dataField, text, summerTime, Uint8Array.of(num(5, 63) & 0x3f, (summerTime ? 0x80 : 0) | (hundred << 5) | hour, d0, d1));
  }
  const i0 = (summerTime ? 0x40 : 0) | (num(6, 63) & 0x3f);
  return checked(dataField, text, summerTime, Uint8Array.of(i0, num(5, 63) & 0x3f, hour, d0, d1, 0));
}

/** Out-of-range fields (month 13, 30 February) would not read back: refuse them. */
function checked(dataField: number, text: string, summerTime: boolean, bytes: Uint8Array): Uint8Array {
  const back = decodeDate(dataField, bytes);
  if (!back.ok || back.text !== text) throw new MbusError('MBUS_ENCODE', `"${text}" is not a valid date or time`);
  if (summerTime && !back.summerTime) throw new MbusError('MBUS_ENCODE', `type ${String(dateType(dataField))} has no summer-time flag`);
  return bytes;
}
