// KMP data link layer checksum (kmp-protocol.md, "Data link layer (one frame)").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { crc16 } from '../../src/kmp/crc.js';
import { fromHex } from '../../src/core/hex.js';
// Bit-by-bit CRC-16/XMODEM straight from its definition, independent of the table in crc.ts.
import { crc16 as referenceCrc } from '../support/oracle.js';
import { rng } from '../support/random.js';

const CRC_VECTORS: ReadonlyArray<{ source: string; bytes: string; crc: number }> = [
  // kmp-protocol.md, "Data link layer": CRC-16/XMODEM check value of ASCII "123456789"
  { source: 'check value', bytes: '31 32 33 34 35 36 37 38 39', crc: 0x31c3 },
  // kmp-protocol.md, "Vectors", row "CRC"
  { source: 'Vectors: CRC', bytes: '3F 01', crc: 0x058a },
  { source: 'Vectors: CRC', bytes: '3F 02', crc: 0x35e9 },
  { source: 'Vectors: CRC', bytes: '3F 10 01 00 80', crc: 0xd408 },
  // kmp-protocol.md, "Vectors": the CRC bytes inside the request and reply frames, over DST CID DATA unstuffed
  { source: 'Vectors: GetType reply', bytes: '3F 01 00 04 06 01', crc: 0x2699 },
  { source: 'Vectors: GetSerialNo reply', bytes: '3F 02 01 23 45 67', crc: 0xe956 },
  { source: 'Vectors: GetRegister reply', bytes: '3F 10 00 80 16 04 11 01 2A F0 24', crc: 0x6303 },
  { source: 'Vectors: GetRegister request for 60', bytes: '3F 10 01 00 3C', crc: 0xb25f },
  { source: 'Vectors: GetRegister request for 1002', bytes: '3F 10 01 03 EA', crc: 0x4cb7 },
  { source: 'Vectors: 8 registers', bytes: '3F 10 08 00 3C 00 44 00 4A 00 50 00 56 00 57 00 59 01 0A', crc: 0x9e82 },
  { source: 'Vectors: empty reply 40 3F 10 07 9A 0D', bytes: '3F 10', crc: 0x079a },
];

describe('crc16 (CRC-16/XMODEM)', () => {
  for (const v of CRC_VECTORS) {
    test(`${v.source}: ${v.bytes} → 0x${v.crc.toString(16).toUpperCase().padStart(4, '0')}`, () => {
      const bytes = fromHex(v.bytes);
      assert.equal(crc16(bytes), v.crc);
      assert.equal(referenceCrc(bytes), v.crc, 'the reference implementation agrees with the vector');
      // A received body including its CRC (most significant byte first) checks to 0.
      const withCrc = Uint8Array.of(...bytes, v.crc >> 8, v.crc & 0xff);
      assert.equal(crc16(withCrc), 0);
      // Low byte first would not check to 0: the order matters.
      if (v.crc >> 8 !== (v.crc & 0xff)) assert.notEqual(crc16(Uint8Array.of(...bytes, v.crc & 0xff, v.crc >> 8)), 0);
    });
  }

  test('of nothing is the initial value 0x0000', () => {
    assert.equal(crc16(new Uint8Array(0)), 0);
  });

  test('start and end select a range', () => {
    const bytes = fromHex('AA 3F 10 01 00 80 55');
    assert.equal(crc16(bytes, 1, 6), 0xd408);
    assert.equal(crc16(bytes, 1, 6), crc16(bytes.subarray(1, 6)));
    assert.equal(crc16(bytes, 3, 3), 0);
  });

  test('agrees with the bitwise definition on every single byte and on random inputs', () => {
    for (let b = 0; b < 256; b++) assert.equal(crc16(Uint8Array.of(b)), referenceCrc(Uint8Array.of(b)), `byte ${b}`);
    const r = rng(12345);
    for (let n = 0; n < 500; n++) {
      const bytes = Uint8Array.from({ length: n % 40 }, () => r.int(256));
      assert.equal(crc16(bytes), referenceCrc(bytes));
    }
  });

  test('every single-bit error in a body with CRC is detected', () => {
    const body = fromHex('3F 10 00 80 16 04 11 01 2A F0 24 63 03');
    assert.equal(crc16(body), 0);
    for (let i = 0; i < body.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = Uint8Array.from(body);
        flipped[i] = (flipped[i] as number) ^ (1 << bit);
        assert.notEqual(crc16(flipped), 0, `byte ${i} bit ${bit}`);
      }
    }
  });
});
