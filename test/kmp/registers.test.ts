// Register and unit names: one source, ../shared/data/kmp-registers.tsv and kmp-units.tsv, turned into
// src/kmp/tables.generated.ts by scripts/gen-tables.mjs (kmp-protocol.md, "Tables of registers and units").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  CLASSIC_TEST_REGISTERS,
  allRegisters,
  registerInfo,
  registerName,
  unitCode,
  unitInfo,
  unitSymbol,
} from '../../src/kmp/registers.js';
import { REGISTER_ROWS, UNIT_ROWS } from '../../src/kmp/tables.generated.js';
import { DATA, ROOT, readTsv } from '../support/shared-data.js';

describe('the generated tables agree with the TSV files', () => {
  // The TSVs are the single source of names and units: they sit in ../shared/data here and in CI.
  test('the TSV files are there', () => {
    assert.ok(existsSync(join(DATA, 'kmp-registers.tsv')) && existsSync(join(DATA, 'kmp-units.tsv')), `no TSV files in ${DATA}`);
  });

  test('kmp-registers.tsv, row for row', () => {
    const [header, ...rows] = readTsv('kmp-registers.tsv');
    assert.deepEqual(header, ['id_hex', 'id_dec', 'name', 'family']);
    assert.ok(rows.length > 100, 'the table is not empty');
    assert.equal(REGISTER_ROWS.length, rows.length);
    rows.forEach((row, i) => {
      const [idHex = '', idDec = '', name = '', family = ''] = row;
      assert.equal(Number.parseInt(idHex, 16), Number(idDec), `row ${i + 2}: hex and decimal ids agree`);
      assert.deepEqual(REGISTER_ROWS[i], [Number(idDec), name, family], `row ${i + 2}`);
    });
  });

  test('kmp-units.tsv, row for row', () => {
    const [header, ...rows] = readTsv('kmp-units.tsv');
    assert.deepEqual(header, ['code_hex', 'code_dec', 'unit', 'note']);
    assert.equal(UNIT_ROWS.length, rows.length);
    rows.forEach((row, i) => {
      const [codeHex = '', codeDec = '', unit = '', note = ''] = row;
      assert.equal(Number.parseInt(codeHex, 16), Number(codeDec), `row ${i + 2}: hex and decimal codes agree`);
      assert.deepEqual(UNIT_ROWS[i], [Number(codeDec), unit, note], `row ${i + 2}`);
      assert.equal(unitSymbol(Number(codeDec)), unit);
    });
  });

  test('node scripts/gen-tables.mjs --check exits 0', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'gen-tables.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('register names', () => {
  test('ids are unique and sorted, and every register has a name and a family', () => {
    const ids = REGISTER_ROWS.map(([id]) => id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    );
    for (const r of allRegisters()) {
      assert.ok(r.name.length > 0, `${r.id} has a name`);
      assert.ok(r.families.length > 0 && r.families.every((f) => f.length > 0), `${r.id} has families`);
    }
    assert.equal(allRegisters().length, REGISTER_ROWS.length);
  });

  // kmp-protocol.md, "The registers users read most (heat meters)"
  test('the registers users read most', () => {
    const NAMES: ReadonlyArray<[number, string]> = [
      [60, 'Heat Energy (E1)'],
      [68, 'Volume'],
      [74, 'Flow'],
      [80, 'Power'],
      [86, 'Temp1'],
      [87, 'Temp2'],
      [89, 'Tempdiff'],
      [99, 'InfoCode'],
      [113, 'Infoevent'],
      [1004, 'HourCounter'],
    ];
    for (const [id, name] of NAMES) assert.equal(registerName(id), name, `register ${id}`);
    for (const id of [266, 1001, 1002, 1003]) assert.ok(registerInfo(id), `register ${id} is known`);
    assert.deepEqual(registerInfo(68)?.families, ['heat', 'water']);
  });

  // kmp-protocol.md: "The classic 402 script's --test_kamstrup list is these 31 ids"
  test('the classic 31 test registers, in order, all named', () => {
    assert.deepEqual(
      [...CLASSIC_TEST_REGISTERS],
      [
        60, 80, 86, 87, 89, 74, 68, 141, 139, 140, 138, 145, 143, 149, 150, 144, 142, 126, 124, 125, 123, 130, 128, 146, 147, 129, 127, 97,
        110, 113, 1004,
      ],
    );
    assert.equal(new Set(CLASSIC_TEST_REGISTERS).size, 31);
    for (const id of CLASSIC_TEST_REGISTERS) {
      assert.ok(registerInfo(id), `register ${id} is in the table`);
      assert.doesNotMatch(registerName(id), /^Register \d+$/);
    }
  });

  test('an unknown register gets a made-up name, not undefined', () => {
    assert.equal(registerInfo(9999), undefined);
    assert.equal(registerName(9999), 'Register 9999');
  });
});

describe('units', () => {
  test('by code and by symbol', () => {
    assert.equal(unitSymbol(0x08), 'GJ');
    assert.equal(unitSymbol(0x00), '');
    assert.equal(unitSymbol(0x33), '');
    assert.equal(unitInfo(0x33)?.note, 'plain number (serial numbers, counters, info codes)');
    assert.equal(unitInfo(0x4b), undefined);
    assert.equal(unitSymbol(0x4b), 'unit 0x4B');
    assert.equal(unitCode('GJ'), 0x08);
    assert.equal(unitCode('kWh'), 0x02);
    assert.equal(unitCode('MWh'), 0x03);
    assert.equal(unitCode('°C'), 0x25);
    assert.equal(unitCode('m³'), 0x28);
    assert.equal(unitCode(''), 0x00);
    for (const [code, symbol] of UNIT_ROWS) if (symbol !== '') assert.equal(unitCode(symbol), code, symbol);
    assert.throws(() => unitCode('furlongs'), RangeError);
  });
});
