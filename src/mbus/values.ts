/**
 * Data field codings (EN 13757-3 Annex A; mbus-protocol.md §4): type B integers (little-endian two's
 * complement, kept as BigInt so 64-bit counters stay exact), type A BCD (LSB first, F in the top nibble =
 * negative, all F = no value, any other A–F digit = invalid) and the LVAR forms of EN 13757-3:2018 Table 5.
 */

import { toHex } from '../core/hex.js';
import { MbusError } from './errors.js';

/** Little-endian two's complement of any length. */
export function decodeInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] ?? 0);
  if (bytes.length > 0 && ((bytes[bytes.length - 1] ?? 0) & 0x80) !== 0) v -= 1n << BigInt(8 * bytes.length);
  return v;
}

export function encodeInt(value: bigint, length: number): Uint8Array {
  const bits = BigInt(8 * length);
  const min = -(1n << (bits - 1n));
  const max = (1n << (bits - 1n)) - 1n;
  if (value < min || value > max) {
    throw new MbusError('MBUS_ENCODE', `${value} does not fit a ${8 * length}-bit signed integer (${min} … ${max})`);
  }
  let v = value < 0n ? value + (1n << bits) : value;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export type BcdRead = { ok: true; value: bigint } | { ok: false; why: string; noValue: boolean };

/** Type A: digits LSB byte first, high nibble the higher digit; F in the top nibble makes it negative. */
export function decodeBcd(bytes: Uint8Array): BcdRead {
  if (bytes.length === 0) return { ok: false, why: 'BCD without digits', noValue: false };
  if (bytes.every((b) => b === 0xff)) return { ok: false, why: 'no value (all digits F)', noValue: true };
  let value = 0n;
  let negative = false;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const b = bytes[i] ?? 0;
    for (const [nibble, top] of [
      [b >> 4, i === bytes.length - 1],
      [b & 0x0f, false],
    ] as const) {
      if (nibble <= 9) value = value * 10n + BigInt(nibble);
      else if (nibble === 0x0f && top) negative = true;
      else return { ok: false, why: `invalid BCD digit ${nibble.toString(16).toUpperCase()} in ${toHex(bytes)}`, noValue: false };
    }
  }
  return { ok: true, value: negative ? -value : value };
}

/** BCD of `length` bytes; a negative value takes an F in the top nibble, so it has one digit fewer. */
export function encodeBcd(value: bigint, length: number): Uint8Array {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  const room = 2 * length - (negative ? 1 : 0);
  if (digits.length > room) {
    const sign = negative ? ` (negative: F and ${room} digits)` : '';
    throw new MbusError('MBUS_ENCODE', `${value} does not fit ${2 * length}-digit BCD${sign}`);
  }
  const padded = (negative ? 'F' : '') + digits.padStart(room, '0');
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Number.parseInt(padded.slice(2 * (length - 1 - i), 2 * (length - i)), 16);
  return out;
}

export type LvarForm =
  | { kind: 'text'; length: number }
  | { kind: 'bcd'; length: number; negative: boolean }
  | { kind: 'binary'; length: number }
  | { kind: 'reserved' };

/** EN 13757-3:2018 Table 5 as exmbus implements it (§4: libmbus, pyMeterBus and jmbus read BCD sizes twice as long). */
export function lvarForm(lvar: number): LvarForm {
  if (lvar <= 0xbf) return { kind: 'text', length: lvar };
  if (lvar <= 0xc9) return { kind: 'bcd', length: lvar - 0xc0, negative: false };
  if (lvar >= 0xd0 && lvar <= 0xd9) return { kind: 'bcd', length: lvar - 0xd0, negative: true };
  if (lvar >= 0xe0 && lvar <= 0xef) return { kind: 'binary', length: lvar - 0xe0 };
  if (lvar >= 0xf0 && lvar <= 0xf4) return { kind: 'binary', length: 4 * (lvar - 0xec) };
  if (lvar === 0xf5) return { kind: 'binary', length: 48 };
  if (lvar === 0xf6) return { kind: 'binary', length: 64 };
  return { kind: 'reserved' };
}

/** The LVAR byte for a form (the inverse of lvarForm); undefined when no LVAR has that form and length. */
export function lvarByte(form: LvarForm): number | undefined {
  if (form.kind === 'text') return form.length <= 0xbf ? form.length : undefined;
  if (form.kind === 'bcd') return form.length <= 9 ? (form.negative ? 0xd0 : 0xc0) + form.length : undefined;
  if (form.kind === 'binary') {
    if (form.length <= 15) return 0xe0 + form.length;
    if (form.length % 4 === 0 && form.length >= 16 && form.length <= 32) return 0xec + form.length / 4;
    return form.length === 48 ? 0xf5 : form.length === 64 ? 0xf6 : undefined;
  }
  return undefined;
}

/** LVAR text is sent last character first (ISO 8859-1): `32 30 2E 31 56` is "V1.02". */
export function decodeLvarText(bytes: Uint8Array): string {
  let s = '';
  for (let i = bytes.length - 1; i >= 0; i--) s += String.fromCharCode(bytes[i] ?? 0);
  return s;
}

export function encodeLvarText(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(text.length - 1 - i);
    if (c > 0xff) throw new MbusError('MBUS_ENCODE', `"${text}" has a character outside ISO 8859-1`);
    out[i] = c;
  }
  return out;
}
