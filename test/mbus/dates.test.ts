// Date and time types G, F, I, J (mbus-protocol.md §6; EN 13757-3 Annex A, Tables A.5/A.6 as exmbus quotes them).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import { decodeDate, encodeDate, type DateRead } from '../../src/mbus/dates.js';
import { decodeRecords } from '../../src/mbus/records.js';
import { mbusCode } from './support.js';

function text(r: DateRead): string {
  if (!r.ok) return `invalid:${r.why}`;
  return `${r.text}${r.summerTime ? ' SU' : ''}${r.periodic ? ` (${r.periodic})` : ''}`;
}

const CASES: ReadonlyArray<{ type: string; df: number; bytes: string; shown: string; source: string }> = [
  // Type G
  { type: 'G', df: 2, bytes: '01 33', shown: '2024-03-01', source: '§6, §9.2 target date' },
  { type: 'G', df: 2, bytes: 'FF FF', shown: 'invalid:no date (FF FF)', source: '§6, Table A.6; §9.3' },
  { type: 'G', df: 2, bytes: '1F 0C', shown: '2000-12-31', source: 'year 0 → 2000' },
  { type: 'G', df: 2, bytes: '01 A1', shown: '2080-01-01', source: 'year 80 → 2080' },
  { type: 'G', df: 2, bytes: '21 A1', shown: '1981-01-01', source: 'year 81 → 1981' },
  // 99 = 0b1100011: bits 2–0 (011) in byte 0 bits 7–5, bits 6–3 (1100) in byte 1 bits 7–4.
  { type: 'G', df: 2, bytes: '61 C1', shown: '1999-01-01', source: 'year 99 → 1999' },
  { type: 'G', df: 2, bytes: '81 C3', shown: 'invalid:invalid date: year 100 in 81 C3', source: 'years 100–126 are invalid' },
  { type: 'G', df: 2, bytes: '1D 32', shown: '2024-02-29', source: 'leap year' },
  { type: 'G', df: 2, bytes: 'FD 22', shown: 'invalid:invalid date: day 29 in FD 22', source: '29 February 2023' },
  { type: 'G', df: 2, bytes: '1E 32', shown: 'invalid:invalid date: day 30 in 1E 32', source: '30 February' },
  { type: 'G', df: 2, bytes: '01 3D', shown: 'invalid:invalid date: month 13 in 01 3D', source: 'month 13' },
  { type: 'G', df: 2, bytes: '00 33', shown: '2024-03-XX (every day)', source: '§6 periodic: day 0' },
  { type: 'G', df: 2, bytes: '01 3F', shown: '2024-XX-01 (every month)', source: '§6 periodic: month 15' },
  { type: 'G', df: 2, bytes: 'E1 F3', shown: 'XXXX-03-01 (every year)', source: '§6 periodic: year 127' },
  // Type F
  { type: 'F', df: 4, bytes: '25 2E 0F 33', shown: '2024-03-15T14:37', source: '§6 and §9.2, hundred-year 1' },
  { type: 'F', df: 4, bytes: '25 0E 0F 33', shown: '2024-03-15T14:37', source: '§6: hundred-year 0, year ≤ 80 means the same' },
  { type: 'F', df: 4, bytes: '3B B7 44 37', shown: '2026-07-04T23:59 SU', source: '§9.3 telegram 2: SU, hundred-year 1' },
  { type: 'F', df: 4, bytes: '25 4E 0F 33', shown: '2124-03-15T14:37', source: 'hundred-year 2' },
  { type: 'F', df: 4, bytes: '00 00 21 AA', shown: '1981-10-01T00:00', source: 'hundred-year 0, year 81' },
  { type: 'F', df: 4, bytes: 'A5 2E 0F 33', shown: 'invalid:time invalid (IV bit set) in A5 2E 0F 33', source: '§6 IV bit' },
  { type: 'F', df: 4, bytes: '3F 2E 0F 33', shown: '2024-03-15T14:XX (every minute)', source: '§6 periodic: minute 63' },
  { type: 'F', df: 4, bytes: '25 3F 0F 33', shown: '2024-03-15TXX:37 (every hour)', source: '§6 periodic: hour 31' },
  { type: 'F', df: 4, bytes: '3C 2E 0F 33', shown: 'invalid:invalid datetime: minute 60 in 3C 2E 0F 33', source: 'minute 60' },
  { type: 'F', df: 4, bytes: '25 38 0F 33', shown: 'invalid:invalid datetime: hour 24 in 25 38 0F 33', source: 'hour 24' },
  { type: 'F', df: 4, bytes: '65 2E 0F 33', shown: '2024-03-15T14:37', source: 'byte 0 bit 6 is reserved' },
  // Type I
  { type: 'I', df: 6, bytes: '05 25 0E 0F 33 00', shown: '2024-03-15T14:37:05', source: '§6 type I' },
  { type: 'I', df: 6, bytes: '45 25 0E 0F 33 00', shown: '2024-03-15T14:37:05 SU', source: '§6 type I, summer time' },
  { type: 'I', df: 6, bytes: '05 A5 0E 0F 33 00', shown: 'invalid:time invalid (IV bit set) in 05 A5 0E 0F 33 00', source: '§6 IV' },
  { type: 'I', df: 6, bytes: '3F 25 EE 0F 33 8B', shown: '2024-03-15T14:37:XX (every second)', source: 'day of week, week: ignored' },
  // Type J
  { type: 'J', df: 3, bytes: '05 25 0E', shown: '14:37:05', source: '§6 type J' },
  { type: 'J', df: 3, bytes: '3F 3F 1F', shown: 'XX:XX:XX (every hour, every minute, every second)', source: 'periodic' },
  { type: 'J', df: 3, bytes: '3C 25 0E', shown: 'invalid:invalid time: second 60 in 3C 25 0E', source: 'second 60' },
];

describe('decodeDate', () => {
  for (const c of CASES) {
    test(`type ${c.type} ${c.bytes} → ${c.shown} (${c.source})`, () => {
      assert.equal(text(decodeDate(c.df, fromHex(c.bytes))), c.shown);
    });
  }

  test('a data field that is not a date type', () => {
    assert.match(text(decodeDate(5, fromHex('00 00 00 00'))), /not a date or time/);
  });
});

describe('encodeDate: the inverse, refusing what would not read back', () => {
  for (const c of CASES.filter((x) => !x.shown.startsWith('invalid'))) {
    test(`type ${c.type}: ${c.shown}`, () => {
      const d = decodeDate(c.df, fromHex(c.bytes));
      assert.ok(d.ok);
      const again = encodeDate(c.df, d.text, d.summerTime ?? false);
      assert.equal(text(decodeDate(c.df, again)), c.shown);
    });
  }

  test('type F is written with hundred-year 1 for 2000–2099, as the §9 vectors are', () => {
    assert.equal(toHex(encodeDate(4, '2024-03-15T14:37')), '25 2E 0F 33');
    assert.equal(toHex(encodeDate(4, '2026-07-04T23:59', true)), '3B B7 44 37');
    assert.equal(toHex(encodeDate(2, '2024-03-01')), '01 33');
  });

  test('refused: a year out of range, 30 February, a summer-time flag on type G, text of the wrong shape', () => {
    assert.equal(
      mbusCode(() => encodeDate(4, '2300-01-01T00:00')),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeDate(2, '2081-01-01')),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeDate(2, '1980-01-01')),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeDate(2, '2024-02-30')),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeDate(2, '2024-03-01', true)),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeDate(4, '2024-03-01')),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeDate(5, '2024-03-01')),
      'MBUS_ENCODE',
    );
  });
});

describe('dates in records (VIF 6C, 6D; §5)', () => {
  test('VIF 6D with DIF 04 (F), 06 (I), 03 (J); VIF 6C with DIF 02 (G)', () => {
    const r = decodeRecords(fromHex('04 6D 25 2E 0F 33 06 6D 05 25 0E 0F 33 00 03 6D 05 25 0E 02 6C 01 33'));
    assert.deepEqual(
      r.records.map((x) => [x.quantity, x.value]),
      [
        ['time point', { kind: 'datetime', text: '2024-03-15T14:37', summerTime: false }],
        ['time point', { kind: 'datetime', text: '2024-03-15T14:37:05', summerTime: false }],
        ['time point', { kind: 'time', text: '14:37:05' }],
        ['time point', { kind: 'date', text: '2024-03-01' }],
      ],
    );
    assert.ok(r.records.every((x) => x.problem === undefined && x.unit === ''));
  });

  test('FD 30 (start of tariff) and FD 70 (battery change) are dates too', () => {
    const r = decodeRecords(fromHex('02 FD 30 01 33 04 FD 70 25 2E 0F 33'));
    assert.deepEqual(
      r.records.map((x) => [x.quantity, x.value.kind]),
      [
        ['start of tariff', 'date'],
        ['date and time of battery change', 'datetime'],
      ],
    );
  });

  test('flagged: a date VIF with a BCD or real data field, a periodic date, an out-of-range date; IV and FF FF only invalid', () => {
    const r = decodeRecords(fromHex('0C 6D 25 2E 0F 33 02 6C 01 3F 02 6C 01 3D 04 6D A5 2E 0F 33 02 6C FF FF'));
    assert.deepEqual(r.problems, []);
    const [bcd, periodic, month13, iv, none] = r.records;
    assert.equal(bcd?.value.kind, 'invalid');
    assert.match(bcd?.problem ?? '', /data field 12 is not a date or time type/);
    assert.deepEqual(periodic?.value, { kind: 'date', text: '2024-XX-01' });
    assert.equal(periodic?.problem, 'periodic date: every month');
    assert.match(month13?.problem ?? '', /invalid date: month 13/);
    assert.equal(iv?.problem, undefined);
    assert.deepEqual(iv?.value, { kind: 'invalid', why: 'time invalid (IV bit set) in A5 2E 0F 33' });
    assert.equal(none?.problem, undefined);
  });
});
