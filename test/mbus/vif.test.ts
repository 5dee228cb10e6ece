// VIF and VIFE: every primary range, the FB and FD rows the decoder uses, combinable VIFEs, plain-text and
// manufacturer-specific VIFs (mbus-protocol.md §5 and §7; units converted to the KMP vocabulary, kmp-units.tsv).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex } from '../../src/core/hex.js';
import { decodeRecords, type MbusRecord } from '../../src/mbus/records.js';
import { recordErrorName } from '../../src/mbus/vife.js';

function one(hex: string, manufacturer = 'KAM'): MbusRecord {
  const r = decodeRecords(fromHex(hex), { manufacturer });
  assert.deepEqual(r.problems, [], hex);
  assert.equal(r.records.length, 1, hex);
  return r.records[0]!;
}

const num = (r: MbusRecord): string => (r.value.kind === 'number' ? r.value.value.toString() : `${r.value.kind}`);

interface VifCase {
  vif: string;
  /** Sent as int32 (DIF 04), or as 8-digit BCD (DIF 0C) with `bcd`. */
  raw: number;
  bcd?: boolean;
  quantity: string;
  value: string;
  unit: string;
}

const int32 = (n: number): string => [0, 8, 16, 24].map((s) => ((n >> s) & 0xff).toString(16).padStart(2, '0')).join(' ');

// §5 primary table: the first and last code of every range, and the vectors the brief names.
const PRIMARY: readonly VifCase[] = [
  { vif: '00', raw: 4711, quantity: 'energy', value: '0.004711', unit: 'kWh' },
  { vif: '03', raw: 4711, quantity: 'energy', value: '4.711', unit: 'kWh' },
  { vif: '06', raw: 4711, quantity: 'energy', value: '4711', unit: 'kWh' },
  { vif: '07', raw: 4711, quantity: 'energy', value: '47110', unit: 'kWh' },
  { vif: '08', raw: 12345, quantity: 'energy', value: '0.000012345', unit: 'GJ' },
  { vif: '0E', raw: 12345, quantity: 'energy', value: '12.345', unit: 'GJ' },
  { vif: '0F', raw: 12345, quantity: 'energy', value: '123.45', unit: 'GJ' },
  { vif: '10', raw: 5, quantity: 'volume', value: '0.000005', unit: 'm³' },
  { vif: '13', raw: 4711, quantity: 'volume', value: '4.711', unit: 'm³' },
  { vif: '14', raw: 41237, quantity: 'volume', value: '412.37', unit: 'm³' },
  { vif: '17', raw: 3, quantity: 'volume', value: '30', unit: 'm³' },
  { vif: '18', raw: 4711, quantity: 'mass', value: '0.004711', unit: 'ton' },
  { vif: '1B', raw: 4711, quantity: 'mass', value: '4.711', unit: 'ton' },
  { vif: '1F', raw: 5, quantity: 'mass', value: '50', unit: 'ton' },
  { vif: '20', raw: 60, quantity: 'on time', value: '60', unit: 's' },
  { vif: '21', raw: 60, quantity: 'on time', value: '60', unit: 'minutes' },
  { vif: '22', raw: 30118, quantity: 'on time', value: '30118', unit: 'h' },
  { vif: '23', raw: 7, quantity: 'on time', value: '7', unit: 'days' },
  { vif: '24', raw: 1, quantity: 'operating time', value: '1', unit: 's' },
  { vif: '27', raw: 2, quantity: 'operating time', value: '2', unit: 'days' },
  { vif: '28', raw: 32, quantity: 'power', value: '0.000032', unit: 'kW' },
  { vif: '2B', raw: 125, quantity: 'power', value: '0.125', unit: 'kW' },
  { vif: '2D', raw: 32, quantity: 'power', value: '3.2', unit: 'kW' },
  { vif: '2E', raw: 5, quantity: 'power', value: '5', unit: 'kW' },
  { vif: '2F', raw: 5, quantity: 'power', value: '50', unit: 'kW' },
  { vif: '30', raw: 7, quantity: 'power', value: '7', unit: 'J/h' },
  { vif: '37', raw: 7, quantity: 'power', value: '70000000', unit: 'J/h' },
  { vif: '38', raw: 103, quantity: 'volume flow', value: '0.103', unit: 'l/h' },
  { vif: '3B', raw: 103, quantity: 'volume flow', value: '103', unit: 'l/h' },
  { vif: '3F', raw: 2, quantity: 'volume flow', value: '20000', unit: 'l/h' },
  { vif: '40', raw: 1, quantity: 'volume flow', value: '0.006', unit: 'l/h' },
  { vif: '40', raw: 5, quantity: 'volume flow', value: '0.030', unit: 'l/h' },
  { vif: '47', raw: 1, quantity: 'volume flow', value: '60000', unit: 'l/h' },
  { vif: '48', raw: 1, quantity: 'volume flow', value: '0.0036', unit: 'l/h' },
  { vif: '4F', raw: 1, quantity: 'volume flow', value: '36000', unit: 'l/h' },
  { vif: '50', raw: 5, quantity: 'mass flow', value: '0.000005', unit: 'ton/h' },
  { vif: '57', raw: 5, quantity: 'mass flow', value: '50', unit: 'ton/h' },
  { vif: '58', raw: 6781, quantity: 'flow temperature', value: '6.781', unit: '°C' },
  { vif: '5B', raw: 67, quantity: 'flow temperature', value: '67', unit: '°C' },
  { vif: '5C', raw: 4106, quantity: 'return temperature', value: '4.106', unit: '°C' },
  { vif: '5F', raw: 41, quantity: 'return temperature', value: '41', unit: '°C' },
  { vif: '60', raw: -3250, quantity: 'temperature difference', value: '-3.250', unit: 'K' },
  { vif: '63', raw: 26, quantity: 'temperature difference', value: '26', unit: 'K' },
  { vif: '64', raw: -125, quantity: 'external temperature', value: '-0.125', unit: '°C' },
  { vif: '67', raw: 21, quantity: 'external temperature', value: '21', unit: '°C' },
  { vif: '68', raw: 1600, quantity: 'pressure', value: '1.600', unit: 'bar' },
  { vif: '6B', raw: 16, quantity: 'pressure', value: '16', unit: 'bar' },
  { vif: '6E', raw: 120, quantity: 'units for HCA', value: '120', unit: 'HCA units' },
  { vif: '70', raw: 900, quantity: 'averaging duration', value: '900', unit: 's' },
  { vif: '73', raw: 1, quantity: 'averaging duration', value: '1', unit: 'days' },
  { vif: '74', raw: 30, quantity: 'actuality duration', value: '30', unit: 's' },
  { vif: '77', raw: 1, quantity: 'actuality duration', value: '1', unit: 'days' },
  { vif: '78', raw: 71234567, bcd: true, quantity: 'fabrication number', value: '71234567', unit: '' },
  { vif: '79', raw: 58300187, bcd: true, quantity: 'enhanced identification', value: '58300187', unit: '' },
  { vif: '7A', raw: 23, quantity: 'bus address', value: '23', unit: '' },
];

// §5 tables FB and FD: the rows a heat meter or this decoder uses.
const EXTENSIONS: readonly VifCase[] = [
  { vif: 'FB 00', raw: 5321, quantity: 'energy', value: '532.1', unit: 'MWh' },
  { vif: 'FB 01', raw: 5321, quantity: 'energy', value: '5321', unit: 'MWh' },
  { vif: 'FB 08', raw: 1234, quantity: 'energy', value: '123.4', unit: 'GJ' },
  { vif: 'FB 09', raw: 1234, quantity: 'energy', value: '1234', unit: 'GJ' },
  { vif: 'FB 10', raw: 12, quantity: 'volume', value: '1200', unit: 'm³' },
  { vif: 'FB 11', raw: 12, quantity: 'volume', value: '12000', unit: 'm³' },
  { vif: 'FB 18', raw: 3, quantity: 'mass', value: '300', unit: 'ton' },
  { vif: 'FB 19', raw: 3, quantity: 'mass', value: '3000', unit: 'ton' },
  { vif: 'FB 28', raw: 15, quantity: 'power', value: '1.5', unit: 'MW' },
  { vif: 'FB 29', raw: 15, quantity: 'power', value: '15', unit: 'MW' },
  { vif: 'FB 30', raw: 15, quantity: 'power', value: '1.5', unit: 'GJ/h' },
  { vif: 'FB 31', raw: 15, quantity: 'power', value: '15', unit: 'GJ/h' },
  { vif: 'FB 59', raw: 15312, quantity: 'flow temperature', value: '153.12', unit: '°F' },
  { vif: 'FB 74', raw: 5, quantity: 'cold/warm temperature limit', value: '0.005', unit: '°C' },
  { vif: 'FB 79', raw: 5, quantity: 'cumulative count max power', value: '0.00005', unit: 'kW' },
  { vif: 'FD 00', raw: 1999, quantity: 'credit', value: '1.999', unit: 'currency units' },
  { vif: 'FD 07', raw: 1999, quantity: 'debit', value: '1999', unit: 'currency units' },
  { vif: 'FD 08', raw: 42, quantity: 'access number', value: '42', unit: '' },
  { vif: 'FD 0C', raw: 52, quantity: 'model/version', value: '52', unit: '' },
  { vif: 'FD 0E', raw: 102, quantity: 'firmware version', value: '102', unit: '' },
  { vif: 'FD 17', raw: 4, quantity: 'error flags', value: '4', unit: '' },
  { vif: 'FD 1C', raw: 2400, quantity: 'baud rate', value: '2400', unit: 'Bd' },
  { vif: 'FD 28', raw: 1, quantity: 'storage interval', value: '1', unit: 'months' },
  { vif: 'FD 3A', raw: 12, quantity: 'dimensionless', value: '12', unit: '' },
  { vif: 'FD 40', raw: 230, quantity: 'voltage', value: '0.000000230', unit: 'V' },
  { vif: 'FD 49', raw: 230, quantity: 'voltage', value: '230', unit: 'V' },
  { vif: 'FD 5C', raw: 5, quantity: 'current', value: '5', unit: 'A' },
  { vif: 'FD 6D', raw: 365, quantity: 'operating time battery', value: '365', unit: 'days' },
  { vif: 'FD 74', raw: 3650, quantity: 'remaining battery life time', value: '3650', unit: 'days' },
];

describe('primary VIF table (§5): value = raw × 10^exponent, in the KMP unit', () => {
  for (const c of PRIMARY) {
    test(`VIF ${c.vif}, raw ${c.raw} → ${c.value} ${c.unit} (${c.quantity})`, () => {
      const data = c.bcd ? (String(c.raw).match(/../g) ?? []).reverse().join(' ') : int32(c.raw);
      const r = one(`${c.bcd ? '0C' : '04'} ${c.vif} ${data}`);
      assert.equal(r.quantity, c.quantity);
      assert.equal(num(r), c.value);
      assert.equal(r.unit, c.unit);
    });
  }

  test('VIF 6F and EF (reserved), 7E (any VIF: master only) are kept as hex and flagged', () => {
    for (const [hex, re] of [
      ['04 6F 01 02 03 04', /reserved/],
      ['04 7E 01 02 03 04', /readout selection/],
    ] as const) {
      const r = decodeRecords(fromHex(hex)).records[0]!;
      assert.deepEqual(r.value, { kind: 'bytes', hex: '01 02 03 04' });
      assert.match(r.problem!, re);
    }
  });
});

describe('extension tables FB and FD (§5)', () => {
  for (const c of EXTENSIONS) {
    test(`VIF ${c.vif}, raw ${c.raw} → ${c.value} ${c.unit} (${c.quantity})`, () => {
      const r = one(`04 ${c.vif} ${int32(c.raw)}`);
      assert.equal(r.quantity, c.quantity);
      assert.equal(num(r), c.value);
      assert.equal(r.unit, c.unit);
    });
  }

  test('a code missing from FB or FD, a reserved FD row, and FB/FD without a code are flagged', () => {
    for (const [hex, re] of [
      ['04 FB 06 01 00 00 00', /table FB code 0x06 is reserved or unknown/],
      ['04 FD 19 01 00 00 00', /table FD code 0x19 is reserved or unknown/],
      ['04 FD 7F 01 00 00 00', /table FD code 0x7F is reserved or unknown/],
      ['04 7B 01 00 00 00', /announces table FB but no code follows/],
      ['04 7D 01 00 00 00', /announces table FD but no code follows/],
    ] as const) {
      const r = decodeRecords(fromHex(hex)).records[0]!;
      assert.equal(r.value.kind, 'bytes', hex);
      assert.match(r.problem!, re);
    }
  });
});

describe('combinable VIFEs (§5)', () => {
  test('multiplicative correction 10^(nnn−6) (70–77) and 7D (×1000) are applied exactly', () => {
    const CASES: ReadonlyArray<[string, string]> = [
      ['86 70', '0.004711'],
      ['86 75', '471.1'],
      ['86 76', '4711'],
      ['86 77', '47110'],
      ['86 7D', '4711000'],
      ['86 F5 7D', '471100'],
      ['FB 80 7D', '471100'],
    ];
    for (const [vif, value] of CASES) {
      const r = one(`04 ${vif} 67 12 00 00`);
      assert.equal(num(r), value, vif);
      assert.equal(r.vifeCodes, undefined, `${vif}: an applied correction is not a kept code`);
      assert.equal(r.problem, undefined);
    }
  });

  test('3C backward flow (E3) and 3B forward flow are kept by name', () => {
    assert.deepEqual(one('04 86 3C D6 00 00 00').vifeCodes, ['backward flow']);
    assert.deepEqual(one('04 86 3B D6 00 00 00').vifeCodes, ['forward flow']);
    const both = one('04 86 BC 75 D6 00 00 00');
    assert.deepEqual(both.vifeCodes, ['backward flow']);
    assert.equal(num(both), '21.4');
  });

  test('record error codes 00–1F make the value invalid, with the error name', () => {
    const NAMES: ReadonlyArray<[number, string]> = [
      [0x00, 'none'],
      [0x01, 'too many DIFEs'],
      [0x02, 'storage number not implemented'],
      [0x05, 'function not implemented'],
      [0x08, 'reserved'],
      [0x0b, 'too many VIFEs'],
      [0x0e, 'VIF/DIF mismatch'],
      [0x15, 'no data available (undefined value)'],
      [0x16, 'data overflow'],
      [0x17, 'data underflow'],
      [0x18, 'data error'],
      [0x1c, 'premature end of record'],
      [0x1f, 'reserved'],
    ];
    for (const [code, name] of NAMES) {
      assert.equal(recordErrorName(code), name);
      const r = one(`04 86 ${code.toString(16).padStart(2, '0')} 67 12 00 00`);
      assert.deepEqual(r.value, { kind: 'invalid', why: `record error: ${name}` });
      assert.deepEqual(r.vifeCodes, [`record error: ${name}`]);
    }
  });

  test('additive correction (78–7B) is kept and flagged, not applied', () => {
    const r = decodeRecords(fromHex('04 86 79 67 12 00 00')).records[0]!;
    assert.equal(num(r), '4711');
    assert.deepEqual(r.vifeCodes, ['additive correction constant 10^-2 × unit']);
    assert.match(r.problem!, /the record is an offset to the energy, not applied/);
  });

  test('other codes are kept as names or codes: per hour, limit values, 7C extension, 7E future value', () => {
    assert.deepEqual(one('04 86 22 01 00 00 00').vifeCodes, ['per hour']);
    assert.deepEqual(one('04 86 33 01 00 00 00').vifeCodes, ['per K·l']);
    assert.deepEqual(one('04 86 4A 01 00 00 00').vifeCodes, ['VIFE 0x4A (limit values, limit exceeds, durations)']);
    assert.deepEqual(one('04 86 FC 12 01 00 00 00').vifeCodes, ['extended combinable code 0x12']);
    assert.deepEqual(one('04 86 7E 01 00 00 00').vifeCodes, ['future value']);
  });

  test('7F: the rest is manufacturer specific, the data kept as hex and flagged', () => {
    const r = decodeRecords(fromHex('04 86 FF 01 67 12 00 00')).records[0]!;
    assert.deepEqual(r.value, { kind: 'bytes', hex: '67 12 00 00' });
    assert.deepEqual(r.vifeCodes, ['manufacturer specific: 0x01']);
    assert.match(r.problem!, /manufacturer-specific VIFEs and data/);
  });
});

describe('plain-text VIF 7C / FC (§5)', () => {
  test('7C: length and text (last character first) right after the VIF; the unit is shown as sent', () => {
    const r = one('02 7C 02 68 57 2A 00');
    assert.equal(r.quantity, 'plain-text unit');
    assert.equal(r.unit, 'Wh', 'as sent, not converted to kWh');
    assert.equal(num(r), '42');
    assert.equal(r.vif, '7C');
  });

  test('FC: the length byte comes after the last VIFE (EN 13757-3:2018 C.2, as exmbus reads it)', () => {
    // FC 74 = plain text with a 10^-2 correction; then 03 "hWk" (kWh read back to front); then the data.
    const r = one('02 FC 74 03 68 57 6B 2A 00');
    assert.equal(r.unit, 'kWh');
    assert.equal(num(r), '0.42');
    assert.equal(r.vif, 'FC 74');
    assert.equal(r.raw, '02 FC 74 03 68 57 6B 2A 00');
  });
});

describe('manufacturer-specific VIF FF (§7)', () => {
  test('Kamstrup: FF 07 = E8, FF 08 = E9 in m³·°C, FF 22 = info code (32 and 16 bits)', () => {
    const e8 = one('04 FF 07 89 6D 00 00');
    assert.deepEqual([e8.quantity, num(e8), e8.unit], ['flow temperature × volume', '28041', 'm³·°C']);
    const e9 = one('04 FF 08 68 40 00 00');
    assert.deepEqual([e9.quantity, num(e9), e9.unit], ['return temperature × volume', '16488', 'm³·°C']);
    const info = one('04 FF 22 00 01 00 00');
    assert.deepEqual([info.quantity, num(info), info.unit], ['info code', '256', '']);
    const info16 = one('02 FF 22 02 00');
    assert.deepEqual([info16.quantity, num(info16)], ['info code', '2']);
  });

  test('another manufacturer, another Kamstrup code, or more VIFEs: manufacturer data as hex', () => {
    const CASES = [
      ['04 FF 07 89 6D 00 00', 'TST'],
      ['04 FF 09 89 6D 00 00', 'KAM'],
      ['04 FF 87 01 89 6D 00 00', 'KAM'],
      ['04 7F 89 6D 00 00', 'KAM'],
    ] as const;
    for (const [hex, man] of CASES) {
      const r = one(hex, man);
      assert.equal(r.quantity, 'manufacturer specific', hex);
      assert.deepEqual(r.value, { kind: 'bytes', hex: '89 6D 00 00' }, hex);
      assert.equal(r.register, undefined);
    }
  });
});
