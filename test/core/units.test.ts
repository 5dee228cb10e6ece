// implausible(): the bounds a reading must lie within to be a reading at all (src/core/units.ts, "the most
// a quantity can be on a heat meter"), checked at both edges for each quantity, in the units the meter
// sends; an unknown unit code is never a unit; a unit the table does not know is not judged.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from '../../src/core/decimal.js';
import { implausible } from '../../src/core/units.js';

const D = (t: string): Decimal => Decimal.parse(t)!;

/** [value, unit, plausible] — the largest value that is, and the smallest beyond that is not. */
const EDGES: ReadonlyArray<[string, string, boolean]> = [
  ['100000000', 'MWh', true], // 10⁸ MWh = 10¹⁴ Wh
  ['100000000.001', 'MWh', false],
  ['360000000', 'GJ', true], // 10¹⁴ Wh = 3.6 × 10⁸ GJ
  ['360000001', 'GJ', false],
  ['0', 'kWh', true],
  ['-0.001', 'kWh', false], // an energy total is never negative
  ['1000000000', 'm³', true], // 10⁹ m³
  ['1000000000.01', 'm³', false],
  ['1000000000000', 'l', true],
  ['1000000000001', 'l', false],
  ['1000000000', 'ton', true],
  ['1000000001', 'ton', false],
  ['1000000', 'h', true], // 114 years
  ['1000001', 'h', false],
  ['250', '°C', true],
  ['250.01', '°C', false],
  ['-60', '°C', true],
  ['-60.01', '°C', false],
  ['250', 'K', true],
  ['-250.01', 'K', false],
  ['10000000', 'l/h', true],
  ['10000.001', 'm³/h', false],
  ['1000000', 'kW', true], // 1 GW
  ['1000.001', 'MW', false],
  ['1000', 'bar', true],
  ['1000.1', 'bar', false],
];

describe('implausible: the bounds of a reading', () => {
  for (const [value, unit, ok] of EDGES) {
    test(`${value} ${unit} ${ok ? 'can' : 'cannot'} be a reading`, () => {
      const why = implausible(D(value), unit);
      if (ok) assert.equal(why, undefined);
      else assert.match(why ?? '', /^outside -?[\d.e]+ to [\d.e]+/);
    });
  }

  test('the message names the bound in the base unit', () => {
    assert.equal(implausible(D('18446744073709551615'), 'MWh'), 'outside 0 to 1e14 Wh');
    assert.equal(implausible(D('1000'), '°C'), 'outside -60 to 250 °C');
  });

  test('a unit code the table does not have is never a unit; a unit without bounds is not judged', () => {
    assert.equal(implausible(D('258'), 'unit 0xFF'), 'unit 0xFF is not a unit a meter uses');
    assert.equal(implausible(D('1e30'), 'furlongs'), undefined);
  });
});
