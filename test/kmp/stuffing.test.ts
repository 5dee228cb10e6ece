// KMP data link byte stuffing (kmp-protocol.md, "Data link layer (one frame)": "Byte stuffing" and
// "Destuff in a single left-to-right pass").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { KmpError } from '../../src/kmp/errors.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { ESCAPE, destuff, needsStuffing, stuff } from '../../src/kmp/stuffing.js';
import * as oracle from '../support/oracle.js';
import { assertKmp } from './support.js';

const SPECIAL = [0x06, 0x0d, 0x1b, 0x40, 0x80];
const RAW_FORBIDDEN = new Set([0x06, 0x0d, 0x40, 0x80]);

/** Stuffed bytes are well formed: no raw 06 0D 40 80, and every 1B begins a valid escape pair. */
function assertWellStuffed(stuffed: Uint8Array, label: string): void {
  for (let i = 0; i < stuffed.length; i++) {
    const b = stuffed[i] as number;
    assert.ok(!RAW_FORBIDDEN.has(b), `${label}: raw ${toHex(Uint8Array.of(b))} at ${i} in ${toHex(stuffed)}`);
    if (b === ESCAPE) {
      const next = stuffed[i + 1];
      assert.ok(next !== undefined && SPECIAL.includes(next ^ 0xff), `${label}: 1B at ${i} is not an escape in ${toHex(stuffed)}`);
      i++;
    }
  }
}

const VECTORS: ReadonlyArray<{ source: string; data: string; stuffed: string }> = [
  // kmp-protocol.md, "Vectors", row "stuffing": data-link 04 0D 00 06 → 80 04 1B F2 00 1B F9 0D
  { source: 'Vectors: stuffing', data: '04 0D 00 06', stuffed: '04 1B F2 00 1B F9' },
  // kmp-protocol.md, "Byte stuffing": the five escapes
  { source: 'Byte stuffing: 06', data: '06', stuffed: '1B F9' },
  { source: 'Byte stuffing: 0D', data: '0D', stuffed: '1B F2' },
  { source: 'Byte stuffing: 1B', data: '1B', stuffed: '1B E4' },
  { source: 'Byte stuffing: 40', data: '40', stuffed: '1B BF' },
  { source: 'Byte stuffing: 80', data: '80', stuffed: '1B 7F' },
  // kmp-protocol.md, "Destuff in a single left-to-right pass": data 1B F9 is sent as 1B E4 F9
  { source: 'single pass', data: '1B F9', stuffed: '1B E4 F9' },
  // kmp-protocol.md, "Vectors": the GetRegister request for 0x0080 and the GetType reply
  { source: 'Vectors: GetRegister request for 0x0080', data: '3F 10 01 00 80 D4 08', stuffed: '3F 10 01 00 1B 7F D4 08' },
  { source: 'Vectors: GetType reply', data: '3F 01 00 04 06 01 26 99', stuffed: '3F 01 00 04 1B F9 01 26 99' },
  {
    source: 'Vectors: GetRegister reply',
    data: '3F 10 00 80 16 04 11 01 2A F0 24 63 03',
    stuffed: '3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03',
  },
  { source: 'nothing to stuff', data: '', stuffed: '' },
];

describe('stuffing vectors', () => {
  for (const v of VECTORS) {
    test(`${v.source}: ${v.data || '(empty)'} ⇄ ${v.stuffed || '(empty)'}`, () => {
      assert.equal(toHex(stuff(fromHex(v.data))), v.stuffed);
      assert.equal(toHex(destuff(fromHex(v.stuffed))), v.data);
      assert.equal(toHex(stuff(destuff(fromHex(v.stuffed)))), v.stuffed, 'destuff → stuff gives the same bytes');
      assert.equal(toHex(Uint8Array.from(oracle.stuff(fromHex(v.data)))), v.stuffed, "the tests' oracle agrees with the vector");
      assert.equal(toHex(Uint8Array.from(oracle.destuff([...fromHex(v.stuffed)])!)), v.data);
    });
  }

  test('kmp-protocol.md, "Vectors": 04 0D 00 06 framed is 80 04 1B F2 00 1B F9 0D', () => {
    assert.equal(toHex(Uint8Array.of(0x80, ...stuff(fromHex('04 0D 00 06')), 0x0d)), '80 04 1B F2 00 1B F9 0D');
  });
});

describe('stuffing, exhaustively', () => {
  test('needsStuffing is true for exactly 06 0D 1B 40 80', () => {
    const yes: number[] = [];
    for (let b = 0; b < 256; b++) if (needsStuffing(b)) yes.push(b);
    assert.deepEqual(yes, SPECIAL);
  });

  test('all 256 single bytes round-trip, and only the five special ones grow', () => {
    for (let b = 0; b < 256; b++) {
      const stuffed = stuff(Uint8Array.of(b));
      assert.deepEqual([...stuffed], oracle.stuff([b]), `byte ${b}`);
      assertWellStuffed(stuffed, `byte ${b}`);
      assert.deepEqual([...destuff(stuffed)], [b], `byte ${b}`);
    }
  });

  test('every 1B xx pair round-trips', () => {
    for (let x = 0; x < 256; x++) {
      const data = Uint8Array.of(0x1b, x);
      const stuffed = stuff(data);
      assert.equal(stuffed[0], ESCAPE);
      assert.equal(stuffed[1], 0xe4);
      assertWellStuffed(stuffed, `1B ${x}`);
      assert.deepEqual([...destuff(stuffed)], [0x1b, x], `1B ${toHex(Uint8Array.of(x))}`);
    }
  });

  test('every two-byte xx yy round-trips and is well stuffed (65536 pairs)', () => {
    const data = new Uint8Array(2);
    for (let x = 0; x < 256; x++) {
      for (let y = 0; y < 256; y++) {
        data[0] = x;
        data[1] = y;
        const stuffed = stuff(data);
        assert.equal(stuffed.length, oracle.stuff(data).length);
        assertWellStuffed(stuffed, `${x} ${y}`);
        const back = destuff(stuffed);
        if (back.length !== 2 || back[0] !== x || back[1] !== y) assert.fail(`${toHex(data)} came back as ${toHex(back)}`);
      }
    }
  });

  test('every three-byte 1B xx yy round-trips (65536 with 1B first)', () => {
    const data = new Uint8Array(3);
    data[0] = 0x1b;
    for (let x = 0; x < 256; x++) {
      for (let y = 0; y < 256; y++) {
        data[1] = x;
        data[2] = y;
        const stuffed = stuff(data);
        assertWellStuffed(stuffed, `1B ${x} ${y}`);
        const back = destuff(stuffed);
        if (back.length !== 3 || back[0] !== 0x1b || back[1] !== x || back[2] !== y) {
          assert.fail(`${toHex(data)} came back as ${toHex(back)}`);
        }
      }
    }
  });

  test('single pass: data 1B F9 stuffs to 1B E4 F9 and destuffs to 1B F9, never 06', () => {
    assert.equal(toHex(stuff(fromHex('1B F9'))), '1B E4 F9');
    assert.equal(toHex(destuff(fromHex('1B E4 F9'))), '1B F9');
    // Every escape result followed by what would look like an escape's second byte stays as it is.
    for (const s of SPECIAL) {
      const second = s ^ 0xff;
      assert.equal(toHex(destuff(Uint8Array.of(0x1b, 0xe4, second))), toHex(Uint8Array.of(0x1b, second)));
    }
    assert.equal(toHex(destuff(fromHex('1B E4 1B F9'))), '1B 06');
    assert.equal(toHex(destuff(fromHex('1B E4 1B E4'))), '1B 1B');
  });

  test('of the 256 pairs 1B xx exactly five destuff; the others throw KMP_BAD_STUFFING', () => {
    const valid: number[] = [];
    for (let x = 0; x < 256; x++) {
      try {
        const out = destuff(Uint8Array.of(0x1b, x));
        assert.equal(out.length, 1);
        assert.equal(out[0], x ^ 0xff);
        valid.push(x);
      } catch (e) {
        assert.ok(e instanceof KmpError, `1B ${x}: ${String(e)}`);
        assert.equal(e.code, 'KMP_BAD_STUFFING');
        assert.equal(e.actual, toHex(Uint8Array.of(0x1b, x)));
      }
    }
    assert.deepEqual(valid, [0x7f, 0xbf, 0xe4, 0xf2, 0xf9]);
  });

  test('an escape byte at the end throws KMP_BAD_STUFFING', () => {
    assertKmp(() => destuff(fromHex('1B')), 'KMP_BAD_STUFFING');
    assertKmp(() => destuff(fromHex('3F 10 1B')), 'KMP_BAD_STUFFING');
    assertKmp(() => destuff(fromHex('1B E4 1B')), 'KMP_BAD_STUFFING');
  });
});
