// How register values are shown (kmp-protocol.md, "Application layer": date and time units; units from kmp-units.tsv).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { decodeRegisterRecords, encodeRawRecord, type RegisterRecord } from '../../src/kmp/app.js';
import {
  UNIT_ASCII,
  UNIT_DATETIME,
  UNIT_HHMMSS,
  UNIT_MMDD,
  UNIT_YYMMDD,
  UNIT_YYYYMMDD,
  formatRecord,
  isTextUnit,
} from '../../src/kmp/format.js';
import { fromHex } from '../../src/core/hex.js';
import { unitSymbol } from '../../src/kmp/registers.js';

/** A record as the meter sends it: id 1003, the unit, then LEN SIEX MANTISSA. */
function record(unit: number, lenSiexMantissa: string): RegisterRecord {
  const bytes = fromHex(`03 EB ${unit.toString(16).padStart(2, '0')} ${lenSiexMantissa}`);
  const records = decodeRegisterRecords(bytes);
  assert.equal(records.length, 1);
  return records[0]!;
}

/** A record whose mantissa holds the decimal digits `n` (unit 0x2F, 0x30 …), exponent 0. */
function digits(unit: number, n: number): RegisterRecord {
  const hex = n.toString(16).padStart(8, '0');
  return record(unit, `04 00 ${hex.slice(0, 2)} ${hex.slice(2, 4)} ${hex.slice(4, 6)} ${hex.slice(6, 8)}`);
}

describe('date and time units', () => {
  test('the unit codes are those of kmp-units.tsv', () => {
    assert.deepEqual([UNIT_HHMMSS, UNIT_YYMMDD, UNIT_YYYYMMDD, UNIT_MMDD, UNIT_ASCII, UNIT_DATETIME], [0x2f, 0x30, 0x31, 0x32, 0x36, 0x4f]);
    assert.equal(unitSymbol(UNIT_HHMMSS), 'hh:mm:ss');
    assert.equal(unitSymbol(UNIT_YYMMDD), 'yy:mm:dd');
    assert.equal(unitSymbol(UNIT_YYYYMMDD), 'yyyy:mm:dd');
    assert.equal(unitSymbol(UNIT_MMDD), 'mm:dd');
    assert.equal(unitSymbol(UNIT_DATETIME), 'yy:mm:dd hh:mm:ss');
  });

  const CASES: ReadonlyArray<{ source: string; unit: number; value: number; text: string }> = [
    // kmp-protocol.md, "Application layer": unit 0x30 yy:mm:dd 220901 = 2022-09-01; unit 0x2F hh:mm:ss 200243 = 20:02:43
    { source: 'kmp-protocol.md', unit: 0x30, value: 220901, text: '2022-09-01' },
    { source: 'kmp-protocol.md', unit: 0x2f, value: 200243, text: '20:02:43' },
    // Leading zeros are in the digits, not in the integer
    { source: 'leading zeros', unit: 0x30, value: 50102, text: '2005-01-02' },
    { source: 'leading zeros', unit: 0x2f, value: 105, text: '00:01:05' },
    { source: 'midnight', unit: 0x2f, value: 0, text: '00:00:00' },
    { source: 'kmp-units.tsv, 0x31 yyyymmdd', unit: 0x31, value: 20220901, text: '2022-09-01' },
    { source: 'kmp-units.tsv, 0x31 yyyymmdd', unit: 0x31, value: 19991231, text: '1999-12-31' },
    { source: 'kmp-units.tsv, 0x32 mmdd', unit: 0x32, value: 901, text: '09-01' },
    { source: 'kmp-units.tsv, 0x32 mmdd', unit: 0x32, value: 1231, text: '12-31' },
  ];
  for (const c of CASES) {
    test(`${c.source}: unit 0x${c.unit.toString(16).toUpperCase()} ${c.value} → ${c.text}`, () => {
      const f = formatRecord(digits(c.unit, c.value));
      assert.deepEqual(f, { text: c.text, numeric: false, unit: unitSymbol(c.unit) });
    });
  }

  test('a date in a 1-byte or 2-byte mantissa is the same date', () => {
    assert.equal(formatRecord(record(0x32, '02 00 03 85')).text, '09-01'); // 0x0385 = 901
    assert.equal(formatRecord(record(0x2f, '01 00 3B')).text, '00:00:59');
  });

  test('unit 0x4F: 7 mantissa bytes dst yy mm dd hh mi ss', () => {
    const [r] = decodeRegisterRecords(encodeRawRecord(1003, 0x4f, Uint8Array.of(0, 22, 9, 1, 20, 2, 43)));
    assert.deepEqual(formatRecord(r!), { text: '2022-09-01 20:02:43', numeric: false, unit: 'yy:mm:dd hh:mm:ss' });
    const [early] = decodeRegisterRecords(encodeRawRecord(1003, 0x4f, Uint8Array.of(1, 5, 1, 2, 3, 4, 5)));
    assert.equal(formatRecord(early!).text, '2005-01-02 03:04:05');
  });

  test('unit 0x4F with another length falls back to the number', () => {
    const r = record(0x4f, '02 00 01 00');
    assert.deepEqual(formatRecord(r), { text: '256', numeric: true, unit: 'yy:mm:dd hh:mm:ss' });
  });

  test('unit 0x36 ASCII: the text, NUL bytes dropped, unprintable bytes as ?', () => {
    const [r] = decodeRegisterRecords(
      encodeRawRecord(1126, 0x36, Uint8Array.from([...'MC403'].map((c) => c.charCodeAt(0)).concat([0, 0]))),
    );
    assert.deepEqual(formatRecord(r!), { text: 'MC403', numeric: false, unit: 'ASCII' });
    const [odd] = decodeRegisterRecords(encodeRawRecord(1126, 0x36, Uint8Array.of(0x41, 0x07, 0x7f, 0xc3, 0x42)));
    assert.equal(formatRecord(odd!).text, 'A???B');
  });

  test('isTextUnit is true for exactly the date, time and text units', () => {
    const text: number[] = [];
    for (let u = 0; u < 256; u++) if (isTextUnit(u)) text.push(u);
    assert.deepEqual(text, [0x2f, 0x30, 0x31, 0x32, 0x36, 0x4f]);
  });
});

describe('ordinary values print the exact decimal with the unit from the table', () => {
  const CASES: ReadonlyArray<{ source: string; unit: number; lsm: string; text: string; symbol: string }> = [
    // kmp-protocol.md, "Vectors", "Float", with units from kmp-units.tsv
    { source: 'Float vector', unit: 0x25, lsm: '02 42 18 C8', text: '63.44', symbol: '°C' },
    { source: 'Float vector', unit: 0x16, lsm: '04 C2 00 00 30 39', text: '-123.45', symbol: 'kW' },
    { source: 'Float vector', unit: 0x08, lsm: '04 03 05 39 7F B1', text: '87654321000', symbol: 'GJ' },
    { source: 'Float vector', unit: 0x02, lsm: '01 03 FF', text: '255000', symbol: 'kWh' },
    { source: 'Float vector', unit: 0x28, lsm: '04 43 00 00 00 FB', text: '0.251', symbol: 'm³' },
    { source: 'Float vector', unit: 0x16, lsm: '04 11 01 2A F0 24', text: '1959120400000000000000000', symbol: 'kW' },
    { source: 'kmp-units.tsv 0x00', unit: 0x00, lsm: '01 00 07', text: '7', symbol: '' },
    { source: 'kmp-units.tsv 0x33', unit: 0x33, lsm: '04 00 01 23 45 67', text: '19088743', symbol: '' },
    { source: 'trailing zeros are kept', unit: 0x26, lsm: '02 42 00 0A', text: '0.10', symbol: 'K' },
    { source: 'not in kmp-units.tsv', unit: 0x4b, lsm: '01 00 01', text: '1', symbol: 'unit 0x4B' },
  ];
  for (const c of CASES) {
    test(`${c.source}: unit 0x${c.unit.toString(16).toUpperCase()} ${c.lsm} → ${c.text} ${c.symbol}`, () => {
      assert.deepEqual(formatRecord(record(c.unit, c.lsm)), { text: c.text, numeric: true, unit: c.symbol });
    });
  }

  test('unitSymbol from the tables: 0x08 GJ, 0x00 and 0x33 empty, unknown codes named', () => {
    assert.equal(unitSymbol(0x08), 'GJ');
    assert.equal(unitSymbol(0x00), '');
    assert.equal(unitSymbol(0x33), '');
    assert.equal(unitSymbol(0x16), 'kW');
    assert.equal(unitSymbol(0x15), 'W');
    assert.equal(unitSymbol(0x25), '°C');
    assert.equal(unitSymbol(0xff), 'unit 0xFF');
  });
});
