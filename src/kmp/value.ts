/**
 * KMP float codec: LEN | SIEX | MANTISSA[LEN]. SIEX bit 7 is the sign of the value, bit 6 the sign of
 * the exponent, bits 5–0 the exponent. value = (−1)^bit7 × mantissa × 10^(±exponent), kept exact.
 */
import { Decimal } from '../core/decimal.js';
import { KmpError } from './errors.js';

export interface EncodedValue {
  length: number;
  siex: number;
  mantissa: Uint8Array;
}

export function mantissaToBigInt(bytes: Uint8Array): bigint {
  let m = 0n;
  for (const b of bytes) m = (m << 8n) | BigInt(b);
  return m;
}

export function decodeValue(siex: number, mantissa: Uint8Array): Decimal {
  if (mantissa.length < 1) throw new KmpError('KMP_BAD_RECORD', 'value has an empty mantissa');
  const exponent = siex & 0x3f;
  const m = mantissaToBigInt(mantissa);
  return Decimal.of(siex & 0x80 ? -m : m, siex & 0x40 && exponent !== 0 ? -exponent : exponent);
}

/** Encodes exactly; `length` bytes of mantissa, or the smallest of 1, 2, 4, then any, that holds it. */
export function encodeValue(value: Decimal, length?: number): EncodedValue {
  let c = value.coefficient < 0n ? -value.coefficient : value.coefficient;
  let e = value.exponent;
  // Bring the exponent into the 6-bit range without losing digits.
  while (e > 63) {
    c *= 10n;
    e--;
  }
  while (e < -63 && c % 10n === 0n) {
    c /= 10n;
    e++;
  }
  if (e < -63) throw new KmpError('KMP_BAD_RECORD', `value ${value.toString()} needs an exponent below -63`);
  let bytes = 1;
  while (c >> BigInt(bytes * 8) !== 0n) bytes++;
  const len = length ?? (bytes <= 1 ? 1 : bytes <= 2 ? 2 : bytes <= 4 ? 4 : bytes);
  if (len < bytes || len > 255) {
    throw new KmpError('KMP_BAD_RECORD', `value ${value.toString()} does not fit in ${len} mantissa bytes`);
  }
  const mantissa = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    mantissa[i] = Number(c & 0xffn);
    c >>= 8n;
  }
  const siex = (value.coefficient < 0n ? 0x80 : 0) | (e < 0 ? 0x40 : 0) | Math.abs(e);
  return { length: len, siex, mantissa };
}
