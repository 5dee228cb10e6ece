import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allRegisters } from '../../src/kmp/registers.js';
import { allRegisterKeys, NAME_OVERRIDES, registerKey, RESERVED_NAMES, snakeCase } from '../../src/mqtt/names.js';

describe('register names for MQTT: one rule over the register table', () => {
  test('the rule, case by case', () => {
    const cases: Array<[string, string]> = [
      ['Heat Energy (E1)', 'heat_energy_e1'], // a code in parentheses is kept
      ['Volume', 'volume'],
      ['Flow', 'flow'],
      ['Temp1', 'temp1'],
      ['Tempdiff', 'tempdiff'],
      ['HourCounter', 'hour_counter'], // camelCase split
      ['E1HighRes', 'e1_high_res'], // digit then capital splits too
      ['MaxFlowDate_Y', 'max_flow_date_y'],
      ['Nominal Qp V1 (undocumented)', 'nominal_qp_v1'], // a note in parentheses is dropped
      ['Customer number 2 (8 MSD)', 'customer_number_2'],
      ['T1-T2 (one decimal)', 't1_t2'],
      ['Differential energy dE', 'differential_energy_de'], // a one-letter part does not split
      ['l/imp for VA', 'l_imp_for_va'],
      ['DIN meter ID', 'din_meter_id'],
      ['  Odd -- spacing  ', 'odd_spacing'],
    ];
    for (const [name, key] of cases) assert.equal(snakeCase(name), key, name);
  });

  test('the registers of the classic set get the names the README documents', () => {
    const expected: Record<number, string> = {
      60: 'heat_energy_e1',
      68: 'volume',
      74: 'flow',
      80: 'power',
      86: 'temp1',
      87: 'temp2',
      89: 'tempdiff',
      1004: 'hour_counter',
      266: 'e1_high_res',
      1001: 'fabrication_no',
    };
    for (const [id, key] of Object.entries(expected)) assert.equal(registerKey(Number(id)), key, `register ${id}`);
  });

  test('every register in the table gets a unique, topic-safe name that is not a reserved topic', () => {
    const keys = allRegisterKeys();
    assert.equal(keys.length, allRegisters().length);
    assert.ok(keys.length > 200, 'the whole table, not a hand-picked list');
    const seen = new Map<string, number>();
    for (const { id, key } of keys) {
      assert.match(key, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/, `register ${id}: ${key}`);
      assert.ok(!RESERVED_NAMES.includes(key), `register ${id} takes the reserved name ${key}`);
      assert.equal(seen.get(key), undefined, `registers ${seen.get(key)} and ${id} are both ${key}`);
      seen.set(key, id);
    }
  });

  test('each override is needed: without it the rule would give a duplicate or the ugly name it replaces', () => {
    const ruleNames = new Map<string, number[]>();
    for (const r of allRegisters()) {
      const k = snakeCase(r.name);
      ruleNames.set(k, [...(ruleNames.get(k) ?? []), r.id]);
    }
    for (const [idText, override] of Object.entries(NAME_OVERRIDES)) {
      const id = Number(idText);
      const info = allRegisters().find((r) => r.id === id);
      assert.ok(info, `override for register ${id}, which is not in the table`);
      const byRule = snakeCase(info.name);
      assert.notEqual(byRule, override, `override for ${id} equals the rule's result`);
      assert.equal(registerKey(id), override);
    }
    // Without the overrides, 458 and 99 (and 1126 and 404) would collide.
    assert.deepEqual(
      ruleNames.get('info_code')?.sort((a, b) => a - b),
      [99, 458],
    );
    assert.deepEqual(
      ruleNames.get('meter_type')?.sort((a, b) => a - b),
      [404, 1126],
    );
  });

  test('a register not in the table is register_<id>', () => {
    assert.equal(registerKey(4242), 'register_4242');
  });
});
