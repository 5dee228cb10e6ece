/**
 * Encoding records and RSP_UD telegrams (EN 13757-3 records, EN 13757-2 long frame) for the simulator and
 * for round-trip tests: the inverse of records.ts and telegram.ts. A value is given as decodeTelegram
 * reports it — in the KMP unit, exact — and must be a whole number of the VIF's steps.
 */

import { Decimal } from '../core/decimal.js';
import { fromHex, toHex } from '../core/hex.js';
import { encodeDate } from './dates.js';
import { DataField, SpecialDif, encodeDib, fixedLength, isBcd, isInteger, readDib, type DibInput } from './dif.js';
import { MbusError } from './errors.js';
import { Ci, encodeHeader, encodeShortHeader, type HeaderInput } from './header.js';
import { Control, encodeFrame } from './link.js';
import { encodeReal } from './real.js';
import type { MbusValue } from './record-value.js';
import { fromReported } from './units.js';
import { encodeBcd, encodeInt, encodeLvarText, lvarByte } from './values.js';
import { readVib, vifMeaning, type VifMeaning } from './vif.js';

export interface RecordInput {
  /** Hex of DIF and DIFEs ("04", "84 80 40"), their bytes, or the fields. */
  dif: string | Uint8Array | DibInput;
  /** Hex of VIF and VIFEs ("06", "86 3C", "FD 17", "FF 22"), or their bytes. */
  vif: string | Uint8Array;
  value: MbusValue;
  /** Only for a plain-text VIF (7C / FC): the unit text, as decodeRecords reports it. Ignored otherwise. */
  unit?: string;
}

export interface EncodeContext {
  /** VIF FF codes mean Kamstrup's only for "KAM" (as when decoding). */
  manufacturer?: string | undefined;
  msbFirst?: boolean;
}

const bytesOf = (v: string | Uint8Array): Uint8Array => {
  if (v instanceof Uint8Array) return v;
  try {
    return fromHex(v);
  } catch (e) {
    throw new MbusError('MBUS_ENCODE', `"${v}" is not hex`, { cause: e });
  }
};

export function encodeRecord(rec: RecordInput, ctx: EncodeContext = {}): Uint8Array {
  const difBytes = typeof rec.dif === 'string' || rec.dif instanceof Uint8Array ? bytesOf(rec.dif) : encodeDib(rec.dif);
  const d = readDib(difBytes, 0);
  if (!d.ok || d.next !== difBytes.length || ((difBytes[0] ?? 0) & 0x0f) === DataField.SPECIAL) {
    throw new MbusError('MBUS_ENCODE', `DIF ${toHex(difBytes)} is not one data information block`);
  }
  let vibBytes = bytesOf(rec.vif);
  if (((vibBytes[0] ?? 0) & 0x7f) === 0x7c) vibBytes = Uint8Array.from([...vibBytes, ...plainText(rec.unit ?? '')]);
  const v = readVib(vibBytes, 0);
  if (!v.ok || v.next !== vibBytes.length) throw new MbusError('MBUS_ENCODE', `VIF ${toHex(vibBytes)} is not one value information block`);
  const meaning = vifMeaning(v.vib, ctx.manufacturer);
  let data = encodeData(d.dib.dataField, rec.value, meaning);
  // MSB first (CI 0x76) turns numbers and dates round; opaque bytes are given, and sent, in wire order.
  if (ctx.msbFirst && d.dib.dataField !== DataField.LVAR && rec.value.kind !== 'bytes') data = data.slice().reverse();
  return Uint8Array.from([...difBytes, ...vibBytes, ...data]);
}

function plainText(text: string): Uint8Array {
  const t = encodeLvarText(text);
  if (t.length > 0xff) throw new MbusError('MBUS_ENCODE', 'a plain-text unit has at most 255 characters');
  return Uint8Array.from([t.length, ...t]);
}

function encodeData(df: number, value: MbusValue, meaning: VifMeaning): Uint8Array {
  const fixed = fixedLength(df);
  switch (value.kind) {
    case 'number':
      if (meaning.kind !== 'value') throw new MbusError('MBUS_ENCODE', `a number cannot be sent for a ${meaning.quantity} VIF`);
      return encodeNumber(df, value.value, meaning);
    case 'date':
    case 'datetime':
    case 'time':
      if (meaning.kind !== 'date') throw new MbusError('MBUS_ENCODE', `a ${value.kind} needs a date/time VIF, not ${meaning.quantity}`);
      return encodeDate(df, value.text, value.summerTime ?? false);
    case 'text': {
      if (df !== DataField.LVAR) throw new MbusError('MBUS_ENCODE', 'text needs data field D (LVAR)');
      const t = encodeLvarText(value.text);
      return Uint8Array.from([lvar({ kind: 'text', length: t.length }), ...t]);
    }
    case 'bytes': {
      const b = bytesOf(value.hex);
      if (df === DataField.LVAR) return Uint8Array.from([lvar({ kind: b.length <= 0xbf ? 'text' : 'binary', length: b.length }), ...b]);
      if (b.length !== fixed) throw new MbusError('MBUS_ENCODE', `data field ${df} holds ${String(fixed)} bytes, not ${b.length}`);
      return b;
    }
    default:
      throw new MbusError('MBUS_ENCODE', `an invalid value (${value.why}) cannot be encoded: give its bytes instead`);
  }
}

function lvar(form: Parameters<typeof lvarByte>[0]): number {
  const b = lvarByte(form);
  if (b === undefined) throw new MbusError('MBUS_ENCODE', `no LVAR code for ${form.kind} of this length`);
  return b;
}

function encodeNumber(df: number, value: Decimal, meaning: VifMeaning): Uint8Array {
  const inMbusUnit = meaning.plainText ? value : fromReported(value, meaning.unit);
  if (inMbusUnit === undefined) throw new MbusError('MBUS_ENCODE', `${value.toString()} cannot be written in ${meaning.unit} exactly`);
  const raw = inMbusUnit.shift(-(meaning.exponent + meaning.effect.shift));
  if (df === DataField.REAL32) return encodeReal(raw);
  const whole = wholeOf(raw);
  if (whole === undefined) {
    const step = Decimal.of(1n, meaning.exponent + meaning.effect.shift).toString();
    throw new MbusError('MBUS_ENCODE', `${value.toString()} is not a whole number of steps of ${step} ${meaning.unit}`);
  }
  if (isInteger(df)) return encodeInt(whole, fixedLength(df) ?? 0);
  if (isBcd(df)) return encodeBcd(whole, fixedLength(df) ?? 0);
  if (df === DataField.LVAR) {
    let n = 1;
    while (whole < -(1n << BigInt(8 * n - 1)) || whole >= 1n << BigInt(8 * n - 1)) n++;
    return Uint8Array.from([lvar({ kind: 'binary', length: n }), ...encodeInt(whole, n)]);
  }
  throw new MbusError('MBUS_ENCODE', `data field ${df} carries no number`);
}

function wholeOf(d: Decimal): bigint | undefined {
  if (d.exponent >= 0) return d.coefficient * 10n ** BigInt(d.exponent);
  const p = 10n ** BigInt(-d.exponent);
  return d.coefficient % p === 0n ? d.coefficient / p : undefined;
}

export interface TelegramInput {
  address: number;
  /** RSP_UD, 0x08 unless given (0x18, 0x28, 0x38 with DFC/ACD). */
  control?: number;
  /** 0x72 with a header, 0x7A with a short header, 0x78 with neither; 0x76 sends the header MSB first. */
  ci?: number;
  header?: HeaderInput;
  shortHeader?: { accessNumber: number; status?: number; signature?: number };
  /** Without a long header (CI 78, 7A): the manufacturer whose VIF FF codes the records use. */
  manufacturer?: string;
  /** Records, or bytes sent as they are (fillers, a record the encoder does not know). */
  records: ReadonlyArray<RecordInput | Uint8Array>;
  moreFollows?: boolean;
  manufacturerData?: Uint8Array;
}

/** The whole long frame of a RSP_UD. */
export function encodeTelegram(t: TelegramInput): Uint8Array {
  const ci = t.ci ?? (t.header ? Ci.VARIABLE : t.shortHeader ? Ci.SHORT_HEADER : Ci.NO_HEADER);
  const msbFirst = ci === Ci.VARIABLE_MSB;
  let head: Uint8Array;
  if (ci === Ci.VARIABLE || ci === Ci.VARIABLE_MSB) {
    if (!t.header) throw new MbusError('MBUS_ENCODE', `CI ${ci.toString(16)} needs a header`);
    head = encodeHeader(t.header, msbFirst);
  } else if (ci === Ci.SHORT_HEADER) {
    if (!t.shortHeader) throw new MbusError('MBUS_ENCODE', 'CI 7A needs a short header');
    head = encodeShortHeader(t.shortHeader);
  } else if (ci === Ci.NO_HEADER) head = new Uint8Array(0);
  else throw new MbusError('MBUS_ENCODE', `CI ${ci.toString(16)}: only 72, 76, 78 and 7A telegrams are encoded`);
  const ctx: EncodeContext = { manufacturer: t.header?.manufacturer ?? t.manufacturer, msbFirst };
  const parts: number[] = [...head];
  for (const r of t.records) parts.push(...(r instanceof Uint8Array ? r : encodeRecord(r, ctx)));
  if (t.moreFollows) parts.push(SpecialDif.MORE_FOLLOWS);
  else if (t.manufacturerData) parts.push(SpecialDif.MANUFACTURER);
  if (t.manufacturerData) parts.push(...t.manufacturerData);
  return encodeFrame({ kind: 'long', control: t.control ?? Control.RSP_UD, address: t.address, ci, data: Uint8Array.from(parts) });
}
