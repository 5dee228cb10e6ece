// Records → KMP registers (mbus-protocol.md §8; register names in kmp-registers.tsv).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex } from '../../src/core/hex.js';
import { decodeRecords } from '../../src/mbus/records.js';
import { REGISTER_RULES, assignRegisters } from '../../src/mbus/registers.js';
import { readTsv } from '../support/shared-data.js';

/** KMP register names from kmp-registers.tsv (id_hex, id_dec, name, family). */
const NAMES = new Map(
  readTsv('kmp-registers.tsv')
    .slice(1)
    .map(([, id = '', name = '']) => [Number(id), name]),
);
const registerName = (id: number): string => NAMES.get(id) ?? `Register ${id}`;

/** The register each record of the hex gets, after the whole set is assigned (KAM header). */
function registers(hex: string, manufacturer = 'KAM'): Array<number | undefined> {
  const r = decodeRecords(fromHex(hex), { manufacturer });
  assert.deepEqual(r.problems, []);
  return assignRegisters(r.records).map((x) => x.register);
}

describe('§8: the record shapes of a MULTICAL and their KMP registers', () => {
  const ROWS: ReadonlyArray<{ record: string; register: number | undefined; name?: string; why: string }> = [
    { record: '04 06 01 00 00 00', register: 60, name: 'Heat Energy (E1)', why: 'E1 in kWh' },
    { record: '04 0F 01 00 00 00', register: 60, name: 'Heat Energy (E1)', why: 'E1 in 0.01 GJ' },
    { record: '04 FB 00 01 00 00 00', register: 60, name: 'Heat Energy (E1)', why: 'E1 in MWh (table FB)' },
    { record: '04 86 3C 01 00 00 00', register: 63, name: 'Cooling Energy E3', why: 'E3: VIFE 3C' },
    { record: '04 86 BC 75 01 00 00 00', register: 63, name: 'Cooling Energy E3', why: 'E3 with a correction factor' },
    { record: '04 FF 07 01 00 00 00', register: 97, name: 'Temp1xm3', why: 'E8' },
    { record: '04 FF 08 01 00 00 00', register: 110, name: 'Temp2xm3', why: 'E9' },
    { record: '04 14 01 00 00 00', register: 68, name: 'Volume', why: 'V1' },
    { record: '04 22 01 00 00 00', register: 1004, name: 'HourCounter', why: 'hour counter' },
    { record: '34 22 01 00 00 00', register: 175, name: 'Error hour counter', why: 'on time, value during error state' },
    { record: '02 59 01 00', register: 86, name: 'Temp1', why: 'T1' },
    { record: '02 5D 01 00', register: 87, name: 'Temp2', why: 'T2' },
    { record: '02 61 01 00', register: 89, name: 'Tempdiff', why: 'T1 − T2' },
    { record: '04 2D 01 00 00 00', register: 80, name: 'Power', why: 'power' },
    { record: '14 2D 01 00 00 00', register: 143, name: 'MaxPower_M', why: 'max power (monthly by default)' },
    { record: '04 3B 01 00 00 00', register: 74, name: 'Flow', why: 'flow' },
    { record: '14 3B 01 00 00 00', register: 139, name: 'MaxFlow_M', why: 'max flow' },
    { record: '04 FF 22 01 00 00 00', register: 99, name: 'InfoCode', why: 'info code, 32 bits' },
    { record: '02 FF 22 01 00', register: 99, name: 'InfoCode', why: 'info code, 16 bits (MULTICAL 303)' },
    { record: '84 10 06 01 00 00 00', register: 64, name: 'Tariff TA2', why: 'tariff 1' },
    { record: '84 20 0F 01 00 00 00', register: 65, name: 'Tariff TA3', why: 'tariff 2' },
    { record: '84 40 14 01 00 00 00', register: 84, name: 'Pulse input A1', why: 'VA, subunit 1' },
    { record: '84 80 40 14 01 00 00 00', register: 85, name: 'Pulse input B1', why: 'VB, subunit 2' },
    { record: '0C 78 67 45 23 71', register: 1001, name: 'Fabrication No', why: 'serial number' },
    { record: '04 6D 25 2E 0F 33', register: 1002, why: 'date and time: the meter clock' },
    { record: '03 6D 05 25 0E', register: 1002, why: 'time of day (type J)' },
    { record: '02 6C 01 33', register: 1003, why: 'date (type G) in storage 0' },
    { record: '42 6C 01 33', register: 98, name: 'Target Date', why: 'target date' },
    // No id: target-date values, other tariffs and subunits, other functions, kept VIFEs, other units.
    { record: '44 06 01 00 00 00', register: undefined, why: 'E1 at the target date (storage 1)' },
    { record: '44 FF 07 01 00 00 00', register: undefined, why: 'E8 at the target date' },
    { record: 'C4 40 14 01 00 00 00', register: undefined, why: 'VA at the target date' },
    { record: '54 2D 01 00 00 00', register: undefined, why: 'max power at the target date' },
    { record: '24 2D 01 00 00 00', register: undefined, why: 'minimum power' },
    { record: '34 2D 01 00 00 00', register: undefined, why: 'power during error state' },
    { record: '84 30 06 01 00 00 00', register: undefined, why: 'tariff 3' },
    { record: '84 10 14 01 00 00 00', register: undefined, why: 'volume in tariff 1' },
    { record: '84 40 06 01 00 00 00', register: undefined, why: 'energy of subunit 1' },
    { record: '84 C0 40 14 01 00 00 00', register: undefined, why: 'subunit 3' },
    { record: '04 86 3B 01 00 00 00', register: undefined, why: 'energy, forward flow only' },
    { record: '04 86 22 01 00 00 00', register: undefined, why: 'energy per hour' },
    { record: '04 23 01 00 00 00', register: undefined, why: 'on time in days' },
    { record: '04 26 01 00 00 00', register: undefined, why: 'operating time' },
    { record: '04 FD 17 01 00 00 00', register: undefined, why: 'error flags (FD 17) are not the info code' },
    { record: '04 86 15 01 00 00 00', register: undefined, why: 'record error: no valid value' },
    { record: '0C 06 FF FF FF FF', register: undefined, why: 'BCD without a value' },
    { record: '04 86 78 01 00 00 00', register: undefined, why: 'additive correction: flagged' },
    { record: '02 6C 01 3F', register: undefined, why: 'periodic date: flagged' },
    { record: '0D FD 0E 01 41', register: undefined, why: 'text' },
  ];
  for (const row of ROWS) {
    test(`${row.record} → ${String(row.register)} (${row.why})`, () => {
      assert.deepEqual(registers(row.record), [row.register]);
      if (row.name && row.register !== undefined) assert.equal(registerName(row.register), row.name);
    });
  }

  test('Kamstrup codes only for KAM', () => {
    assert.deepEqual(registers('04 FF 22 01 00 00 00', 'TST'), [undefined]);
    assert.deepEqual(registers('04 FF 07 01 00 00 00', 'TST'), [undefined]);
  });

  test('every register of the rules is in kmp-registers.tsv', () => {
    for (const rule of REGISTER_RULES) assert.doesNotMatch(registerName(rule.register), /^Register \d+$/, String(rule.register));
  });
});

describe('one id per telegram: the first record wins, the later one is flagged', () => {
  test('two E1 records', () => {
    const hex = '04 06 01 00 00 00 04 0F 02 00 00 00 04 14 03 00 00 00';
    const r = assignRegisters(decodeRecords(fromHex(hex), { manufacturer: 'KAM' }).records);
    assert.deepEqual(
      r.map((x) => x.register),
      [60, undefined, 68],
    );
    assert.equal(r[1]?.problem, 'register 60 already taken by record 1 (DIF 04 VIF 06)');
    assert.equal(r[0]?.problem, undefined);
  });

  test('a date-and-time and a time record both claim 1002', () => {
    const r = assignRegisters(decodeRecords(fromHex('04 6D 25 2E 0F 33 03 6D 05 25 0E')).records);
    assert.deepEqual(
      r.map((x) => x.register),
      [1002, undefined],
    );
    assert.match(r[1]?.problem ?? '', /register 1002 already taken by record 1/);
  });

  test('assigning twice gives the same result (no stale ids)', () => {
    const once = assignRegisters(decodeRecords(fromHex('04 06 01 00 00 00 04 06 02 00 00 00')).records);
    assert.deepEqual(
      assignRegisters(once).map((x) => x.register),
      [60, undefined],
    );
    assert.deepEqual(
      assignRegisters(once.slice(1)).map((x) => x.register),
      [undefined],
      'a flagged record stays flagged',
    );
  });
});
