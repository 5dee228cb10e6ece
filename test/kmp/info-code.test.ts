// Kamstrup info codes (kamstrup-info-codes.md: "Examples", "Bit layouts in short", "Disagreements";
// mbus-protocol.md §7 for the version byte), one source: ../shared/data/kamstrup-info-codes.tsv through
// src/kmp/info-codes.generated.ts.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Decimal } from '../../src/core/decimal.js';
import { decodeRegisterRecords, encodeRegisterRecord } from '../../src/kmp/app.js';
import { KmpError } from '../../src/kmp/errors.js';
import {
  BIT2_EITHER,
  INFO_CATEGORY_TRAITS,
  INFO_CODE_LAYOUTS,
  INFO_FLAG_CATEGORY,
  MBUS_FD17_LAYOUT,
  decodeInfoCode,
  domoticzAlertLevel,
  infoCodeFromRecord,
  layoutForModel,
  modelFromMbusVersion,
  type InfoCodeLayoutId,
} from '../../src/kmp/info-code.js';
import { INFO_CODE_ROWS } from '../../src/kmp/info-codes.generated.js';
import { ROOT, readTsv } from '../support/shared-data.js';

/** M-Bus integers are little-endian (kamstrup-info-codes.md, "Reading the bits"). */
function mbusValue(hex: string): bigint {
  const bytes = hex.split(' ').slice(3).reverse().join(''); // after DIF, VIF, VIFE
  return BigInt('0x' + bytes);
}

const names = (value: bigint | number, layout: InfoCodeLayoutId): string[] => decodeInfoCode(value, layout).flags.map((f) => f.name);
const bits = (value: bigint | number, layout: InfoCodeLayoutId): number[] => decodeInfoCode(value, layout).flags.map((f) => f.bit);

describe('the Examples table of kamstrup-info-codes.md', () => {
  test('MULTICAL 803, M-Bus 04 FF 22 60 00 01 00 → 0x00010060, bits 5, 6, 16', () => {
    const model = modelFromMbusVersion(0x39);
    assert.equal(model, '803');
    const value = mbusValue('04 FF 22 60 00 01 00');
    assert.equal(value, 0x00010060n);
    const layout = layoutForModel(model);
    const d = decodeInfoCode(value, layout);
    assert.deepEqual(
      d.flags.map((f) => [f.bit, f.name, f.category]),
      [
        [5, 'SENSOR_T1_BELOW_MEASURING_RANGE', 'problem'],
        [6, 'SENSOR_T2_BELOW_MEASURING_RANGE', 'problem'],
        [16, 'V1_COMMUNICATION_ERROR', 'problem'],
      ],
    );
    assert.equal(d.flags[0]?.meaning, 't1 below measuring range or short-circuited');
  });

  test('MULTICAL 303, M-Bus 02 FF 22 00 02 → 0x0200, bit 9 wrong flow direction', () => {
    const model = modelFromMbusVersion(0x40);
    assert.equal(model, '303');
    assert.equal(mbusValue('02 FF 22 00 02'), 0x0200n);
    assert.deepEqual(names(mbusValue('02 FF 22 00 02'), layoutForModel(model).id), ['WRONG_FLOW_DIRECTION']);
  });

  test('MULTICAL 602, display 12 → bits 2, 3: T2 and T1 outside the measuring range', () => {
    assert.deepEqual(bits(12, 'mc602'), [2, 3]);
    const expected = ['SENSOR_T2_OUTSIDE_MEASURING_RANGE', 'SENSOR_T1_OUTSIDE_MEASURING_RANGE'];
    assert.deepEqual(names(12, layoutForModel('MULTICAL 602').id), expected);
  });

  test('MULTICAL 403, display 10200090 → 0x4041: no voltage supply, t2 below range, In-A external alarm', () => {
    assert.deepEqual(bits(0x4041, 'mc403'), [0, 6, 14]);
    const d = decodeInfoCode(0x4041, layoutForModel('403'));
    assert.deepEqual(
      d.flags.map((f) => [f.name, f.category]),
      [
        ['VOLTAGE_INTERRUPTED', 'info'],
        ['SENSOR_T2_BELOW_MEASURING_RANGE', 'problem'],
        ['IN_A1_A2_EXTERNAL_ALARM', 'alarm'],
      ],
    );
    assert.equal(domoticzAlertLevel(d), 4);
  });
});

describe('layouts by model', () => {
  test('model → layout; 402 with its caveat; unknown → common', () => {
    const table: Array<[string | undefined, InfoCodeLayoutId]> = [
      ['403', 'mc403'],
      ['MULTICAL 403', 'mc403'],
      ['mc603', 'mc603'],
      ['MULTICAL 803', 'mc603'],
      ['303', 'mc303'],
      ['602', 'mc602'],
      ['402', 'mc602'],
      ['302', 'common'],
      ['601', 'common'],
      ['flowIQ 2200', 'common'],
      ['', 'common'],
      [undefined, 'common'],
    ];
    for (const [model, id] of table) assert.equal(layoutForModel(model).id, id, String(model));
    assert.ok(layoutForModel('402').caveats.some((c) => c.includes('#386')));
    assert.ok(layoutForModel('803').caveats.some((c) => c.includes('backup battery')));
  });

  test('bit 2: external alarm on the 403, "external alarm or sensor error" on 303/603/803, T2 on the 602', () => {
    assert.deepEqual(names(4, 'mc403'), ['EXTERNAL_ALARM']);
    assert.equal(decodeInfoCode(4, 'mc403').flags[0]?.category, 'alarm');
    for (const id of ['mc603', 'mc303'] as const) {
      const [flag] = decodeInfoCode(4, id).flags;
      assert.equal(flag?.name, BIT2_EITHER);
      assert.equal(flag?.category, 'problem');
      assert.deepEqual(
        flag?.alternatives?.map((a) => a.name),
        ['EXTERNAL_ALARM', 'SENSOR_ERROR'],
      );
    }
    assert.deepEqual(names(4, 'mc602'), ['SENSOR_T2_OUTSIDE_MEASURING_RANGE']);
  });

  test('unknown model: only bit 0 is named, every other set bit is BIT_n', () => {
    assert.deepEqual(names(0x4041, 'common'), ['VOLTAGE_INTERRUPTED', 'BIT_6', 'BIT_14']);
    assert.deepEqual(names(0xffffn, 'common').slice(0, 3), ['VOLTAGE_INTERRUPTED', 'BIT_1', 'BIT_2']);
    const [, bit6] = decodeInfoCode(0x41, 'common').flags;
    assert.equal(bit6?.category, 'unknown');
    assert.match(bit6?.meaning ?? '', /depends on the meter model/);
  });

  test('bits above a layout are BIT_n: the 303 has 16, the 602 16, the 603 32', () => {
    assert.deepEqual(names(0x18000n, 'mc303'), ['IN_B1_B2_EXTERNAL_ALARM', 'BIT_16']);
    assert.deepEqual(names(0x10000, 'mc602'), ['BIT_16']);
    assert.deepEqual(names(0x80000000n, 'mc603'), ['V1_V2_LEAKAGE_WATER_PENETRATION']);
    assert.deepEqual(names(1n << 40n, 'mc603'), ['BIT_40']);
    assert.deepEqual(decodeInfoCode(0, 'mc603'), { value: 0n, layout: 'mc603', flags: [] });
  });

  test('M-Bus: version byte → model (mbus-protocol.md §7); FD 17 uses the 602 layout', () => {
    const table: Array<[number, string]> = [
      [0x34, '403'],
      [0x35, '603'],
      [0x39, '803'],
      [0x40, '303'],
      [0x1c, '602'],
      [0x19, '402'],
      [0x30, '302'],
      [0x08, '601'],
    ];
    for (const [version, model] of table) assert.equal(modelFromMbusVersion(version), model);
    assert.equal(modelFromMbusVersion(0x01), undefined);
    assert.equal(MBUS_FD17_LAYOUT, 'mc602');
  });

  test('a value that is no bit field', () => {
    assert.throws(() => decodeInfoCode(-1, 'mc603'), RangeError);
    assert.throws(() => decodeInfoCode(1.5, 'mc603'), RangeError);
    assert.throws(() => decodeInfoCode(-1n, 'mc603'), RangeError);
  });
});

describe('one source: the TSV, the generated table and every row reachable', () => {
  test('generated rows equal the TSV rows, first 33 the 303/403/603/803 layout, the last 16 the 602 layout', () => {
    const [header, ...rows] = readTsv('kamstrup-info-codes.tsv');
    assert.deepEqual(header, ['bit', 'mask_hex', 'name', 'meaning', 'models', 'source']);
    assert.equal(INFO_CODE_ROWS.length, rows.length);
    rows.forEach((row, i) => {
      const [bit = '', mask = '', name = '', meaning = '', models = '', source = ''] = row;
      assert.equal(Number.parseInt(mask, 16), 2 ** Number(bit), `row ${i + 2}: mask and bit agree`);
      assert.deepEqual(INFO_CODE_ROWS[i], [i < 33 ? 'modern' : 'mc602', Number(bit), name, meaning, models, source], `row ${i + 2}`);
    });
  });

  test('every TSV row is reachable: a flag, or an alternative of the disputed bit 2', () => {
    const layouts = Object.keys(INFO_CODE_LAYOUTS) as InfoCodeLayoutId[];
    for (const [, bit, name, meaning] of INFO_CODE_ROWS) {
      const found = layouts.some((l) =>
        decodeInfoCode(1n << BigInt(bit), l).flags.some(
          (f) => (f.name === name && f.meaning === meaning) || f.alternatives?.some((a) => a.name === name && a.meaning === meaning),
        ),
      );
      assert.ok(found, `${name} (bit ${bit}) is decoded by some layout`);
    }
  });

  test('node scripts/gen-info-codes.mjs --check exits 0', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'gen-info-codes.mjs'), '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe('categories for sinks', () => {
  test('every name has a category; the brief examples', () => {
    for (const [, , name] of INFO_CODE_ROWS) assert.ok(INFO_FLAG_CATEGORY[name] !== undefined, name);
    const table: Array<[keyof typeof INFO_FLAG_CATEGORY, string]> = [
      ['LOW_BATTERY_LEVEL', 'battery'],
      ['IN_A1_LEAKAGE_IN_THE_SYSTEM', 'leak'],
      ['V1_V2_BURST_WATER_LOSS', 'leak'],
      ['LEAKAGE_COLD_WATER', 'leak'],
      ['BURST_WATER_LOSS', 'leak'],
      ['FLOW_SENSOR_WEAK_OR_AIR', 'problem'],
      ['V2_WRONG_FLOW_DIRECTION', 'problem'],
      ['V1_COMMUNICATION_ERROR', 'problem'],
      ['SENSOR_T1_OUTSIDE_MEASURING_RANGE', 'problem'],
      ['VOLTAGE_INTERRUPTED', 'info'],
      ['FLOW_INCREASED', 'info'],
      ['RESERVED_BIT_10', 'unknown'],
    ];
    for (const [name, category] of table) assert.equal(INFO_FLAG_CATEGORY[name], category, name);
  });

  test('Home Assistant device class and Domoticz alert level per category', () => {
    assert.deepEqual(
      Object.entries(INFO_CATEGORY_TRAITS).map(([c, t]) => [c, t.haDeviceClass, t.domoticzLevel]),
      [
        ['leak', 'moisture', 4],
        ['alarm', 'safety', 4],
        ['battery', 'battery', 3],
        ['problem', 'problem', 3],
        ['info', undefined, 2],
        ['unknown', 'problem', 2],
      ],
    );
    assert.equal(domoticzAlertLevel(decodeInfoCode(0, 'mc603')), 1);
    assert.equal(domoticzAlertLevel(decodeInfoCode(1, 'mc603')), 2);
    assert.equal(domoticzAlertLevel(decodeInfoCode(3, 'mc603')), 3);
    assert.equal(domoticzAlertLevel(decodeInfoCode(0x10000000, 'mc603')), 4);
  });
});

describe('the integer of an info-code record', () => {
  const record = (value: string): ReturnType<typeof decodeRegisterRecords>[number] =>
    decodeRegisterRecords(encodeRegisterRecord({ id: 99, unitCode: 0, value: Decimal.parse(value)!, length: 4 }))[0]!;

  test('SIEX 0: the mantissa as an integer; anything else is suspect, never scaled', () => {
    assert.equal(infoCodeFromRecord(record('16449')), 0x4041n);
    assert.throws(
      () => infoCodeFromRecord(record('1.5')),
      (e: unknown) => e instanceof KmpError && e.code === 'KMP_BAD_RECORD',
    );
    assert.throws(
      () => infoCodeFromRecord(record('-4')),
      (e: unknown) => e instanceof KmpError && e.code === 'KMP_BAD_RECORD',
    );
  });
});
