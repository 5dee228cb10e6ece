/**
 * Time stamps of log entries from the meter's own clock (kmp-loggers.md, "Time stamps in log entries"):
 * register 348 with unit 79 (`yy:mm:dd hh:mm:ss` with a summer-time offset byte), or 1003 (date, unit 48,
 * digits yymmdd) with 1002 (clock, unit 47, digits hhmmss), or 1003 alone (the date at 00:00).
 *
 * Why a local time without zone: unit 79's bytes 1–6 hold standard (winter) time and byte 0 the minutes
 * to add for summer time; the meter's time zone is configuration and is not in the value. Writing the
 * offset as `+01:00` would claim standard time is UTC, which is wrong for a Danish meter (CET = UTC+1).
 * So `local` is the wall clock (standard + offset, what Kamstrup's LogView shows), `standard` the stored
 * fields, and the offset and a summer-time flag are kept beside them; a sink that knows the zone converts.
 * 1003/1002 carry no summer-time information: whether 1002 is wall or standard time is not known.
 */
import type { RegisterRecord } from './app.js';
import { KmpError } from './errors.js';
import { UNIT_DATETIME, UNIT_HHMMSS, UNIT_YYMMDD } from './format.js';
import { mantissaToBigInt } from './value.js';

export const REGISTER_DATETIME = 348;
export const REGISTER_DATE = 1003;
export const REGISTER_CLOCK = 1002;

export interface MeterTimestamp {
  /** Wall-clock time, ISO 8601 without zone: `2016-06-30T15:48:55`. */
  local: string;
  /** The standard time the meter stored (equals `local` when the offset is 0 or unknown). */
  standard: string;
  /** Summer-time offset in minutes from unit 79; undefined for 1003/1002, which carry none. */
  dstOffsetMinutes: number | undefined;
  /** true when the unit-79 offset is not 0; undefined when unknown. */
  summerTime: boolean | undefined;
  source: 'datetime' | 'date+clock' | 'date';
}

/** A date and a time of day as plain numbers, the year in full. */
export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Unit 79: dst, yy, mm, dd, hh, mi, ss as plain binary bytes; standard time + dst minutes = wall clock. */
export function decodeDateTime79(mantissa: Uint8Array): MeterTimestamp {
  if (mantissa.length !== 7) {
    throw new KmpError('KMP_BAD_RECORD', `a unit-79 date-time has 7 mantissa bytes, not ${mantissa.length}`, {
      expected: '7 bytes',
      actual: mantissa,
    });
  }
  const [dst, yy, month, day, hour, minute, second] = mantissa as unknown as [number, number, number, number, number, number, number];
  const fields = { year: 2000 + yy, month, day, hour, minute, second };
  const standard = iso(fields, 0, mantissa);
  return { local: iso(fields, dst, mantissa), standard, dstOffsetMinutes: dst, summerTime: dst !== 0, source: 'datetime' };
}

/** Unit 48 (yy:mm:dd) as decimal digits of the integer mantissa: 260101 → 2026-01-01. */
export function dateDigits(rec: RegisterRecord): { year: number; month: number; day: number } {
  const n = digits(rec, UNIT_YYMMDD, 'date');
  return { year: 2000 + Math.floor(n / 10000), month: Math.floor(n / 100) % 100, day: n % 100 };
}

/** Unit 47 (hh:mm:ss) as decimal digits of the integer mantissa: 191947 → 19:19:47. */
export function clockDigits(rec: RegisterRecord): { hour: number; minute: number; second: number } {
  const n = digits(rec, UNIT_HHMMSS, 'clock');
  return { hour: Math.floor(n / 10000), minute: Math.floor(n / 100) % 100, second: n % 100 };
}

/**
 * The time stamp of one log entry (or GetRegister reply): 348 if present, else 1003 with 1002, else 1003
 * at 00:00; undefined when none of them is there. Yearly and monthly entries of the 303/403/603/803 are
 * stamped 00:00 on the target date (MC403 TD §3.5). Throws KmpError for a value that is no valid time.
 */
export function entryTimestamp(records: readonly RegisterRecord[]): MeterTimestamp | undefined {
  const byId = (id: number): RegisterRecord | undefined => records.find((r) => r.id === id);
  const dt = byId(REGISTER_DATETIME);
  if (dt !== undefined) {
    if (dt.unitCode !== UNIT_DATETIME) throw wrongUnit(dt, UNIT_DATETIME);
    return decodeDateTime79(dt.mantissa);
  }
  const date = byId(REGISTER_DATE);
  if (date === undefined) return undefined;
  const clock = byId(REGISTER_CLOCK);
  const time = clock === undefined ? { hour: 0, minute: 0, second: 0 } : clockDigits(clock);
  const at = iso({ ...dateDigits(date), ...time }, 0, date.mantissa);
  return { local: at, standard: at, dstOffsetMinutes: undefined, summerTime: undefined, source: clock ? 'date+clock' : 'date' };
}

function digits(rec: RegisterRecord, unit: number, what: string): number {
  if (rec.unitCode !== unit) throw wrongUnit(rec, unit);
  if (rec.siex !== 0) {
    throw new KmpError('KMP_BAD_RECORD', `register ${rec.id}: a ${what} with SIEX ${rec.siex}, 0 expected`, {
      expected: 0,
      actual: rec.siex,
    });
  }
  const n = mantissaToBigInt(rec.mantissa);
  if (n > 999999n) throw new KmpError('KMP_BAD_RECORD', `register ${rec.id}: ${n} has more than 6 digits for a ${what}`);
  return Number(n);
}

function wrongUnit(rec: RegisterRecord, unit: number): KmpError {
  return new KmpError('KMP_BAD_RECORD', `register ${rec.id} has unit ${rec.unitCode}, ${unit} expected for a time stamp`, {
    expected: unit,
    actual: rec.unitCode,
  });
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * ISO 8601 local time of the fields plus `plusMinutes` (carried into hours, days, months, years).
 * 24:00:00 is accepted as the end of the day (the 402/602/801 convention) and written as 00:00 next day.
 */
function iso(f: DateTimeFields, plusMinutes: number, raw: Uint8Array): string {
  const leap = f.year % 4 === 0 && (f.year % 100 !== 0 || f.year % 400 === 0);
  const maxDay = f.month === 2 && !leap ? 28 : (DAYS[f.month - 1] ?? 0);
  const endOfDay = f.hour === 24 && f.minute === 0 && f.second === 0;
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > maxDay || (f.hour > 23 && !endOfDay) || f.minute > 59 || f.second > 59) {
    const text = `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}:${f.second}`;
    throw new KmpError('KMP_BAD_RECORD', `${text} is not a valid date and time`, { actual: raw });
  }
  // Date.UTC only as a calendar: the result is read back in UTC, so no time zone of this machine enters.
  const ms = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute + plusMinutes, f.second);
  return new Date(ms).toISOString().slice(0, 19);
}
