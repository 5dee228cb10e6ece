// Secondary addressing: the CI 0x52 selection (mbus-protocol.md §2 "Secondary addressing", vectors of §9.1 and §9.3).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import { decodeManufacturer, encodeManufacturer } from '../../src/mbus/identity.js';
import { decodeFrame } from '../../src/mbus/link.js';
import {
  WILDCARD_MASK,
  decodeSelection,
  encodeSelection,
  parseSecondaryMask,
  selectSecondary,
  selectionMatches,
  type SecondaryMask,
} from '../../src/mbus/secondary.js';
import { mbusCode } from './support.js';

describe('select frames, byte for byte', () => {
  const VECTORS: ReadonlyArray<{ source: string; mask: SecondaryMask; bytes: string }> = [
    {
      source: '§9.1 IDs 3141xxxx, any manufacturer, version, medium',
      mask: { id: '3141FFFF' },
      bytes: '68 0B 0B 68 73 FD 52 FF FF 41 31 FF FF FF FF 2E 16',
    },
    {
      source: '§9.3 ID 31415926, TST, any version and medium',
      mask: { id: '31415926', manufacturer: 'TST' },
      bytes: '68 0B 0B 68 73 FD 52 26 59 41 31 74 52 FF FF 77 16',
    },
  ];
  for (const v of VECTORS) {
    test(`${v.source}: ${v.bytes}`, () => {
      assert.equal(toHex(selectSecondary(v.mask)), v.bytes);
      const f = decodeFrame(fromHex(v.bytes));
      assert.ok(f.kind === 'long' && f.ci === 0x52 && f.address === 0xfd && f.control === 0x73);
      if (f.kind === 'long') assert.deepEqual(decodeSelection(f.data), v.mask);
    });
  }

  test('a full mask: KAM (2D 2C), version 0x34, medium 0x0C; enhanced with the fabrication number (0C 78)', () => {
    const mask: SecondaryMask = { id: '58300187', manufacturer: 'KAM', version: 0x34, medium: 0x0c };
    assert.equal(toHex(encodeSelection(mask)), '87 01 30 58 2D 2C 34 0C');
    const enhanced = { ...mask, fabricationNumber: '71234567' };
    assert.equal(toHex(encodeSelection(enhanced)), '87 01 30 58 2D 2C 34 0C 0C 78 67 45 23 71');
    assert.deepEqual(decodeSelection(encodeSelection(enhanced)), enhanced);
    assert.equal(toHex(encodeSelection(WILDCARD_MASK)), 'FF FF FF FF FF FF FF FF');
  });

  test('bad masks are refused', () => {
    assert.equal(
      mbusCode(() => encodeSelection({ id: '3141FFF' })),
      'MBUS_BAD_REQUEST',
    );
    assert.equal(
      mbusCode(() => encodeSelection({ id: '3141EFFF' })),
      'MBUS_BAD_REQUEST',
      'only F is a wildcard',
    );
    assert.equal(
      mbusCode(() => encodeSelection({ id: '31415926', manufacturer: 'kam' })),
      'MBUS_BAD_REQUEST',
    );
    assert.equal(
      mbusCode(() => encodeSelection({ id: '31415926', version: 256 })),
      'MBUS_BAD_REQUEST',
    );
    assert.equal(
      mbusCode(() => decodeSelection(fromHex('FF FF 41 31 FF FF FF'))),
      'MBUS_LENGTH',
    );
  });
});

describe('matching and parsing', () => {
  const meter = { id: '58300187', manufacturer: 'KAM', version: 0x34, medium: 0x0c };
  test('wildcard nibbles and fields match anything, everything else must be equal', () => {
    assert.ok(selectionMatches(WILDCARD_MASK, meter));
    assert.ok(selectionMatches({ id: '5FFFFFFF' }, meter));
    assert.ok(selectionMatches({ id: 'FFFFFFF7' }, meter));
    assert.ok(!selectionMatches({ id: 'FFFFFFF8' }, meter));
    assert.ok(!selectionMatches({ id: '4FFFFFFF' }, meter));
    assert.ok(selectionMatches({ id: '58300187', manufacturer: 'KAM', version: 0x34, medium: 0x0c }, meter));
    assert.ok(!selectionMatches({ id: '58300187', manufacturer: 'TST' }, meter));
    assert.ok(!selectionMatches({ id: '58300187', version: 0x35 }, meter));
    assert.ok(!selectionMatches({ id: '58300187', medium: 0x04 }, meter));
    assert.ok(!selectionMatches({ id: '58300187', fabricationNumber: '71234567' }, meter));
    assert.ok(selectionMatches({ id: '58300187', fabricationNumber: '71234567' }, { ...meter, fabricationNumber: '71234567' }));
  });

  test('parseSecondaryMask: 8 digits, or libmbus IIIIIIIIMMMMVVTT with the manufacturer in wire order', () => {
    assert.deepEqual(parseSecondaryMask('3141ffff'), { id: '3141FFFF' });
    assert.deepEqual(parseSecondaryMask('583001872D2C340C'), { id: '58300187', manufacturer: 'KAM', version: 0x34, medium: 0x0c });
    assert.deepEqual(parseSecondaryMask('58300187FFFFFFFF'), { id: '58300187' });
    assert.equal(
      mbusCode(() => parseSecondaryMask('5830018')),
      'MBUS_BAD_REQUEST',
    );
    assert.equal(
      mbusCode(() => parseSecondaryMask('583001870000FFFF')),
      'MBUS_BAD_REQUEST',
    );
  });

  test('manufacturer letters: KAM = 0x2C2D, AAA and ZZZ are the ends of the range (§3)', () => {
    assert.equal(encodeManufacturer('KAM'), 0x2c2d);
    assert.equal(encodeManufacturer('TST'), 0x5274);
    assert.equal(encodeManufacturer('AAA'), 0x0421);
    assert.equal(encodeManufacturer('ZZZ'), 0x6b5a);
    assert.deepEqual(decodeManufacturer(0x2c2d), { text: 'KAM', valid: true });
    assert.deepEqual(decodeManufacturer(0x0420), { text: '0x0420', valid: false });
    assert.deepEqual(decodeManufacturer(0x6b5b), { text: '0x6B5B', valid: false });
    assert.deepEqual(decodeManufacturer(0x043f), { text: '0x043F', valid: false }, 'in range, but the third letter is 31');
  });
});
