// Whole telegrams decoded record by record against the worked examples (mbus-protocol.md §9.2 and §9.3),
// and the JSON the product prints for them.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { toHex } from '../../src/core/hex.js';
import { encodeTelegram } from '../../src/mbus/encode.js';
import { telegramJson } from '../../src/mbus/json.js';
import type { MbusRecord } from '../../src/mbus/records.js';
import { decodeTelegram } from '../../src/mbus/telegram.js';
import { MC403_REPLY, TST_TELEGRAM_1, TST_TELEGRAM_2 } from './support.js';

interface Row {
  dif: string;
  vif: string;
  data: string;
  quantity: string;
  value: string;
  unit: string;
  fn?: MbusRecord['function'];
  storage?: number;
  tariff?: number;
  subunit?: number;
  register?: number;
  codes?: string[];
}

/** value: a decimal, or `date:…`, `datetime:…`, `text:…`, `invalid:…`. */
function valueText(r: MbusRecord): string {
  const v = r.value;
  if (v.kind === 'number') return v.value.toString();
  if (v.kind === 'invalid') return `invalid:${v.why}`;
  if (v.kind === 'bytes') return `bytes:${v.hex}`;
  return `${v.kind}:${v.text}`;
}

function checkRows(records: MbusRecord[], rows: readonly Row[]): void {
  assert.equal(records.length, rows.length, 'record count');
  rows.forEach((row, i) => {
    const r = records[i]!;
    const at = `record ${i + 1} (${row.dif} ${row.vif})`;
    assert.equal(r.dif, row.dif, at);
    assert.equal(r.vif, row.vif, at);
    assert.equal(r.raw, [row.dif, row.vif, row.data].filter((s) => s !== '').join(' '), at);
    assert.equal(r.quantity, row.quantity, at);
    assert.equal(valueText(r), row.value, at);
    assert.equal(r.unit, row.unit, at);
    assert.equal(r.function, row.fn ?? 'instantaneous', at);
    assert.equal(r.storage, row.storage ?? 0, at);
    assert.equal(r.tariff, row.tariff ?? 0, at);
    assert.equal(r.subunit, row.subunit ?? 0, at);
    assert.equal(r.register, row.register, at);
    assert.deepEqual(r.vifeCodes, row.codes, at);
    assert.equal(r.problem, undefined, at);
  });
}

// mbus-protocol.md §9.2, the table under the frame: DIB, VIB, data, value, KMP register.
const MC403_ROWS: readonly Row[] = [
  { dif: '0C', vif: '78', data: '67 45 23 71', quantity: 'fabrication number', value: '71234567', unit: '', register: 1001 },
  { dif: '04', vif: '06', data: '77 40 00 00', quantity: 'energy', value: '16503', unit: 'kWh', register: 60 },
  { dif: '04', vif: '86 3C', data: 'D6 00 00 00', quantity: 'energy', value: '214', unit: 'kWh', register: 63, codes: ['backward flow'] },
  { dif: '04', vif: '14', data: '15 A1 00 00', quantity: 'volume', value: '412.37', unit: 'm³', register: 68 },
  { dif: '04', vif: 'FF 07', data: '89 6D 00 00', quantity: 'flow temperature × volume', value: '28041', unit: 'm³·°C', register: 97 },
  {
    dif: '04',
    vif: 'FF 08',
    data: '68 40 00 00',
    quantity: 'return temperature × volume',
    value: '16488',
    unit: 'm³·°C',
    register: 110,
  },
  { dif: '04', vif: '22', data: 'A6 75 00 00', quantity: 'on time', value: '30118', unit: 'h', register: 1004 },
  { dif: '34', vif: '22', data: '0C 00 00 00', quantity: 'on time', value: '12', unit: 'h', fn: 'error', register: 175 },
  { dif: '02', vif: '59', data: '7D 1A', quantity: 'flow temperature', value: '67.81', unit: '°C', register: 86 },
  { dif: '02', vif: '5D', data: '0A 10', quantity: 'return temperature', value: '41.06', unit: '°C', register: 87 },
  { dif: '02', vif: '61', data: '73 0A', quantity: 'temperature difference', value: '26.75', unit: 'K', register: 89 },
  { dif: '04', vif: '2D', data: '20 00 00 00', quantity: 'power', value: '3.2', unit: 'kW', register: 80 },
  { dif: '14', vif: '2D', data: '74 00 00 00', quantity: 'power', value: '11.6', unit: 'kW', fn: 'maximum', register: 143 },
  { dif: '04', vif: '3B', data: '67 00 00 00', quantity: 'volume flow', value: '103', unit: 'l/h', register: 74 },
  { dif: '14', vif: '3B', data: '92 01 00 00', quantity: 'volume flow', value: '402', unit: 'l/h', fn: 'maximum', register: 139 },
  { dif: '04', vif: 'FF 22', data: '00 00 00 00', quantity: 'info code', value: '0', unit: '', register: 99 },
  { dif: '04', vif: '6D', data: '25 2E 0F 33', quantity: 'time point', value: 'datetime:2024-03-15T14:37', unit: '', register: 1002 },
  { dif: '44', vif: '06', data: '08 3E 00 00', quantity: 'energy', value: '15880', unit: 'kWh', storage: 1 },
  { dif: '44', vif: '14', data: '7A 9B 00 00', quantity: 'volume', value: '398.02', unit: 'm³', storage: 1 },
  { dif: '42', vif: '6C', data: '01 33', quantity: 'time point', value: 'date:2024-03-01', unit: '', storage: 1, register: 98 },
];

// mbus-protocol.md §9.3, telegram 1 and telegram 2 tables.
const TST_ROWS_1: readonly Row[] = [
  { dif: '0C', vif: '0E', data: '56 34 12 00', quantity: 'energy', value: '123.456', unit: 'GJ', register: 60 },
  { dif: '84 10', vif: 'FB 00', data: 'C9 14 00 00', quantity: 'energy', value: '532.1', unit: 'MWh', tariff: 1, register: 64 },
  { dif: 'C4 80 40', vif: '14', data: 'D2 04 00 00', quantity: 'volume', value: '12.34', unit: 'm³', storage: 1, subunit: 2 },
  { dif: '94 01', vif: '3B', data: '6B 03 00 00', quantity: 'volume flow', value: '875', unit: 'l/h', fn: 'maximum', storage: 2 },
  { dif: '02', vif: '61', data: 'BB FE', quantity: 'temperature difference', value: '-3.25', unit: 'K', register: 89 },
  // −125 W, in the KMP unit for power.
  { dif: '0B', vif: '2B', data: '25 01 F0', quantity: 'power', value: '-0.125', unit: 'kW', register: 80 },
  { dif: '0D', vif: 'FD 0E', data: '05 32 30 2E 31 56', quantity: 'firmware version', value: 'text:V1.02', unit: '' },
];

const TST_ROWS_2: readonly Row[] = [
  { dif: '02', vif: 'FD 17', data: '04 00', quantity: 'error flags', value: '4', unit: '' },
  { dif: '04', vif: '6D', data: '3B B7 44 37', quantity: 'time point', value: 'datetime:2026-07-04T23:59', unit: '', register: 1002 },
  { dif: '42', vif: '6C', data: 'FF FF', quantity: 'time point', value: 'invalid:no date (FF FF)', unit: '', storage: 1 },
];

describe('§9.2 MULTICAL-403-shaped reply, record by record', () => {
  test('20 records: values, units, functions, storage, KMP registers', () => {
    const t = decodeTelegram(MC403_REPLY);
    checkRows(t.records, MC403_ROWS);
    assert.equal(t.moreFollows, false);
    assert.equal(t.manufacturerData, undefined);
    assert.deepEqual(t.problems, []);
  });

  test('the E8/V1 and E9/V1 cross-checks of §9.2 come out near 68.0 and 40.0 °C', () => {
    const [e8, e9, v1] = ['FF 07', 'FF 08', '14'].map((vif) => {
      const r = decodeTelegram(MC403_REPLY).records.find((x) => x.vif === vif && x.storage === 0);
      assert.ok(r?.value.kind === 'number');
      return r.value.value;
    });
    assert.equal(e8!.div(v1!, 1).toString(), '68.0');
    assert.equal(e9!.div(v1!, 1).toString(), '40.0');
  });

  test('the same 137 bytes come back from encodeTelegram with the decoded records', () => {
    const t = decodeTelegram(MC403_REPLY);
    const h = t.header!;
    const bytes = encodeTelegram({
      address: t.address,
      header: { id: h.id, manufacturer: h.manufacturer, version: h.version, medium: h.medium.code, accessNumber: h.accessNumber },
      records: t.records,
    });
    assert.equal(toHex(bytes), toHex(MC403_REPLY));
  });
});

describe('§9.3 two-telegram readout', () => {
  test('telegram 1: DIFE storage/tariff/subunit, FB, negative integer and BCD, LVAR text, fillers, 1F', () => {
    const t = decodeTelegram(TST_TELEGRAM_1);
    checkRows(t.records, TST_ROWS_1);
    assert.equal(t.moreFollows, true, '1F: more records follow');
    assert.equal(t.manufacturerData, undefined);
    assert.deepEqual(t.problems, []);
  });

  test('telegram 2: FD 17, type F with SU and hundred-year, type G FF FF, 0F manufacturer data in wire order', () => {
    const t = decodeTelegram(TST_TELEGRAM_2);
    checkRows(t.records, TST_ROWS_2);
    assert.deepEqual(t.records[1]?.value, { kind: 'datetime', text: '2026-07-04T23:59', summerTime: true });
    assert.equal(t.moreFollows, false);
    assert.equal(toHex(t.manufacturerData!), '01 02 03');
    assert.equal(t.header?.accessNumber, 8);
  });

  test('both telegrams re-encode to the same bytes (fillers and 1F given as they are)', () => {
    const t1 = decodeTelegram(TST_TELEGRAM_1);
    const h = t1.header!;
    const header = { id: h.id, manufacturer: h.manufacturer, version: h.version, medium: h.medium.code, accessNumber: 7 };
    const again1 = encodeTelegram({ address: 0xfd, header, records: [...t1.records, Uint8Array.of(0x2f, 0x2f)], moreFollows: true });
    assert.equal(toHex(again1), toHex(TST_TELEGRAM_1));
    const t2 = decodeTelegram(TST_TELEGRAM_2);
    const records = t2.records.map((r) => (r.value.kind === 'invalid' ? Uint8Array.of(0x42, 0x6c, 0xff, 0xff) : r));
    const header2 = { ...header, accessNumber: 8 };
    const again2 = encodeTelegram({ address: 0xfd, header: header2, records, manufacturerData: t2.manufacturerData! });
    assert.equal(toHex(again2), toHex(TST_TELEGRAM_2));
  });
});

describe('telegramJson: exactly what the product prints', () => {
  test('the brief example: one E1 record of 4711 kWh', () => {
    const bytes = encodeTelegram({
      address: 1,
      header: { id: '12345678', manufacturer: 'KAM', version: 8, medium: 0x04, accessNumber: 4 },
      records: [{ dif: '04', vif: '06', value: { kind: 'number', value: Decimal.of(4711) } }],
    });
    assert.equal(
      telegramJson(decodeTelegram(bytes)),
      '{"protocol":"mbus","meter":{"id":"12345678","manufacturer":"KAM","version":8,"medium":"heat (outlet)",' +
        '"accessNumber":4,"status":0},' +
        '"records":[{"quantity":"energy","value":4711,"unit":"kWh","function":"instantaneous","storage":0,"tariff":0,"subunit":0,' +
        '"register":60,"dif":"04","vif":"06"}]}',
    );
  });

  test('§9.3 telegram 2: a date string with summer time, an invalid date as null, manufacturer data as hex', () => {
    assert.equal(
      telegramJson(decodeTelegram(TST_TELEGRAM_2)),
      '{"protocol":"mbus","meter":{"id":"31415926","manufacturer":"TST","version":1,"medium":"heat (outlet)",' +
        '"accessNumber":8,"status":0},' +
        '"records":[' +
        '{"quantity":"error flags","value":4,"unit":"","function":"instantaneous","storage":0,"tariff":0,"subunit":0,' +
        '"dif":"02","vif":"FD 17"},' +
        '{"quantity":"time point","value":"2026-07-04T23:59","unit":"","summerTime":true,"function":"instantaneous",' +
        '"storage":0,"tariff":0,' +
        '"subunit":0,"register":1002,"dif":"04","vif":"6D"},' +
        '{"quantity":"time point","value":null,"unit":"","invalid":"no date (FF FF)","function":"instantaneous","storage":1,"tariff":0,' +
        '"subunit":0,"dif":"42","vif":"6C"}],' +
        '"manufacturerData":"01 02 03"}',
    );
  });

  test('§9.3 telegram 1: negative values, text, vifeCodes and moreFollows', () => {
    type Json = { records: Array<Record<string, unknown>>; moreFollows: boolean };
    const json = JSON.parse(telegramJson(decodeTelegram(TST_TELEGRAM_1))) as Json;
    assert.equal(json.moreFollows, true);
    assert.deepEqual(
      json.records.map((r) => r.value),
      [123.456, 532.1, 12.34, 875, -3.25, -0.125, 'V1.02'],
    );
    assert.equal(telegramJson(decodeTelegram(MC403_REPLY)).includes('"vifeCodes":["backward flow"]'), true);
  });

  test('numbers are exact: 64-bit counters, tiny scales and reals have no exponent form and no float noise', () => {
    const bytes = encodeTelegram({
      address: 1,
      header: { id: '12345678', manufacturer: 'KAM', version: 8, medium: 0x04, accessNumber: 4 },
      records: [
        { dif: '07', vif: '07', value: { kind: 'number', value: Decimal.of(9223372036854775807n, 1) } },
        { dif: '01', vif: '28', value: { kind: 'number', value: Decimal.of(1n, -6) } },
        { dif: '05', vif: 'FD 3A', value: { kind: 'number', value: Decimal.parse('0.1')! } },
        { dif: '04', vif: '14', value: { kind: 'number', value: Decimal.parse('412.37')! } },
      ],
    });
    const values = decodeTelegram(bytes).records.map((r) => JSON.stringify(r.value.kind === 'number' && r.value.value.toString()));
    assert.deepEqual(values, ['"92233720368547758070"', '"0.000001"', '"0.1"', '"412.37"']);
    const json = telegramJson(decodeTelegram(bytes));
    for (const n of ['"value":92233720368547758070,', '"value":0.000001,', '"value":0.1,', '"value":412.37,']) {
      assert.ok(json.includes(n), n);
    }
  });

  test('problems: on the record and at the top level', () => {
    const bytes = encodeTelegram({
      address: 1,
      header: { id: '12345678', manufacturer: 'KAM', version: 8, medium: 0x04, accessNumber: 4 },
      records: [Uint8Array.of(0x04, 0x06, 0x01, 0, 0, 0), Uint8Array.of(0x04, 0x06, 0x02, 0, 0, 0), Uint8Array.of(0x04, 0x06, 0x01)],
    });
    const json = JSON.parse(telegramJson(decodeTelegram(bytes))) as { records: Array<Record<string, unknown>>; problems: string[] };
    assert.equal(json.records.length, 2);
    assert.equal(json.records[0]!.register, 60);
    assert.equal(json.records[1]!.register, undefined);
    assert.match(String(json.records[1]!.problem), /register 60 already taken by record 1/);
    assert.deepEqual(json.problems, ['record 3 at data byte 12: DIF 04 VIF 06 needs 4 data bytes, 1 left: 01; the rest is not decoded']);
  });
});
