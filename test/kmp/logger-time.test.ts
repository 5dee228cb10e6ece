// Time stamps of log entries from the meter's clock (kmp-loggers.md, "Time stamps in log entries": the
// unit-79 table and its three vectors; worked example 3 for 1003).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { fromHex } from '../../src/core/hex.js';
import { decodeRegisterRecords, encodeRawRecord, encodeRegisterRecord, type RegisterRecord } from '../../src/kmp/app.js';
import { decodeFrame } from '../../src/kmp/frame.js';
import { decodeLogReadoutReply } from '../../src/kmp/logger-readout.js';
import { clockDigits, dateDigits, decodeDateTime79, entryTimestamp } from '../../src/kmp/logger-time.js';
import { assertKmp } from './support.js';

const dt = (hex: string): RegisterRecord => decodeRegisterRecords(encodeRawRecord(348, 79, fromHex(hex)))[0]!;
const date = (yymmdd: number): RegisterRecord =>
  decodeRegisterRecords(encodeRegisterRecord({ id: 1003, unitCode: 48, value: Decimal.of(yymmdd), length: 4 }))[0]!;
const clock = (hhmmss: number): RegisterRecord =>
  decodeRegisterRecords(encodeRegisterRecord({ id: 1002, unitCode: 47, value: Decimal.of(hhmmss), length: 4 }))[0]!;

describe('unit 79: standard time + summer-time offset = wall clock, no zone written', () => {
  // mantissa, local (wall clock), standard, offset; source column of the doc's table
  const table: Array<[string, string, string, number, string]> = [
    ['00 1A 01 17 13 13 2F', '2026-01-23T19:19:47', '2026-01-23T19:19:47', 0, 'GetRegister 348 on a MULTICAL 603'],
    ['3C 10 06 1E 0E 30 37', '2016-06-30T15:48:55', '2016-06-30T14:48:55', 60, 'fork wip/register-printing, "a KMP document"'],
    ['3C 1A 04 15 0C 07 1E', '2026-04-21T13:07:30', '2026-04-21T12:07:30', 60, 'same branch: LogView shows 13:07:30'],
  ];
  for (const [hex, local, standard, offset, source] of table) {
    test(`${hex} → ${local} (${source})`, () => {
      const t = decodeDateTime79(fromHex(hex));
      assert.deepEqual(t, { local, standard, dstOffsetMinutes: offset, summerTime: offset !== 0, source: 'datetime' });
      assert.deepEqual(entryTimestamp([clock(0), dt(hex), date(991231)]), t, '348 wins over 1003/1002');
    });
  }

  test('the offset carries over midnight and the year end', () => {
    assert.equal(decodeDateTime79(fromHex('3C 1A 0C 1F 17 30 00')).local, '2027-01-01T00:48:00');
    assert.equal(decodeDateTime79(fromHex('3C 18 02 1C 17 00 00')).local, '2024-02-29T00:00:00');
  });

  test('a value that is no date and time is a KmpError', () => {
    const bad = ['00 1A 00 01 00 00 00', '00 1A 0D 01 00 00 00', '00 1A 02 1E 00 00 00', '00 19 02 1D 00 00 00'];
    for (const hex of [...bad, '00 1A 01 01 18 01 00', '00 1A 01 01 00 3C 00', '00 1A 01 01 00 00 3C']) {
      assertKmp(() => decodeDateTime79(fromHex(hex)), 'KMP_BAD_RECORD', /not a valid date/);
    }
    assertKmp(() => decodeDateTime79(fromHex('00 1A 01 01 00 00')), 'KMP_BAD_RECORD', /7 mantissa bytes/);
    assertKmp(() => entryTimestamp([{ ...dt('00 1A 01 01 00 00 00'), unitCode: 48 }]), 'KMP_BAD_RECORD', /unit 48, 79 expected/);
  });
});

describe('1003 (yy:mm:dd digits) with 1002 (hh:mm:ss digits), or 1003 alone at 00:00', () => {
  test('worked example 3: the yearly entries are 2026-01-01 and 2025-01-01 at 00:00', () => {
    const wire = '40 3F B8 1B F9 02 00 02 01 00 00 00 02 00 00 00 02 00 C0 03 EB 30 04 00 00 03 F8 05 00 03 D0 F5 AA 3A 0D';
    const r = decodeLogReadoutReply(decodeFrame(fromHex(wire)).data);
    const noDst = { dstOffsetMinutes: undefined, summerTime: undefined, source: 'date' };
    assert.deepEqual(
      r.entries.map((e) => [e.logId, entryTimestamp(e.records)]),
      [
        [2, { local: '2026-01-01T00:00:00', standard: '2026-01-01T00:00:00', ...noDst }],
        [1, { local: '2025-01-01T00:00:00', standard: '2025-01-01T00:00:00', ...noDst }],
      ],
    );
  });

  test('date and clock; no DST information', () => {
    assert.deepEqual(entryTimestamp([date(220901), clock(200243)]), {
      local: '2022-09-01T20:02:43',
      standard: '2022-09-01T20:02:43',
      dstOffsetMinutes: undefined,
      summerTime: undefined,
      source: 'date+clock',
    });
    assert.deepEqual(dateDigits(date(260123)), { year: 2026, month: 1, day: 23 });
    assert.deepEqual(clockDigits(clock(191947)), { hour: 19, minute: 19, second: 47 });
  });

  test('24:00:00 (the 402/602/801 convention) is the next day 00:00', () => {
    assert.equal(entryTimestamp([date(251231), clock(240000)])?.local, '2026-01-01T00:00:00');
    assertKmp(() => entryTimestamp([date(251231), clock(240001)]), 'KMP_BAD_RECORD', /not a valid/);
  });

  test('no time registers: undefined; 1002 alone is no time stamp', () => {
    assert.equal(entryTimestamp([]), undefined);
    assert.equal(entryTimestamp([clock(120000)]), undefined);
  });

  test('wrong unit, SIEX not 0, more than 6 digits, an impossible date: KmpError', () => {
    assertKmp(() => entryTimestamp([{ ...date(220901), unitCode: 47 }]), 'KMP_BAD_RECORD', /unit 47, 48 expected/);
    assertKmp(() => entryTimestamp([{ ...date(220901), siex: 0x41 }]), 'KMP_BAD_RECORD', /SIEX/);
    assertKmp(() => entryTimestamp([date(1220901)]), 'KMP_BAD_RECORD', /more than 6 digits/);
    assertKmp(() => entryTimestamp([date(0)]), 'KMP_BAD_RECORD', /not a valid date/);
    assertKmp(() => entryTimestamp([date(230229)]), 'KMP_BAD_RECORD', /not a valid date/);
    assert.equal(entryTimestamp([date(240229)])?.local, '2024-02-29T00:00:00');
  });
});
