/**
 * Byte-level helpers shared by the KMP logger codecs (CID B8 and A0–A3, kmp-loggers.md): a cursor that
 * reads big-endian fields and throws `KmpError` instead of reading past the end, range-checked writers,
 * and the conversion of a value to the mantissa of a fixed register format (later log entries carry only
 * mantissas; unit, LEN and SIEX come from the first entry).
 */
import type { Decimal } from '../core/decimal.js';
import type { RegisterRecord } from './app.js';
import { KmpError, type KmpErrorCode } from './errors.js';
import { decodeValue } from './value.js';

/** Unit, mantissa length and SIEX of one logged register, as the first entry (record) of a reply gives them. */
export interface LogRegisterFormat {
  id: number;
  unitCode: number;
  length: number;
  siex: number;
}

/** One logged value on the encoding side: the mantissa bytes as sent, or an exact value for the format's SIEX. */
export type LogValue = Decimal | Uint8Array;

export class ByteReader {
  private at = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
    private readonly code: KmpErrorCode = 'KMP_BAD_REPLY',
  ) {}

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.data.length - this.at;
  }

  bytes(n: number, field: string): Uint8Array {
    if (n > this.remaining) {
      throw new KmpError(this.code, `${this.what}: ${field} at offset ${this.at} needs ${n} bytes, ${this.remaining} left`, {
        expected: `${this.at + n} data bytes`,
        actual: `${this.data.length} data bytes`,
      });
    }
    const out = this.data.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  u8(field: string): number {
    return this.bytes(1, field)[0] as number;
  }

  u16(field: string): number {
    const b = this.bytes(2, field);
    return ((b[0] as number) << 8) | (b[1] as number);
  }

  u32(field: string): number {
    const b = this.bytes(4, field);
    return (b[0] as number) * 0x1000000 + (((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number));
  }

  /** Register id, unit, LEN, SIEX, mantissa: the full record of GetRegister (kmp-protocol.md). */
  record(field: string): RegisterRecord {
    const id = this.u16(`${field} register id`);
    const unitCode = this.u8(`${field} unit`);
    const length = this.u8(`${field} LEN`);
    const siex = this.u8(`${field} SIEX`);
    if (length < 1) {
      throw new KmpError('KMP_BAD_RECORD', `${this.what}: ${field} (register ${id}) has mantissa length 0`);
    }
    const mantissa = this.bytes(length, `${field} mantissa`).slice();
    return { id, unitCode, siex, mantissa, value: decodeValue(siex, mantissa) };
  }

  /** A later entry's value: only the mantissa, read with the first entry's format. */
  mantissaOf(format: LogRegisterFormat, field: string): RegisterRecord {
    const mantissa = this.bytes(format.length, field).slice();
    return { id: format.id, unitCode: format.unitCode, siex: format.siex, mantissa, value: decodeValue(format.siex, mantissa) };
  }

  /** A reply or request ends exactly here: trailing bytes are an error. */
  end(): void {
    if (this.remaining !== 0) {
      throw new KmpError(this.code, `${this.what}: ${this.remaining} trailing bytes`, {
        expected: `${this.at} data bytes`,
        actual: `${this.data.length} data bytes`,
      });
    }
  }
}

export function formatOf(rec: RegisterRecord): LogRegisterFormat {
  return { id: rec.id, unitCode: rec.unitCode, length: rec.mantissa.length, siex: rec.siex };
}

/** Unsigned big-endian integer of `size` bytes, range-checked; `what` names the field in the error. */
export function uint(value: number, size: 1 | 2 | 4, what: string, code: KmpErrorCode = 'KMP_BAD_REQUEST'): number[] {
  const max = size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new KmpError(code, `${what} ${value} is not an integer between 0 and ${max}`);
  }
  const out: number[] = [];
  for (let i = size - 1; i >= 0; i--) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return out;
}

/** The register records of a first entry: RID(2) UNIT LEN SIEX MANTISSA(LEN) per register. */
export function firstEntryBytes(formats: readonly LogRegisterFormat[], values: readonly LogValue[], what: string): number[] {
  checkValueCount(formats, values, what);
  const out: number[] = [];
  formats.forEach((f, i) => {
    out.push(...uint(f.id, 2, `${what}: register id`, 'KMP_BAD_RECORD'), ...uint(f.unitCode, 1, 'unit', 'KMP_BAD_RECORD'));
    out.push(...uint(f.length, 1, 'LEN', 'KMP_BAD_RECORD'), ...uint(f.siex, 1, 'SIEX', 'KMP_BAD_RECORD'));
    out.push(...mantissaFor(values[i] as LogValue, f));
  });
  return out;
}

/** The mantissas of a later entry, in the order of the first entry. */
export function laterEntryBytes(formats: readonly LogRegisterFormat[], values: readonly LogValue[], what: string): number[] {
  checkValueCount(formats, values, what);
  const out: number[] = [];
  formats.forEach((f, i) => out.push(...mantissaFor(values[i] as LogValue, f)));
  return out;
}

function checkValueCount(formats: readonly LogRegisterFormat[], values: readonly LogValue[], what: string): void {
  if (values.length !== formats.length) {
    throw new KmpError('KMP_BAD_RECORD', `${what}: ${values.length} values for ${formats.length} registers`);
  }
}

/**
 * The LEN mantissa bytes that stand for `value` under the format's SIEX. A later entry cannot change
 * sign or exponent (kmp-loggers.md, "Log readout reply"), so a value that needs another SIEX is refused.
 */
export function mantissaFor(value: LogValue, f: LogRegisterFormat): Uint8Array {
  if (f.length < 1) throw new KmpError('KMP_BAD_RECORD', `register ${f.id}: mantissa length 0`);
  if (value instanceof Uint8Array) {
    if (value.length !== f.length) {
      throw new KmpError('KMP_BAD_RECORD', `register ${f.id}: mantissa of ${value.length} bytes, LEN is ${f.length}`);
    }
    return value;
  }
  const e = f.siex & 0x40 && f.siex & 0x3f ? -(f.siex & 0x3f) : f.siex & 0x3f;
  let c = value.coefficient;
  if (value.exponent >= e) c *= 10n ** BigInt(value.exponent - e);
  else if (c % 10n ** BigInt(e - value.exponent) === 0n) c /= 10n ** BigInt(e - value.exponent);
  else throw badValue(value, f, 'has more digits than the exponent allows');
  if ((c < 0n && !(f.siex & 0x80)) || (c > 0n && f.siex & 0x80)) throw badValue(value, f, 'has the wrong sign');
  if (c < 0n) c = -c;
  const out = new Uint8Array(f.length);
  for (let i = f.length - 1; i >= 0; i--) {
    out[i] = Number(c & 0xffn);
    c >>= 8n;
  }
  if (c !== 0n) throw badValue(value, f, `does not fit in ${f.length} mantissa bytes`);
  return out;
}

function badValue(value: Decimal, f: LogRegisterFormat, why: string): KmpError {
  const siex = f.siex.toString(16).toUpperCase().padStart(2, '0');
  return new KmpError('KMP_BAD_RECORD', `register ${f.id}: value ${value.toString()} ${why} (SIEX ${siex})`);
}

/** Names of the set bits, lowest first; a bit without a name is `BIT_n`. */
export function flagNames(value: number, names: Readonly<Record<string, number>>, width: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < width; bit++) {
    const mask = 2 ** bit;
    if (Math.floor(value / mask) % 2 === 0) continue;
    out.push(Object.keys(names).find((n) => names[n] === mask) ?? `BIT_${bit}`);
  }
  return out;
}

/** A B8 reply echoes the subcommand of its request. */
export function checkSub(sub: number, allowed: readonly number[]): void {
  if (!allowed.includes(sub)) {
    throw new KmpError('KMP_COMMAND', `logger reply echoes subcommand ${sub}, ${allowed.join(' or ')} expected`, {
      expected: Uint8Array.from(allowed),
      actual: sub,
    });
  }
}
