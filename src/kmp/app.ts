/** KMP application layer: command ids, request data and reply data (no framing, no I/O). */
import type { Decimal } from '../core/decimal.js';
import { KmpError } from './errors.js';
import { hex16 } from '../core/hex.js';
import { decodeValue, encodeValue } from './value.js';

export const Cid = {
  GetType: 0x01,
  GetSerialNo: 0x02,
  SetClock: 0x09,
  GetRegister: 0x10,
  PutRegister: 0x11,
} as const;

/** The CID of the MULTICAL 603 generation's logger commands (kmp-loggers.md; decoded in logger.ts). */
export const CID_LOGGER = 0xb8;

export const CID_NAMES: Readonly<Record<number, string>> = {
  0x01: 'GetType',
  0x02: 'GetSerialNo',
  0x09: 'SetClock',
  0x10: 'GetRegister',
  0x11: 'PutRegister',
};

export const MAX_REGISTERS_PER_REQUEST = 8;

/**
 * The longest mantissa a record may have: heat meters send 1, 2 or 4 bytes, dates 4 to 7, electricity
 * meters up to 9 or 10. A record claiming more (up to 255) is nonsense, even with a valid CRC.
 */
export const MAX_MANTISSA_BYTES = 16;

export interface MeterType {
  /** The 2-byte meter type, e.g. 0x0004. */
  type: number;
  /** Software revision like `F1`; `unknown` for 00 00. */
  revision: string;
}

export interface RegisterRecord {
  id: number;
  unitCode: number;
  value: Decimal;
  /** The raw mantissa: date, time and text units are read from its digits or bytes. */
  mantissa: Uint8Array;
  siex: number;
}

export function checkRegisterId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
    throw new KmpError('KMP_BAD_REQUEST', `register id ${id} is not between 0 and 65535`);
  }
}

export function encodeGetRegisterRequest(ids: readonly number[]): Uint8Array {
  if (ids.length < 1 || ids.length > MAX_REGISTERS_PER_REQUEST) {
    throw new KmpError('KMP_BAD_REQUEST', `GetRegister takes 1 to ${MAX_REGISTERS_PER_REQUEST} registers, not ${ids.length}`);
  }
  const out = new Uint8Array(1 + ids.length * 2);
  out[0] = ids.length;
  ids.forEach((id, i) => {
    checkRegisterId(id);
    out[1 + i * 2] = id >> 8;
    out[2 + i * 2] = id & 0xff;
  });
  return out;
}

export function decodeGetRegisterRequest(data: Uint8Array): number[] {
  const n = data[0];
  if (n === undefined || n < 1 || n > MAX_REGISTERS_PER_REQUEST || data.length !== 1 + n * 2) {
    throw new KmpError('KMP_BAD_REQUEST', 'GetRegister request data is malformed', { actual: data });
  }
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(((data[1 + i * 2] as number) << 8) | (data[2 + i * 2] as number));
  return ids;
}

export function decodeGetTypeReply(data: Uint8Array): MeterType {
  if (data.length !== 4) {
    throw new KmpError('KMP_BAD_REPLY', `GetType reply has ${data.length} data bytes, 4 expected`, { actual: data });
  }
  const type = ((data[0] as number) << 8) | (data[1] as number);
  const letter = data[2] as number;
  const number = data[3] as number;
  const revision = letter === 0 && number === 0 ? 'unknown' : revisionText(letter, number);
  return { type, revision };
}

function revisionText(letter: number, number: number): string {
  const l = letter >= 1 && letter <= 26 ? String.fromCharCode(64 + letter) : `?${letter}`;
  return `${l}${number}`;
}

export function encodeGetTypeReply(t: { type: number; letter: number; number: number }): Uint8Array {
  return Uint8Array.of(t.type >> 8, t.type & 0xff, t.letter, t.number);
}

export function decodeGetSerialNoReply(data: Uint8Array): number {
  if (data.length !== 4) {
    throw new KmpError('KMP_BAD_REPLY', `GetSerialNo reply has ${data.length} data bytes, 4 expected`, { actual: data });
  }
  return (((data[0] as number) << 24) >>> 0) + ((data[1] as number) << 16) + ((data[2] as number) << 8) + (data[3] as number);
}

export function encodeGetSerialNoReply(serial: number): Uint8Array {
  return Uint8Array.of((serial >>> 24) & 0xff, (serial >>> 16) & 0xff, (serial >>> 8) & 0xff, serial & 0xff);
}

/** Record: ID_hi ID_lo | UNIT | LEN | SIEX | MANTISSA[LEN]. */
export function decodeRegisterRecords(data: Uint8Array): RegisterRecord[] {
  const records: RegisterRecord[] = [];
  let i = 0;
  while (i < data.length) {
    if (data.length - i < 5) {
      throw new KmpError('KMP_BAD_RECORD', `register record cut short: ${data.length - i} bytes left, at least 5 needed`, {
        actual: data.subarray(i),
      });
    }
    const id = ((data[i] as number) << 8) | (data[i + 1] as number);
    const unitCode = data[i + 2] as number;
    const len = data[i + 3] as number;
    const siex = data[i + 4] as number;
    if (len < 1 || len > MAX_MANTISSA_BYTES) {
      throw new KmpError(
        'KMP_BAD_RECORD',
        `register ${hex16(id)} has mantissa length ${len}: no meter sends that (1 to ${MAX_MANTISSA_BYTES})`,
        {
          actual: data.subarray(i, i + 5),
        },
      );
    }
    if (i + 5 + len > data.length) {
      throw new KmpError('KMP_BAD_RECORD', `register ${hex16(id)} says ${len} mantissa bytes, only ${data.length - i - 5} follow`, {
        actual: data.subarray(i),
      });
    }
    const mantissa = data.slice(i + 5, i + 5 + len);
    records.push({ id, unitCode, siex, mantissa, value: decodeValue(siex, mantissa) });
    i += 5 + len;
  }
  return records;
}

export function encodeRegisterRecord(rec: { id: number; unitCode: number; value: Decimal; length?: number }): Uint8Array {
  checkRegisterId(rec.id);
  const v = encodeValue(rec.value, rec.length);
  const out = new Uint8Array(5 + v.length);
  out[0] = rec.id >> 8;
  out[1] = rec.id & 0xff;
  out[2] = rec.unitCode;
  out[3] = v.length;
  out[4] = v.siex;
  out.set(v.mantissa, 5);
  return out;
}

/** A record whose mantissa is raw bytes (date-time with unit 0x4F, ASCII text). */
export function encodeRawRecord(id: number, unitCode: number, mantissa: Uint8Array): Uint8Array {
  checkRegisterId(id);
  const out = new Uint8Array(5 + mantissa.length);
  out[0] = id >> 8;
  out[1] = id & 0xff;
  out[2] = unitCode;
  out[3] = mantissa.length;
  out[4] = 0;
  out.set(mantissa, 5);
  return out;
}
