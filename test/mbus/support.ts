// Helpers for the M-Bus tests: the document's vectors, the seed of their generator (test/support/random.ts),
// and an "MbusError code or no error" probe.
import { MbusError } from '../../src/mbus/errors.js';
import { fromHex } from '../../src/core/hex.js';

/** The seed of the M-Bus tests' rng: FUZZ_SEED to replay a failure, otherwise a fixed one so a run is reproducible. */
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) >>> 0 : 0x4d427573;

/** The MbusError code fn throws, 'no error', or the foreign error rethrown. */
export function mbusCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MbusError) return e.code;
    throw e;
  }
  return 'no error';
}

/** Hex written over several lines, as in the document. */
export const hex = (text: string): Uint8Array => fromHex(text.replace(/\s+/g, ' '));

// mbus-protocol.md §9.2: a MULTICAL-403-shaped reply, primary address 187, customer number 58300187.
export const MC403_REPLY = hex(`68 83 83 68 08 BB 72 87 01 30 58 2D 2C 34 0C 2A 00 00 00 0C 78 67 45 23 71
04 06 77 40 00 00 04 86 3C D6 00 00 00 04 14 15 A1 00 00 04 FF 07 89 6D 00 00
04 FF 08 68 40 00 00 04 22 A6 75 00 00 34 22 0C 00 00 00 02 59 7D 1A 02 5D 0A 10
02 61 73 0A 04 2D 20 00 00 00 14 2D 74 00 00 00 04 3B 67 00 00 00 14 3B 92 01 00 00
04 FF 22 00 00 00 00 04 6D 25 2E 0F 33 44 06 08 3E 00 00 44 14 7A 9B 00 00 42 6C 01 33
30 16`);

// mbus-protocol.md §9.3: telegram 1 (ends with 1F) and telegram 2 of the two-telegram readout.
export const TST_TELEGRAM_1 = hex(`68 41 41 68 08 FD 72 26 59 41 31 74 52 01 04 07 00 00 00
0C 0E 56 34 12 00 84 10 FB 00 C9 14 00 00 C4 80 40 14 D2 04 00 00
94 01 3B 6B 03 00 00 02 61 BB FE 0B 2B 25 01 F0
0D FD 0E 05 32 30 2E 31 56 2F 2F 1F 21 16`);

export const TST_TELEGRAM_2 = hex(`68 22 22 68 08 FD 72 26 59 41 31 74 52 01 04 08 00 00 00
02 FD 17 04 00 04 6D 3B B7 44 37 42 6C FF FF 0F 01 02 03 F4 16`);

export const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
