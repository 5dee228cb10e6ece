// What a device shows, read back exactly, and how much of it is known (`%g` keeps 6 significant digits).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Device } from '../../src/domoticz/device.js';
import { shownValue } from '../../src/domoticz/shown.js';

const custom = (Data: string): Device => ({ idx: '91', Name: 'Total', Type: 'General', SubType: 'Custom Sensor', Data, SensorUnit: 'MWh' });

test('%g exponent form is read as the number it is', () => {
  const s = shownValue(custom('1.23457e+06 MWh'), 'custom');
  assert.ok('value' in s);
  assert.equal(s.value.toString(), '1234570');
  assert.equal(s.lastDigit, 1);
  const small = shownValue(custom('1.5e-05 MWh'), 'custom');
  assert.ok('value' in small);
  assert.equal(small.value.toString(), '0.000015');
});

test('a %g value is known to its 6th significant digit, however few digits it shows', () => {
  for (const [data, lastDigit] of [
    ['123456 MWh', 0], // 6 significant digits exactly
    ['12345 MWh', -1], // fewer: "12345" may be 12345.04
    ['1234.5 MWh', -2], // a fraction
    ['123.456 MWh', -3],
    ['1.2e+06 MWh', 1], // trailing zeros dropped by %g: 1.20000e+06
    ['0.000123457 MWh', -9],
  ] as const) {
    const s = shownValue(custom(data), 'custom');
    assert.ok('value' in s, data);
    assert.equal(s.exact, false, data);
    assert.equal(s.lastDigit, lastDigit, data);
  }
  const zero = shownValue(custom('0 MWh'), 'custom');
  assert.ok('value' in zero && zero.exact, '%g prints 0 only for 0');
});

test('kWh, counter and Gas devices show every stored digit; Temp one decimal', () => {
  const kwh = shownValue({ idx: '3', Name: 'P', Type: 'General', SubType: 'kWh', Data: '1234567.891 kWh' }, 'kwh');
  assert.ok('value' in kwh && kwh.exact && kwh.value.toString() === '1234567.891');
  const temp = shownValue({ idx: '2', Name: 'T', Type: 'Temp', SubType: 'LaCrosse TX3', Data: '21.5 C' }, 'temp');
  assert.ok('value' in temp && !temp.exact && temp.lastDigit === -1);
});

test('NaN, Infinity, an empty Data and a 10,000-digit number are not values', () => {
  for (const data of ['NaN', 'nan MWh', 'Infinity', '-inf MWh', '', 'MWh', '1'.repeat(10_000) + ' MWh', '1e400 MWh']) {
    const s = shownValue(custom(data), 'custom');
    assert.ok('none' in s, `${data.slice(0, 20)}: ${JSON.stringify(s).slice(0, 80)}`);
    assert.ok(s.none.length < 120, s.none);
  }
});
