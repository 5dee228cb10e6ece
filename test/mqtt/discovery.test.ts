import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from '../../src/core/decimal.js';
import { decodeRegisterRecords, encodeRawRecord, encodeRegisterRecord, type RegisterRecord } from '../../src/kmp/app.js';
import { unitCode } from '../../src/kmp/registers.js';
import type { MeterIdentity } from '../../src/core/reading.js';
import { recordToReading } from '../../src/kmp/reading.js';
import { deviceBlock, discoveryConfig } from '../../src/mqtt/discovery.js';
import { lastWill, localTimestamp, publication, valuesObject } from '../../src/mqtt/messages.js';
import { haMapping, publishedReading as published } from '../../src/mqtt/sensors.js';

/** A record as the meter sends it: encoded and decoded by the real KMP codec. */
function record(id: number, unit: string, text: string): RegisterRecord {
  const value = Decimal.parse(text)!;
  const [rec] = decodeRegisterRecords(encodeRegisterRecord({ id, unitCode: unitCode(unit), value }));
  return rec!;
}

const METER: MeterIdentity = { serial: '19088743', model: 'MULTICAL (type 0x0004)', revision: 'F1', manufacturer: 'Kamstrup', facts: [] };

/** A KMP register record as the sink sees it: a reading. */
function publishedReading(id: number, rec: RegisterRecord): ReturnType<typeof published> {
  return published({ ...recordToReading(rec), register: id });
}

describe('Home Assistant classes and units', () => {
  test('each quantity gets the device class, state class and a unit Home Assistant accepts', () => {
    const cases: Array<
      [unit: string, value: string, text: string, publishedUnit: string, deviceClass: string | undefined, stateClass: string | undefined]
    > = [
      ['MWh', '150.720', '150.720', 'MWh', 'energy', 'total_increasing'],
      ['GJ', '542.5932', '542.5932', 'GJ', 'energy', 'total_increasing'],
      ['kWh', '150720', '150720', 'kWh', 'energy', 'total_increasing'],
      ['Wh', '150720123', '150720123', 'Wh', 'energy', 'total_increasing'],
      ['GWh', '0.150720', '150.720000', 'MWh', 'energy', 'total_increasing'], // not accepted by HA: converted exactly, to the same resolution (1 Wh)
      ['MJ', '1234.5', '1.2345', 'GJ', 'energy', 'total_increasing'],
      ['m³', '4782.98', '4782.98', 'm³', 'water', 'total_increasing'],
      ['l', '4782980', '4782980', 'L', 'water', 'total_increasing'], // HA spells litres L
      ['l/h', '434', '0.434', 'm³/h', 'volume_flow_rate', 'measurement'], // l/h is not an HA unit: m³/h
      ['m³/h', '1.21', '1.21', 'm³/h', 'volume_flow_rate', 'measurement'],
      ['kW', '14.3', '14.3', 'kW', 'power', 'measurement'],
      ['W', '14300', '14300', 'W', 'power', 'measurement'],
      ['MW', '0.0143', '14.3000', 'kW', 'power', 'measurement'],
      ['°C', '67.91', '67.91', '°C', 'temperature', 'measurement'],
      ['K', '28.27', '28.27', 'K', undefined, 'measurement'], // a difference: never class temperature
      ['h', '29213', '29213', 'h', 'duration', 'total_increasing'],
      ['bar', '2.5', '2.5', 'bar', 'pressure', 'measurement'],
      ['m³·°C', '8123456', '8123456', 'm³·°C', undefined, 'total_increasing'],
      ['', '19088743', '19088743', '', undefined, undefined],
    ];
    for (const [unit, value, text, publishedUnit, deviceClass, stateClass] of cases) {
      const r = publishedReading(60, record(60, unit, value));
      assert.equal(r.text, text, `${value} ${unit}: value`);
      assert.equal(r.unit, publishedUnit, `${value} ${unit}: unit`);
      assert.equal(r.ha.deviceClass, deviceClass, `${value} ${unit}: device class`);
      assert.equal(r.ha.stateClass, stateClass, `${value} ${unit}: state class`);
      assert.equal(r.meterUnit, unit);
      assert.equal(r.numeric, true);
    }
  });

  test('the accepted units are the ones in Home Assistant core (sensor/const.py) for every class used', () => {
    // Units every supported Home Assistant release takes for the class (older releases take fewer).
    const HA: Record<string, readonly string[]> = {
      energy: ['Wh', 'kWh', 'MWh', 'GJ'],
      water: ['m³', 'L'],
      volume_flow_rate: ['m³/h', 'L/min'],
      power: ['W', 'kW'],
      temperature: ['°C'],
      duration: ['h'],
      pressure: ['bar'],
    };
    for (const unit of [
      'Wh',
      'kWh',
      'MWh',
      'GWh',
      'J',
      'kJ',
      'MJ',
      'GJ',
      'l',
      'm³',
      'l/h',
      'm³/h',
      'l/min',
      'W',
      'kW',
      'MW',
      '°C',
      'h',
      'bar',
    ]) {
      const m = haMapping(unit);
      assert.ok(m.ha.deviceClass, unit);
      assert.ok(HA[m.ha.deviceClass]!.includes(m.unit), `${unit} → ${m.unit} is not accepted for ${m.ha.deviceClass}`);
    }
  });

  test('a yy:mm:dd register is an ISO date with class date; a time is plain text', () => {
    const date = publishedReading(
      1003,
      decodeRegisterRecords(encodeRegisterRecord({ id: 1003, unitCode: unitCode('yy:mm:dd'), value: Decimal.of(261121) }))[0]!,
    );
    assert.deepEqual([date.text, date.numeric, date.unit, date.ha], ['2026-11-21', false, '', { deviceClass: 'date' }]);
    const time = publishedReading(
      1002,
      decodeRegisterRecords(encodeRegisterRecord({ id: 1002, unitCode: unitCode('hh:mm:ss'), value: Decimal.of(64000) }))[0]!,
    );
    assert.deepEqual([time.text, time.numeric, time.ha], ['06:40:00', false, {}]);
    const ascii = publishedReading(
      640,
      decodeRegisterRecords(encodeRawRecord(640, unitCode('ASCII'), new TextEncoder().encode('MC403')))[0]!,
    );
    assert.deepEqual([ascii.text, ascii.numeric, ascii.ha], ['MC403', false, {}]);
  });
});

describe('discovery payloads', () => {
  test('one register: topic, ids, state topic and template, unit and classes, availability, device', () => {
    const d = discoveryConfig(publishedReading(60, record(60, 'MWh', '150.720')), METER, 'kamstrup');
    assert.equal(d.topic, 'homeassistant/sensor/kamstrup_19088743/heat_energy_e1/config');
    assert.deepEqual(d.payload, {
      name: 'Heat Energy (E1)',
      unique_id: 'kamstrup_19088743_heat_energy_e1',
      state_topic: 'kamstrup/values',
      value_template: '{{ value_json.heat_energy_e1 }}',
      unit_of_measurement: 'MWh',
      device_class: 'energy',
      state_class: 'total_increasing',
      availability_topic: 'kamstrup/status',
      payload_available: 'online',
      payload_not_available: 'offline',
      device: {
        identifiers: ['kamstrup_19088743'],
        manufacturer: 'Kamstrup',
        model: 'MULTICAL (type 0x0004)',
        name: 'Kamstrup MULTICAL 19088743',
        serial_number: '19088743',
        sw_version: 'F1',
      },
      origin: { name: 'multical' },
    });
  });

  test('tempdiff has no device class and no temperature unit trap; a plain number has no unit or state class', () => {
    const t = discoveryConfig(publishedReading(89, record(89, 'K', '28.27')), METER, 'heat').payload;
    assert.equal(t.device_class, undefined);
    assert.equal(t.unit_of_measurement, 'K');
    assert.equal(t.state_class, 'measurement');
    const n = discoveryConfig(publishedReading(99, record(99, '', '0')), METER, 'heat').payload;
    assert.equal('unit_of_measurement' in n, false);
    assert.equal('state_class' in n, false);
    assert.equal('device_class' in n, false);
  });

  test('the payload depends on the meter and the register, not on the value: the same bytes every run', () => {
    const a = publication({
      baseTopic: 'k',
      qos: 1,
      retain: false,
      readings: [publishedReading(60, record(60, 'MWh', '150.720'))],
      timestamp: 't1',
      identity: METER,
    });
    const b = publication({
      baseTopic: 'k',
      qos: 1,
      retain: false,
      readings: [publishedReading(60, record(60, 'MWh', '151.004'))],
      timestamp: 't2',
      identity: { ...METER },
    });
    const configs = (m: typeof a): string[] => m.filter((x) => x.topic.startsWith('homeassistant/')).map((x) => `${x.topic} ${x.payload}`);
    assert.equal(configs(a).length, 1);
    assert.deepEqual(configs(a), configs(b));
    assert.deepEqual(deviceBlock(METER), deviceBlock({ ...METER }));
  });
});

describe('what one run publishes', () => {
  const readings = [
    publishedReading(60, record(60, 'MWh', '150.720')),
    publishedReading(74, record(74, 'l/h', '434')),
    publishedReading(1003, record(1003, 'yy:mm:dd', '261121')),
  ];

  test('values keep every digit (150.720, not 150.72) and carry units; text values stay strings', () => {
    const doc = valuesObject(readings, '2026-11-21T06:40:00+01:00');
    assert.equal(
      publication({ baseTopic: 'kamstrup', qos: 0, retain: false, readings, timestamp: '2026-11-21T06:40:00+01:00' })[0]!.payload,
      '{"timestamp":"2026-11-21T06:40:00+01:00","heat_energy_e1":150.720,"heat_energy_e1_unit":"MWh","flow":0.434,"flow_unit":"m³/h","date":"2026-11-21"}',
    );
    assert.deepEqual(Object.keys(doc), ['timestamp', 'heat_energy_e1', 'heat_energy_e1_unit', 'flow', 'flow_unit', 'date']);
  });

  test('order and flags: discovery (retained), values, one topic per register, status online (retained)', () => {
    const msgs = publication({ baseTopic: 'kamstrup', qos: 2, retain: false, readings, timestamp: 'T', identity: METER });
    assert.deepEqual(
      msgs.map((m) => [m.topic, m.qos, m.retain]),
      [
        ['homeassistant/sensor/kamstrup_19088743/heat_energy_e1/config', 2, true],
        ['homeassistant/sensor/kamstrup_19088743/flow/config', 2, true],
        ['homeassistant/sensor/kamstrup_19088743/date/config', 2, true],
        ['kamstrup/values', 2, false],
        ['kamstrup/heat_energy_e1', 2, false],
        ['kamstrup/flow', 2, false],
        ['kamstrup/date', 2, false],
        ['kamstrup/status', 2, true],
      ],
    );
    assert.deepEqual(
      msgs.slice(4).map((m) => m.payload),
      ['150.720', '0.434', '2026-11-21', 'online'],
    );
  });

  test('nothing read: only the status, offline and retained; no discovery, no values, no zeros', () => {
    const msgs = publication({ baseTopic: 'kamstrup', qos: 1, retain: true, readings: [], timestamp: 'T', identity: METER });
    assert.deepEqual(msgs, [{ topic: 'kamstrup/status', payload: 'offline', qos: 1, retain: true }]);
    assert.deepEqual(lastWill('kamstrup', 1), { topic: 'kamstrup/status', payload: 'offline', qos: 1, retain: true });
  });

  test('timestamps are local time with the offset, whole seconds', () => {
    const t = new Date(Date.UTC(2026, 10, 21, 5, 40, 0, 789));
    assert.equal(localTimestamp(t, 60), '2026-11-21T06:40:00+01:00');
    assert.equal(localTimestamp(t, 0), '2026-11-21T05:40:00+00:00');
    assert.equal(localTimestamp(t, -330), '2026-11-21T00:10:00-05:30');
    assert.equal(localTimestamp(t, 13 * 60), '2026-11-21T18:40:00+13:00');
    assert.equal(localTimestamp(new Date(Date.UTC(2026, 11, 31, 23, 30, 0)), 120), '2027-01-01T01:30:00+02:00');
    assert.match(localTimestamp(new Date()), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  });
});
