/**
 * KMP data link byte stuffing: each of 06 0D 1B 40 80 between start and stop byte is sent as
 * 1B followed by the byte XOR FF. Destuffing is a single left-to-right pass: `1B E4 F9` is data
 * `1B F9`, never `06` (the bug of repeated search-and-replace).
 */
import { KmpError } from './errors.js';

export const ESCAPE = 0x1b;
const NEEDS_STUFFING = new Uint8Array(256);
for (const b of [0x06, 0x0d, 0x1b, 0x40, 0x80]) NEEDS_STUFFING[b] = 1;

export function needsStuffing(byte: number): boolean {
  return NEEDS_STUFFING[byte & 0xff] === 1;
}

export function stuff(bytes: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of bytes) extra += NEEDS_STUFFING[b] as number;
  const out = new Uint8Array(bytes.length + extra);
  let j = 0;
  for (const b of bytes) {
    if (NEEDS_STUFFING[b]) {
      out[j++] = ESCAPE;
      out[j++] = b ^ 0xff;
    } else {
      out[j++] = b;
    }
  }
  return out;
}

export function destuff(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b !== ESCAPE) {
      out[j++] = b;
      continue;
    }
    const next = bytes[++i];
    if (next === undefined) {
      throw new KmpError('KMP_BAD_STUFFING', 'escape byte 1B at the end of the frame', { actual: bytes });
    }
    const value = next ^ 0xff;
    if (!NEEDS_STUFFING[value]) {
      throw new KmpError('KMP_BAD_STUFFING', `escape 1B followed by ${hexByte(next)}, which stands for no stuffed byte`, {
        actual: Uint8Array.of(ESCAPE, next),
      });
    }
    out[j++] = value;
  }
  return out.slice(0, j);
}

function hexByte(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}
