// KMP float codec: LEN | SIEX | MANTISSA (kmp-protocol.md, "Application layer": "Register record" and "Vectors": "Float").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { KmpError } from '../../src/kmp/errors.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { decodeValue, encodeValue, mantissaToBigInt } from '../../src/kmp/value.js';

/** Splits `LEN SIEX MANTISSA…` as written in the protocol description. */
function split(hex: string): { len: number; siex: number; mantissa: Uint8Array } {
  const b = fromHex(hex);
  assert.equal(b.length, 2 + b[0]!, `${hex}: LEN matches the bytes`);
  return { len: b[0]!, siex: b[1]!, mantissa: b.subarray(2) };
}

const FLOAT_VECTORS: ReadonlyArray<{ bytes: string; text: string }> = [
  // kmp-protocol.md, "Vectors", "Float (LEN SIEX MANTISSA → value)"
  { bytes: '04 C2 00 00 30 39', text: '-123.45' },
  { bytes: '04 03 05 39 7F B1', text: '87654321000' },
  { bytes: '01 03 FF', text: '255000' },
  { bytes: '04 43 00 00 00 FB', text: '0.251' },
  { bytes: '02 42 18 C8', text: '63.44' },
  { bytes: '04 11 01 2A F0 24', text: '1959120400000000000000000' },
];

describe('float vectors: decode → text, encode → same bytes', () => {
  for (const v of FLOAT_VECTORS) {
    test(`${v.bytes} → ${v.text}`, () => {
      const { len, siex, mantissa } = split(v.bytes);
      const value = decodeValue(siex, mantissa);
      assert.equal(value.toString(), v.text);
      const enc = encodeValue(value, len);
      assert.equal(enc.length, len);
      assert.equal(enc.siex, siex);
      assert.equal(toHex(enc.mantissa), toHex(mantissa));
      // And from the text alone: the same value.
      const parsed = Decimal.parse(v.text);
      assert.ok(parsed);
      const again = encodeValue(parsed);
      assert.equal(decodeValue(again.siex, again.mantissa).toString(), v.text);
    });
  }

  test('02 42 18 C8 prints exactly 63.44, where mantissa × Math.pow(10, e) does not', () => {
    const value = decodeValue(0x42, fromHex('18 C8'));
    assert.equal(value.toString(), '63.44');
    assert.equal(String(6344 * Math.pow(10, -2)), '63.440000000000005', 'the double way is wrong, so this test means something');
  });

  test('04 11 01 2A F0 24 prints all 25 digits, not 1.9591204e+24', () => {
    const value = decodeValue(0x11, fromHex('01 2A F0 24'));
    assert.equal(value.toString(), '1959120400000000000000000');
    assert.equal(String(19591204 * Math.pow(10, 17)), '1.9591204e+24');
  });
});

describe('SIEX', () => {
  test('every SIEX byte: bit 7 sign of the value, bit 6 sign of the exponent, bits 5–0 the exponent', () => {
    const mantissa = fromHex('30 39'); // 12345
    for (let siex = 0; siex < 256; siex++) {
      const v = decodeValue(siex, mantissa);
      const e = siex & 0x3f;
      const negExp = (siex & 0x40) !== 0 && e !== 0;
      let text: string;
      if (!negExp) text = '12345' + '0'.repeat(e);
      else {
        const padded = '12345'.padStart(e + 1, '0');
        text = padded.slice(0, padded.length - e) + '.' + padded.slice(padded.length - e);
      }
      if (siex & 0x80) text = '-' + text;
      assert.equal(v.toString(), text, `SIEX ${siex.toString(16)}`);
      // Re-encoding keeps the value; the bytes are the same except for the meaningless "−0" exponent.
      const enc = encodeValue(v, 2);
      assert.equal(toHex(enc.mantissa), '30 39');
      assert.equal(enc.siex, (siex & 0x7f) === 0x40 ? siex & 0x80 : siex, `SIEX ${siex.toString(16)}`);
    }
  });

  test('a zero mantissa is 0 whatever the sign bit', () => {
    assert.equal(decodeValue(0x80, fromHex('00')).toString(), '0');
    assert.equal(decodeValue(0xc2, fromHex('00 00')).toString(), '0.00');
    assert.equal(decodeValue(0xc2, fromHex('00 00')).sign(), 0);
  });

  test('an empty mantissa is KMP_BAD_RECORD', () => {
    assert.throws(
      () => decodeValue(0, new Uint8Array(0)),
      (e: unknown) => e instanceof KmpError && e.code === 'KMP_BAD_RECORD',
    );
  });
});

describe('mantissas', () => {
  test('are big-endian and exact at any length', () => {
    assert.equal(mantissaToBigInt(fromHex('01 02')), 0x0102n);
    assert.equal(mantissaToBigInt(fromHex('FF FF FF FF FF FF FF FF FF')), 2n ** 72n - 1n);
    assert.equal(mantissaToBigInt(fromHex('00 20 00 00 00 00 00 01')), 2n ** 53n + 1n);
    assert.equal(decodeValue(0, fromHex('00 20 00 00 00 00 00 01')).toString(), '9007199254740993');
  });

  test('encodeValue picks LEN 1, 2, 4, then as many bytes as needed', () => {
    const CASES: ReadonlyArray<[bigint, number]> = [
      [0n, 1],
      [255n, 1],
      [256n, 2],
      [65535n, 2],
      [65536n, 4],
      [2n ** 32n - 1n, 4],
      [2n ** 32n, 5],
      [2n ** 48n, 7],
      [2n ** 72n - 1n, 9],
    ];
    for (const [c, len] of CASES) {
      const enc = encodeValue(Decimal.of(c));
      assert.equal(enc.length, len, `${c}`);
      assert.equal(enc.mantissa.length, len);
      assert.equal(mantissaToBigInt(enc.mantissa), c);
      assert.equal(enc.siex, 0);
    }
  });

  test('encodeValue with a given length pads, and refuses what does not fit', () => {
    assert.equal(toHex(encodeValue(Decimal.of(5), 4).mantissa), '00 00 00 05');
    assert.throws(
      () => encodeValue(Decimal.of(256), 1),
      (e: unknown) => e instanceof KmpError && e.code === 'KMP_BAD_RECORD',
    );
  });

  test('encodeValue brings the exponent into six bits without losing digits', () => {
    const big = encodeValue(Decimal.of(7, 65));
    assert.equal(big.siex, 63);
    assert.equal(mantissaToBigInt(big.mantissa), 700n);
    assert.ok(decodeValue(big.siex, big.mantissa).equals(Decimal.of(7, 65)));
    const small = encodeValue(Decimal.of(-1200, -65));
    assert.equal(small.siex, 0x80 | 0x40 | 63);
    assert.equal(mantissaToBigInt(small.mantissa), 12n);
    assert.ok(decodeValue(small.siex, small.mantissa).equals(Decimal.of(-1200, -65)));
    assert.throws(
      () => encodeValue(Decimal.of(1, -64)),
      (e: unknown) => e instanceof KmpError && e.code === 'KMP_BAD_RECORD',
    );
  });

  test('random values round-trip exactly through encode and decode', () => {
    let seed = 0x9e3779b9;
    const rnd = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    for (let n = 0; n < 2000; n++) {
      const digits = 1 + Math.floor(rnd() * 30);
      let c = 0n;
      for (let i = 0; i < digits; i++) c = c * 10n + BigInt(Math.floor(rnd() * 10));
      if (rnd() < 0.5) c = -c;
      const value = Decimal.of(c, Math.floor(rnd() * 127) - 63);
      const enc = encodeValue(value);
      const back = decodeValue(enc.siex, enc.mantissa);
      assert.ok(back.equals(value), `${value.toString()} came back as ${back.toString()}`);
    }
  });
});
