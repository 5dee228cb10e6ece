/**
 * Identification number and manufacturer code: the first six bytes of the CI 0x72 header
 * (EN 13757-3, fixed data header; mbus-protocol.md §3) and of a secondary-address selection (§2).
 */

import { MbusError } from './errors.js';

/** Valid manufacturer codes: "AAA" … "ZZZ" (libmbus). */
export const MANUFACTURER_MIN = 0x0421;
export const MANUFACTURER_MAX = 0x6b5a;

/** Three letters A–Z of 5 bits each, A = 1: `(c1−64)·1024 + (c2−64)·32 + (c3−64)`. "KAM" → 0x2C2D. */
export function encodeManufacturer(letters: string): number {
  if (!/^[A-Z]{3}$/.test(letters)) {
    throw new MbusError('MBUS_BAD_REQUEST', `manufacturer "${letters}" is not three letters A–Z`);
  }
  return (letters.charCodeAt(0) - 64) * 1024 + (letters.charCodeAt(1) - 64) * 32 + (letters.charCodeAt(2) - 64);
}

export interface DecodedManufacturer {
  /** Three letters, or `0xNNNN` when the code is not three letters A–Z. */
  text: string;
  valid: boolean;
}

export function decodeManufacturer(code: number): DecodedManufacturer {
  const letters = [(code >> 10) & 0x1f, (code >> 5) & 0x1f, code & 0x1f];
  const valid = code >= MANUFACTURER_MIN && code <= MANUFACTURER_MAX && (code & 0x8000) === 0 && letters.every((l) => l >= 1 && l <= 26);
  if (!valid) return { text: '0x' + code.toString(16).toUpperCase().padStart(4, '0'), valid: false };
  return { text: String.fromCharCode(...letters.map((l) => l + 64)), valid: true };
}

/**
 * 8 BCD digits, least significant byte first: `87 01 30 58` = "58300187". A digit may be F (a wildcard in
 * a selection mask); `allowWildcards` false refuses it.
 */
export function encodeIdNumber(id: string, allowWildcards = false): Uint8Array {
  const re = allowWildcards ? /^[0-9F]{8}$/i : /^[0-9]{8}$/;
  if (!re.test(id)) {
    const what = allowWildcards ? 'eight digits 0–9 or F' : 'eight digits';
    throw new MbusError('MBUS_BAD_REQUEST', `identification number "${id}" is not ${what}`);
  }
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) out[i] = Number.parseInt(id.slice(6 - 2 * i, 8 - 2 * i), 16);
  return out;
}

export interface DecodedId {
  /** The eight nibbles, most significant first, as hex digits ("58300187"; "3141FFFF" for a mask). */
  text: string;
  /** Every nibble is 0–9. */
  valid: boolean;
}

export function decodeIdNumber(bytes: Uint8Array): DecodedId {
  let text = '';
  for (let i = bytes.length - 1; i >= 0; i--) text += (bytes[i] ?? 0).toString(16).toUpperCase().padStart(2, '0');
  return { text, valid: /^[0-9]*$/.test(text) };
}
