/**
 * Data field 5: 32-bit IEEE 754 real, LSB first (EN 13757-3 type H; mbus-protocol.md §4). The only float on
 * the wire: it becomes the shortest decimal that reads back as the same float32, found with exact BigInt
 * arithmetic (no double rounding), so 0.1f is 0.1 and not 0.100000001490116…
 */

import { Decimal } from '../core/decimal.js';
import { MbusError } from './errors.js';

export function decodeReal(bytes: Uint8Array): Decimal | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return float32ToDecimal(view.getUint32(0, true));
}

export function encodeReal(value: Decimal): Uint8Array {
  const out = new Uint8Array(4);
  const view = new DataView(out.buffer);
  view.setFloat32(0, Number(value.toString()), true);
  const back = float32ToDecimal(view.getUint32(0, true));
  if (back === undefined || !back.equals(value)) {
    throw new MbusError('MBUS_ENCODE', `${value.toString()} is not a float32 value (the nearest is ${back?.toString() ?? 'infinite'})`);
  }
  return out;
}

/** The shortest decimal inside the float's rounding interval; undefined for NaN and ±infinity. */
export function float32ToDecimal(bits: number): Decimal | undefined {
  const e8 = (bits >>> 23) & 0xff;
  const f = bits & 0x7fffff;
  if (e8 === 0xff) return undefined;
  const negative = (bits & 0x80000000) !== 0;
  const m = BigInt(e8 === 0 ? f : f | 0x800000);
  if (m === 0n) return Decimal.ZERO;
  const e = e8 === 0 ? -149 : e8 - 150;
  // x = X / Q exactly; the interval that rounds to x is [X − D, X + U] / Q (closed when m is even).
  const k = Math.max(0, 2 - e);
  const q = 1n << BigInt(k);
  const x = m << BigInt(e + k);
  const up = 1n << BigInt(e - 1 + k);
  const down = f === 0 && e8 > 1 ? up >> 1n : up;
  const closed = (m & 1n) === 0n;
  const t = decimalExponent(x, q, bits);
  // Nine significant digits always single out a float32; the loop ends there.
  for (let p = 1; p <= 9; p++) {
    const found = candidate(x, q, up, down, closed, t - p + 1);
    if (found !== undefined) return Decimal.of(negative ? -found.n : found.n, found.exp);
  }
  return undefined;
}

/** floor(log10(X / Q)), estimated with a double and corrected exactly. */
function decimalExponent(x: bigint, q: bigint, bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits & 0x7fffffff);
  let t = Math.floor(Math.log10(view.getFloat32(0)));
  const atLeast = (n: number): boolean => (n >= 0 ? x >= q * 10n ** BigInt(n) : x * 10n ** BigInt(-n) >= q);
  while (!atLeast(t)) t--;
  while (atLeast(t + 1)) t++;
  return t;
}

/** The p-digit decimal n·10^exp nearest x inside the interval, if one is there (ties to even n). */
function candidate(x: bigint, q: bigint, up: bigint, down: bigint, closed: boolean, exp: number): { n: bigint; exp: number } | undefined {
  // Common scale: x·a and n·b, both integers.
  const a = exp >= 0 ? 1n : 10n ** BigInt(-exp);
  const b = exp >= 0 ? q * 10n ** BigInt(exp) : q;
  const xs = x * a;
  const lo = (x - down) * a;
  const hi = (x + up) * a;
  const inside = (c: bigint): boolean => (closed ? c >= lo && c <= hi : c > lo && c < hi);
  const nLo = xs / b;
  const nHi = nLo + 1n;
  const okLo = inside(nLo * b) && nLo > 0n;
  const okHi = inside(nHi * b);
  let n: bigint;
  if (okLo && okHi) {
    const dLo = xs - nLo * b;
    const dHi = nHi * b - xs;
    n = dLo < dHi ? nLo : dHi < dLo ? nHi : nLo % 2n === 0n ? nLo : nHi;
  } else if (okLo) n = nLo;
  else if (okHi) n = nHi;
  else return undefined;
  let e = exp;
  while (n % 10n === 0n) {
    n /= 10n;
    e++;
  }
  return { n, exp: e };
}
