// The alert push (idx:99:alert), decided without I/O: level and text from an info-code reading named for
// the meter's model (kmp/reading.ts), refused for anything but a General/Alert device, never sent for a
// code that was not read or whose bits cannot be named.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from '../../src/core/decimal.js';
import { emptyResult, type ReadResult, type Reading } from '../../src/core/reading.js';
import { ALERT_TEXT_MAX, alertPrecheck, alertState, planAlert } from '../../src/domoticz/alert.js';
import { parseReadArgument } from '../../src/domoticz/argument.js';
import type { Device } from '../../src/domoticz/device.js';
import { planPush } from '../../src/domoticz/plan.js';
import { decodeRegisterRecords, encodeRegisterRecord } from '../../src/kmp/app.js';
import { MeterError } from '../../src/meter/errors.js';
import { recordToReading } from '../../src/kmp/reading.js';

/** Register `id` as a KMP meter of `model` reports it: through the record codec and kmp/reading.ts. */
function infoReading(value: string, model: string | undefined, id = 99): Reading {
  const rec = decodeRegisterRecords(encodeRegisterRecord({ id, unitCode: 0, value: Decimal.parse(value)!, length: 4 }))[0]!;
  return recordToReading(rec, model);
}
const resultWith = (...readings: Reading[]): ReadResult => {
  const r = emptyResult();
  for (const x of readings) r.readings.set(x.register!, x);
  return r;
};
const alertDevice: Device = { idx: '87', Name: 'Meter alarm', Type: 'General', SubType: 'Alert', Data: 'No Alert!' };
const ARG = parseReadArgument('87:99:alert');

describe('level and text from the flags, by model', () => {
  for (const [code, model, level, text] of [
    [0, '603', 1, 'no alarm'],
    [0, undefined, 1, 'no alarm'],
    // the MULTICAL 803 telegram of kamstrup-info-codes.md: sensor and communication problems, no leak: orange
    [0x00010060, '603', 3, 'SENSOR_T1_BELOW_MEASURING_RANGE, SENSOR_T2_BELOW_MEASURING_RANGE, V1_COMMUNICATION_ERROR'],
    [0x00010060, '803', 3, 'SENSOR_T1_BELOW_MEASURING_RANGE, SENSOR_T2_BELOW_MEASURING_RANGE, V1_COMMUNICATION_ERROR'],
    // 260 = bits 2 and 8: what they mean depends on the model
    [260, '603', 3, 'EXTERNAL_ALARM_OR_SENSOR_ERROR, FLOW_SENSOR_WEAK_OR_AIR'],
    [260, '403', 4, 'EXTERNAL_ALARM, FLOW_SENSOR_WEAK_OR_AIR'],
    [260, '602', 4, 'LEAKAGE_HOT_WATER, SENSOR_T2_OUTSIDE_MEASURING_RANGE'],
    [260, undefined, 2, 'BIT_2, BIT_8'],
    // the 403 display example 10200090: worst first, then by bit
    [0x4041, '403', 4, 'IN_A1_A2_EXTERNAL_ALARM, SENSOR_T2_BELOW_MEASURING_RANGE, VOLTAGE_INTERRUPTED'],
    [1, '403', 2, 'VOLTAGE_INTERRUPTED'],
    [2, '603', 3, 'LOW_BATTERY_LEVEL'],
    [0x200, '303', 3, 'WRONG_FLOW_DIRECTION'],
    [0x10000000, '603', 4, 'V1_V2_BURST_WATER_LOSS'],
    [12, '602', 3, 'SENSOR_T2_OUTSIDE_MEASURING_RANGE, SENSOR_T1_OUTSIDE_MEASURING_RANGE'],
  ] as const) {
    test(`${code} on a ${model ?? 'model not given'}: level ${level}, "${text}"`, () => {
      const a = alertState(infoReading(String(code), model).flags!);
      assert.deepEqual(a, { level, text, left: [] });
    });
  }

  test(`every bit set: the red ones first, within ${ALERT_TEXT_MAX} characters, the rest counted, none lost or repeated`, () => {
    const r = infoReading(String(0xffffffff), '603');
    const a = alertState(r.flags!);
    assert.equal(a.level, 4);
    assert.ok(a.text.length <= ALERT_TEXT_MAX, a.text);
    assert.equal(a.text, `IN_A1_LEAKAGE_IN_THE_SYSTEM, IN_B1_LEAKAGE_IN_THE_SYSTEM, IN_A1_A2_EXTERNAL_ALARM +${a.left.length} more`);
    const named = a.text.replace(/ \+\d+ more$/, '').split(', ');
    assert.deepEqual([...named, ...a.left].sort(), r.flags!.map((f) => f.name).sort());
    assert.equal(named.length + a.left.length, 32, 'one flag per bit');
  });

  test('a category no sink knows counts as an unnamed bit (yellow), never as "no alarm"', () => {
    assert.deepEqual(alertState([{ bit: 7, name: 'BIT_7', category: 'something-new' }]), { level: 2, text: 'BIT_7', left: [] });
  });
});

describe('precheck: an alert is decided from a named info code only', () => {
  test('an info code read: ok, with the --verbose notes (every flag, its category, the level)', () => {
    const pre = alertPrecheck(ARG, resultWith(infoReading('260', '603')));
    assert.ok('ok' in pre);
    assert.equal(pre.alert.level, 3);
    assert.deepEqual(pre.notes, [
      'info code 260: EXTERNAL_ALARM_OR_SENSOR_ERROR (bit 2, problem), FLOW_SENSOR_WEAK_OR_AIR (bit 8, problem): level 3 (orange)',
    ]);
    const unknown = alertPrecheck(ARG, resultWith(infoReading('260', undefined)));
    assert.ok('ok' in unknown);
    assert.match(unknown.notes[1]!, /BIT_n: a bit the meter's model does not name here \(for a KMP meter, give --model\)/);
  });

  test('register 369 works as 99 does', () => {
    const pre = alertPrecheck(parseReadArgument('87:369:alert'), resultWith(infoReading('2', '603', 369)));
    assert.ok('ok' in pre);
    assert.deepEqual(pre.alert, { level: 3, text: 'LOW_BATTERY_LEVEL', left: [] });
  });

  test('not read: left out by the meter, or its request failed', () => {
    assert.deepEqual(alertPrecheck(ARG, emptyResult()), {
      status: 'not-read',
      message: '87:99:alert: not pushed: the meter does not report register 99',
    });
    const failed = emptyResult();
    failed.failed.push({ registers: [60, 99], error: new MeterError('METER_TIMEOUT', 'no reply') });
    assert.deepEqual(alertPrecheck(ARG, failed), { status: 'not-read', message: '87:99:alert: not pushed: register 99 could not be read' });
  });

  test('a scaled code (SIEX not 0) has no flags: refused, never sent as a level', () => {
    const scaled = infoReading('2.60', '603');
    assert.equal(scaled.flags, undefined);
    const pre = alertPrecheck(ARG, resultWith(scaled));
    assert.ok('status' in pre && pre.status === 'refused');
    assert.equal(
      pre.message,
      '87:99:alert: register 99 (InfoCode) reads 2.60, not a whole bit field (a scaled or non-integer code): its flags cannot be named, not pushed',
    );
    const text: Reading = { register: 99, name: 'InfoCode', quantity: 'info code', value: undefined, text: 'ABC', unit: 'ASCII' };
    const t = alertPrecheck(ARG, resultWith(text));
    assert.ok('status' in t && t.status === 'refused');
    assert.match(t.message, /^87:99:alert: register 99 \(InfoCode\) reads ABC ASCII, not a number: its flags cannot be named, not pushed$/);
  });
});

describe('the target device', () => {
  const alert = alertState(infoReading('260', '403').flags!);

  test('a General/Alert device gets nvalue = level, svalue = text', () => {
    assert.deepEqual(planAlert(ARG, alert, alertDevice), { send: 'EXTERNAL_ALARM, FLOW_SENSOR_WEAK_OR_AIR', nvalue: '4' });
  });

  test('any other device is refused, naming its type', () => {
    for (const [device, type] of [
      [{ idx: '87', Name: 'Outside Temp', Type: 'Temp', SubType: 'LaCrosse TX3', Data: '21.5 C' }, 'Temp/LaCrosse TX3'],
      [{ idx: '87', Name: 'Info', Type: 'General', SubType: 'Custom Sensor', Data: '0', SensorUnit: '' }, 'General/Custom Sensor'],
      [{ idx: '87', Name: 'Note', Type: 'General', SubType: 'Text', Data: 'hello' }, 'General/Text'],
    ] as const) {
      const d = planAlert(ARG, alert, device);
      assert.ok('refused' in d);
      assert.equal(
        d.refused,
        `87:99:alert: device 87 "${device.Name}" is a ${type} device, not a General/Alert: the info code's flags are not sent to it`,
      );
    }
  });

  test('a classic push never writes an Alert device, nor computes from the text it shows', () => {
    const volume: Reading & { value: Decimal } = {
      register: 68,
      name: 'Volume',
      quantity: 'volume',
      value: Decimal.parse('5030.77')!,
      text: '5030.77',
      unit: 'm³',
    };
    const shown = { ...alertDevice, idx: '92', Data: 'SENSOR_T1_BELOW_MEASURING_RANGE' };
    const target = { device: { idx: '91', Name: 'Volume', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'm³', Data: '100 m³' } };
    const o = { allowDecrease: false, powerW: undefined };
    const m1 = planPush(parseReadArgument('91:68:1:92'), volume, target, { device: shown }, o);
    assert.deepEqual(m1, {
      refused: '91:68:1:92: compare device 92 "Meter alarm" is a General/Alert device: it holds a text, not a value',
      notes: [],
    });
    const m0 = planPush(parseReadArgument('87:68:0'), volume, { device: alertDevice }, undefined, o);
    assert.ok('refused' in m0);
    assert.match(m0.refused, /a General\/Alert device takes an info code's flags \(idx:99:alert\), not a meter reading$/);
  });
});
