// The pure push decision: totals never fall or go below zero, and no computation with a value Domoticz
// rounded away (a Custom Sensor shows `%g`, 6 significant digits).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from '../../src/core/decimal.js';
import type { Reading } from '../../src/core/reading.js';
import { parseReadArgument } from '../../src/domoticz/argument.js';
import type { Device } from '../../src/domoticz/device.js';
import { planPush, type Decision, type DeviceView } from '../../src/domoticz/plan.js';

const reading = (text: string, unit: string): Reading & { value: Decimal } => ({
  register: unit === 'm³' ? 68 : 60,
  name: unit === 'm³' ? 'Volume' : 'Heat Energy (E1)',
  quantity: unit === 'm³' ? 'volume' : 'energy',
  value: Decimal.parse(text)!,
  text,
  unit,
});
const sensor = (idx: string, Data: string, SensorUnit = Data.split(' ')[1] ?? ''): DeviceView => ({
  device: { idx, Name: `Dev ${idx}`, Type: 'General', SubType: 'Custom Sensor', Data, SensorUnit } satisfies Device,
});
const plan = (arg: string, r: Reading & { value: Decimal }, target: DeviceView, compare?: DeviceView, allowDecrease = false): Decision =>
  planPush(parseReadArgument(arg), r, target, compare, { allowDecrease, powerW: undefined });
const sent = (d: Decision): string => {
  assert.ok('send' in d, 'refused' in d ? d.refused : '');
  return d.send;
};
const refused = (d: Decision, why: RegExp): void => {
  assert.ok('refused' in d, `sent ${'send' in d ? d.send : ''}`);
  assert.match(d.refused, why);
};

describe('mode 0: a total does not go down', () => {
  test('a drop from 1.2 million shown as 1.2e+06 is refused: %g dropped zeros, the value is known to 10', () => {
    refused(
      plan('91:60:0', reading('1160000.000', 'MWh'), sensor('91', '1.2e+06 MWh')),
      /1160000\.000 MWh is less than device 91 .* shows \(1200000\)/,
    );
    refused(plan('91:60:0', reading('1234000.000', 'MWh'), sensor('91', '1.23457e+06 MWh')), /is less than/);
    // within the rounding of the shown value: 1.23457e+06 may hold 1234565
    assert.equal(sent(plan('91:60:0', reading('1234566.000', 'MWh'), sensor('91', '1.23457e+06 MWh'))), '1234566');
    assert.equal(sent(plan('91:60:0', reading('1160000.000', 'MWh'), sensor('91', '1.2e+06 MWh'), undefined, true)), '1160000');
  });

  test('a device that shows no value: sent, with a note that the check was skipped', () => {
    for (const data of ['nan', 'Infinity', '', '1'.repeat(10_000)]) {
      const d = plan('91:60:0', reading('154.320', 'MWh'), sensor('91', data, 'MWh'));
      assert.equal(sent(d), '154.32');
      assert.ok(
        d.notes.some((n) => /the check that a total does not go down was skipped/.test(n)),
        data.slice(0, 10),
      );
    }
  });
});

describe('modes 1 and 2: no falling or negative total', () => {
  const r = reading('5030.77', 'm³');
  test('a reading lower than the compare device is refused (the −4968.23 of 92 = 9999)', () => {
    refused(
      plan('91:68:2:92', r, sensor('91', '0 m³'), sensor('92', '9999 m³')),
      /reading 5030\.77 m³ is lower than compare device 92 .* \(9999\)/,
    );
    refused(plan('89:68:1:92', r, sensor('89', '0 m³'), sensor('92', '9999 m³')), /is lower than compare device 92/);
    assert.equal(sent(plan('91:68:2:92', r, sensor('91', '0 m³'), sensor('92', '9999 m³'), true)), '-4968.23');
  });

  test('a total below zero is refused', () => {
    refused(
      plan('91:68:2:92', r, sensor('91', '-4968.23 m³'), sensor('92', '5000 m³')),
      /shows -4968\.23 m³: the total would be -4937\.46 m³, below zero/,
    );
  });

  test('mode 2 adds the usage since the compare value', () => {
    assert.equal(sent(plan('91:68:2:92', r, sensor('91', '100 m³'), sensor('92', '5000 m³'))), '130.77');
  });

  test('modes 1 and 2 refuse a base that shows NaN, Infinity, nothing or a 10,000-digit number', () => {
    for (const data of ['nan', 'Infinity', '', '1'.repeat(10_000)]) {
      refused(
        plan('91:68:2:92', r, sensor('91', '100 m³'), sensor('92', data, 'm³')),
        /compare device 92 .*(not a number|no number|-digit number)/,
      );
      refused(
        plan('91:68:2:92', r, sensor('91', data, 'm³'), sensor('92', '5000 m³')),
        /device 91 .*(not a number|no number|-digit number)/,
      );
    }
  });
});

describe('modes 1 and 2: no computing with digits %g rounded away', () => {
  const mwh = reading('154.320', 'MWh'); // known to 10⁻³
  test('6 significant digits exactly: enough for whole units, not for a fraction', () => {
    assert.equal(sent(plan('91:60:2:92', reading('154320', 'kWh'), sensor('91', '123456 kWh'), sensor('92', '154000 kWh'))), '123776');
    refused(
      plan('91:60:2:92', mwh, sensor('91', '123456 MWh'), sensor('92', '154 MWh')),
      /device 91 .* shows 123456, which Domoticz rounded/,
    );
  });

  test('fewer digits shown are not more exact: "12345" may be 12345.04', () => {
    refused(plan('91:60:2:92', mwh, sensor('91', '12345 MWh'), sensor('92', '154 MWh')), /shows 12345, which Domoticz rounded/);
    assert.equal(sent(plan('91:60:2:92', mwh, sensor('91', '123.4 MWh'), sensor('92', '154 MWh'))), '123.72');
  });

  test('a value with a fraction', () => {
    refused(
      plan('91:60:1:92', mwh, sensor('91', '0 MWh'), sensor('92', '1234.5 MWh')),
      /compare device 92 .* shows 1234\.5, which Domoticz rounded/,
    );
    assert.equal(sent(plan('91:60:1:92', mwh, sensor('91', '0 MWh'), sensor('92', '123.45 MWh'))), '30.87');
  });

  test('the exponent form from a million on, and the message says which device type keeps every digit', () => {
    const d = plan('91:60:2:92', reading('1234567', 'kWh'), sensor('91', '1.23457e+06 kWh'), sensor('92', '1234000 kWh'));
    refused(d, /shows 1\.23457e\+06, which Domoticz rounded .* keep this total in a General\/kWh device \(in Wh\)/);
    refused(plan('91:68:2:92', reading('5030.77', 'm³'), sensor('91', '12345.6 m³'), sensor('92', '5000 m³')), /P1 Smart Meter\/Gas/);
  });

  test('a device an earlier push of the unit writes is seen with the value it will hold', () => {
    const written: DeviceView = { ...sensor('92', '1.23457e+06 kWh'), written: Decimal.parse('1234567')! };
    assert.equal(sent(plan('91:60:1:92', reading('1234600', 'kWh'), sensor('91', '0 kWh'), written)), '33');
  });
});
