// Random but valid M-Bus records and telegrams for the round-trip and fuzz tests (seeded, reproducible).
import { encodeDate } from '../../src/mbus/dates.js';
import { encodeDib, FUNCTIONS } from '../../src/mbus/dif.js';
import { encodeBcd } from '../../src/mbus/values.js';
import { VIF_ROWS } from '../../src/mbus/vif-tables.generated.js';
import type { Rng } from '../support/random.js';

/** VIBs that carry a number: every table row with an exponent, and Kamstrup's FF 07 / 08 / 22. */
export const NUMERIC_VIBS: readonly number[][] = [
  ...VIF_ROWS.filter(([, , quantity, , exponent]) => exponent !== null && quantity !== 'reserved').map(([table, code]) =>
    table === 'primary' ? [code] : [table === 'FB' ? 0xfb : 0xfd, code],
  ),
  [0xff, 0x07],
  [0xff, 0x08],
  [0xff, 0x22],
];

/** Combinable VIFEs that keep a value: corrections, E3's backward flow, forward flow, per hour, additive. */
const COMBINABLE = [0x70, 0x73, 0x75, 0x76, 0x77, 0x7d, 0x3c, 0x3b, 0x22, 0x79];

function withVifes(vib: number[], vifes: number[]): number[] {
  const all = [...vib, ...vifes];
  for (let i = 0; i < all.length - 1; i++) all[i] = (all[i] ?? 0) | 0x80;
  return all;
}

function randomVib(r: Rng): number[] {
  const vib = r.pick(NUMERIC_VIBS);
  if (vib[0] === 0xff || r.next() < 0.6) return [...vib];
  const extra = Array.from({ length: 1 + r.int(2) }, () => r.pick(COMBINABLE));
  return withVifes(vib, extra);
}

function randomDigits(r: Rng, n: number): string {
  return Array.from({ length: n }, () => String(r.int(10))).join('');
}

/** Data for a data field: valid integers, BCD (some negative), finite reals, LVAR text/BCD/binary. */
function randomData(r: Rng, df: number): number[] {
  if (df >= 1 && df <= 7 && df !== 5) return [...r.bytes([0, 1, 2, 3, 4, 4, 6, 8][df] ?? 0)];
  if (df === 5) {
    for (;;) {
      const b = r.bytes(4);
      if ((((b[3]! & 0x7f) << 1) | (b[2]! >> 7)) !== 0xff) return [...b];
    }
  }
  if (df !== 0xd) {
    const n = [1, 2, 3, 4, 0, 6][df - 9] ?? 1;
    const negative = r.next() < 0.3;
    const value = BigInt(randomDigits(r, 2 * n - (negative ? 1 : 0)));
    return [...encodeBcd(negative && value !== 0n ? -value : value, n)];
  }
  const form = r.int(4);
  if (form === 0) {
    const text = Array.from({ length: r.int(12) }, () => 0x20 + r.int(0xdf));
    return [text.length, ...text];
  }
  if (form === 1) {
    const n = 1 + r.int(5);
    return [(r.next() < 0.5 ? 0xc0 : 0xd0) + n, ...encodeBcd(BigInt(randomDigits(r, 2 * n) || '0'), n)];
  }
  const n = r.int(9);
  return [0xe0 + n, ...r.bytes(n)];
}

const DATA_FIELDS = [1, 2, 3, 4, 5, 6, 7, 9, 0xa, 0xb, 0xc, 0xe, 0xd];

function randomDib(r: Rng, df: number): number[] {
  const small = (bits: number): number => (r.next() < 0.6 ? 0 : r.int(2 ** bits));
  const spec = { dataField: df, function: r.pick(FUNCTIONS), storage: small(r.next() < 0.9 ? 3 : 30), tariff: small(3), subunit: small(2) };
  return [...encodeDib(spec)];
}

const pad = (n: number): string => String(n).padStart(2, '0');

function randomDateRecord(r: Rng): number[] {
  const type = r.pick([2, 3, 4, 6]);
  const year = r.next() < 0.8 ? 2000 + r.int(81) : 1981 + r.int(19);
  const date = `${year}-${pad(1 + r.int(12))}-${pad(1 + r.int(28))}`;
  const hm = `${pad(r.int(24))}:${pad(r.int(60))}`;
  const hms = `${hm}:${pad(r.int(60))}`;
  const text = type === 2 ? date : type === 3 ? hms : type === 4 ? `${date}T${hm}` : `${date}T${hms}`;
  const su = (type === 4 || type === 6) && r.next() < 0.5;
  return [...randomDib(r, type), type === 2 ? 0x6c : 0x6d, ...encodeDate(type, text, su)];
}

/** A plain-text unit (VIF 7C, or FC with a VIFE), its text sent last character first. */
function randomPlainTextRecord(r: Rng): number[] {
  const text = Array.from({ length: r.int(6) }, () => 0x21 + r.int(0x5e));
  const vib = r.next() < 0.5 ? [0x7c] : [0xfc, r.pick([0x70, 0x74, 0x3c, 0x7d])];
  return [...randomDib(r, 2), ...vib, text.length, ...text, ...r.bytes(2)];
}

/** One record as bytes: mostly numbers, sometimes a date or a plain-text unit. */
export function randomRecord(r: Rng): Uint8Array {
  if (r.next() < 0.05) return Uint8Array.from(randomPlainTextRecord(r));
  if (r.next() < 0.15) return Uint8Array.from(randomDateRecord(r));
  const df = r.pick(DATA_FIELDS);
  return Uint8Array.from([...randomDib(r, df), ...randomVib(r), ...randomData(r, df)]);
}

export function randomLetters(r: Rng): string {
  return Array.from({ length: 3 }, () => String.fromCharCode(65 + r.int(26))).join('');
}

export function randomHeader(r: Rng) {
  return {
    id: randomDigits(r, 8),
    manufacturer: r.next() < 0.5 ? 'KAM' : randomLetters(r),
    version: r.int(256),
    medium: r.int(256),
    accessNumber: r.int(256),
    status: r.int(256),
    signature: r.next() < 0.9 ? 0 : r.int(0x10000),
  };
}
