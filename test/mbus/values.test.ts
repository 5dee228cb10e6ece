// Data codings: type B integers, type A BCD, LVAR forms (EN 13757-3:2018 Table 5) and the 32-bit real
// (mbus-protocol.md §4). Exhaustive where the space is small.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { decodeReal, encodeReal, float32ToDecimal } from '../../src/mbus/real.js';
import { decodeBcd, decodeInt, encodeBcd, encodeInt, lvarByte, lvarForm } from '../../src/mbus/values.js';
import { SEED, mbusCode } from './support.js';
import { rng } from '../support/random.js';

describe("integers: little-endian two's complement, BigInt", () => {
  test('every byte as an 8-bit integer, and back', () => {
    for (let b = 0; b < 256; b++) {
      const v = decodeInt(Uint8Array.of(b));
      assert.equal(v, BigInt(b < 128 ? b : b - 256));
      assert.deepEqual([...encodeInt(v, 1)], [b]);
    }
  });

  test('the ends of every width; 64 bits without losing a digit', () => {
    for (const n of [1, 2, 3, 4, 6, 8]) {
      const max = (1n << BigInt(8 * n - 1)) - 1n;
      assert.equal(decodeInt(encodeInt(max, n)), max);
      assert.equal(decodeInt(encodeInt(-max - 1n, n)), -max - 1n);
      assert.equal(
        mbusCode(() => encodeInt(max + 1n, n)),
        'MBUS_ENCODE',
      );
      assert.equal(
        mbusCode(() => encodeInt(-max - 2n, n)),
        'MBUS_ENCODE',
      );
    }
    assert.equal(decodeInt(fromHex('01 00 00 00 00 00 20 00')), 9007199254740993n, '2^53 + 1, which a double cannot hold');
    assert.equal(toHex(encodeInt(-2n, 8)), 'FE FF FF FF FF FF FF FF');
  });
});

describe('BCD (type A)', () => {
  test('every single byte: two digits, F on top = negative, FF = no value, anything else invalid', () => {
    for (let b = 0; b < 256; b++) {
      const hi = b >> 4;
      const lo = b & 15;
      const r = decodeBcd(Uint8Array.of(b));
      if (b === 0xff) assert.deepEqual(r, { ok: false, why: 'no value (all digits F)', noValue: true });
      else if (hi <= 9 && lo <= 9) assert.deepEqual(r, { ok: true, value: BigInt(hi * 10 + lo) });
      else if (hi === 15 && lo <= 9) assert.deepEqual(r, { ok: true, value: BigInt(-lo) });
      else assert.equal(r.ok, false, toHex(Uint8Array.of(b)));
      if (r.ok) assert.deepEqual([...encodeBcd(r.value, 1)], [r.value === 0n && hi === 15 ? 0x00 : b]);
    }
  });

  test('digits are least significant byte first; negative values keep one digit fewer', () => {
    assert.deepEqual(decodeBcd(fromHex('67 45 23 71')), { ok: true, value: 71234567n });
    assert.deepEqual(decodeBcd(fromHex('25 01 F0')), { ok: true, value: -125n });
    assert.equal(toHex(encodeBcd(-125n, 3)), '25 01 F0');
    assert.equal(toHex(encodeBcd(99999n, 3)), '99 99 09');
    assert.equal(
      mbusCode(() => encodeBcd(1000000n, 3)),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeBcd(-100000n, 3)),
      'MBUS_ENCODE',
    );
    assert.equal(toHex(encodeBcd(-99999n, 3)), '99 99 F9');
  });
});

describe('LVAR forms (EN 13757-3:2018 Table 5 per exmbus, §4)', () => {
  test('every LVAR byte', () => {
    for (let b = 0; b < 256; b++) {
      const f = lvarForm(b);
      if (b <= 0xbf) assert.deepEqual(f, { kind: 'text', length: b });
      else if (b <= 0xc9) assert.deepEqual(f, { kind: 'bcd', length: b - 0xc0, negative: false }, 'LVAR − C0 bytes, not twice that');
      else if (b >= 0xd0 && b <= 0xd9) assert.deepEqual(f, { kind: 'bcd', length: b - 0xd0, negative: true });
      else if (b >= 0xe0 && b <= 0xef) assert.deepEqual(f, { kind: 'binary', length: b - 0xe0 });
      else if (b >= 0xf0 && b <= 0xf4) assert.deepEqual(f, { kind: 'binary', length: [16, 20, 24, 28, 32][b - 0xf0] });
      else if (b === 0xf5) assert.deepEqual(f, { kind: 'binary', length: 48 });
      else if (b === 0xf6) assert.deepEqual(f, { kind: 'binary', length: 64 });
      else assert.deepEqual(f, { kind: 'reserved' }, b.toString(16));
      if (f.kind !== 'reserved') assert.equal(lvarByte(f), b, `lvarByte inverts ${b.toString(16)}`);
    }
  });
});

describe('32-bit real → the shortest decimal that reads back as the same float32', () => {
  const VECTORS: ReadonlyArray<[string, string]> = [
    ['CD CC CC 3D', '0.1'],
    ['00 00 C0 3F', '1.5'],
    ['00 00 20 C0', '-2.5'],
    ['00 00 00 00', '0'],
    ['00 00 00 80', '0'],
    ['FF FF 7F 7F', '340282350000000000000000000000000000000'],
    ['01 00 00 00', '0.000000000000000000000000000000000000000000001'],
    ['00 00 80 00', '0.000000000000000000000000000000000000011754944'],
    ['00 00 80 4B', '16777216'],
    ['F9 02 15 50', '10000000000'],
    ['E5 20 F1 47', '123457.79'],
    ['A4 70 45 41', '12.34'],
    ['00 00 80 3F', '1'],
    ['00 00 C8 42', '100'],
  ];
  for (const [bytes, text] of VECTORS) {
    test(`${bytes} → ${text}`, () => {
      const d = decodeReal(fromHex(bytes));
      assert.ok(d);
      assert.equal(d.toString(), text);
      const f = new DataView(fromHex(bytes).buffer).getFloat32(0, true);
      assert.equal(Math.fround(Number(text)), f === 0 ? 0 : f, 'reads back as the same float32');
      if (text !== '0') assert.equal(toHex(encodeReal(d)), bytes);
    });
  }

  test('NaN and ±infinity have no decimal', () => {
    for (const bytes of ['00 00 80 7F', '00 00 80 FF', '00 00 C0 7F', '01 00 80 7F']) {
      assert.equal(decodeReal(fromHex(bytes)), undefined, bytes);
    }
  });

  test('100,000 random floats: round trip, and never longer than the shortest toPrecision finds', () => {
    const r = rng(SEED ^ 0x5ea1);
    const view = new DataView(new ArrayBuffer(4));
    for (let n = 0; n < 100_000; n++) {
      const bits = (r.int(0x10000) << 16) | r.int(0x10000);
      if (((bits >>> 23) & 0xff) === 0xff) continue;
      view.setUint32(0, bits);
      const f = view.getFloat32(0);
      const d = float32ToDecimal(bits >>> 0);
      assert.ok(d);
      assert.equal(Math.fround(Number(d.toString())), f === 0 ? 0 : f, `bits ${bits.toString(16)}`);
      let shortest = 1;
      while (Math.fround(Number(f.toPrecision(shortest))) !== f) shortest++;
      const digits = d.coefficient < 0n ? (-d.coefficient).toString().length : d.coefficient.toString().length;
      assert.ok(digits <= shortest, `${d.toString()} has ${digits} digits, ${f.toPrecision(shortest)} has ${shortest}`);
    }
  });

  test('encodeReal refuses a decimal that is not a float32 value', () => {
    assert.equal(
      mbusCode(() => encodeReal(Decimal.parse('0.123456789123')!)),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeReal(Decimal.of(1n, 39))),
      'MBUS_ENCODE',
    );
    assert.equal(toHex(encodeReal(Decimal.parse('0.10')!)), 'CD CC CC 3D', '0.10 is the value 0.1');
  });
});
