// Data records: DIF and DIFE, every data field coding, the special DIFs, and what happens to malformed records
// (mbus-protocol.md §4, EN 13757-3 Table 5 for LVAR).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import { encodeDib, readDib, type DibInput } from '../../src/mbus/dif.js';
import { decodeRecords, type MbusRecord } from '../../src/mbus/records.js';

const records = (hex: string, manufacturer = 'KAM') => decodeRecords(fromHex(hex), { manufacturer });

function shown(r: MbusRecord | undefined): string {
  const v = r?.value;
  if (!v) return 'no record';
  if (v.kind === 'number') return v.value.toString();
  if (v.kind === 'invalid') return `invalid:${v.why}`;
  if (v.kind === 'bytes') return `bytes:${v.hex}`;
  return `${v.kind}:${v.text}`;
}

describe('DIF and DIFE (§4: storage = DIF[6] + Σ DIFE[3:0]·2^(1+4i), tariff = Σ DIFE[5:4]·2^(2i), subunit = Σ DIFE[6]·2^i)', () => {
  const DIBS: ReadonlyArray<{ dib: string; fn: string; storage: number; tariff: number; subunit: number; source: string }> = [
    { dib: '04', fn: 'instantaneous', storage: 0, tariff: 0, subunit: 0, source: 'no DIFE' },
    { dib: '44', fn: 'instantaneous', storage: 1, tariff: 0, subunit: 0, source: 'DIF bit 6' },
    { dib: '14', fn: 'maximum', storage: 0, tariff: 0, subunit: 0, source: 'function 01' },
    { dib: '24', fn: 'minimum', storage: 0, tariff: 0, subunit: 0, source: 'function 10' },
    { dib: '34', fn: 'error', storage: 0, tariff: 0, subunit: 0, source: 'function 11, value during error state' },
    { dib: '84 10', fn: 'instantaneous', storage: 0, tariff: 1, subunit: 0, source: '§7 tariff TA2' },
    { dib: '84 20', fn: 'instantaneous', storage: 0, tariff: 2, subunit: 0, source: '§7 tariff TA3' },
    { dib: '84 40', fn: 'instantaneous', storage: 0, tariff: 0, subunit: 1, source: '§7 pulse input VA' },
    { dib: '84 80 40', fn: 'instantaneous', storage: 0, tariff: 0, subunit: 2, source: '§4 DIFE 80 carries nothing; §7 VB' },
    { dib: 'C4 80 40', fn: 'instantaneous', storage: 1, tariff: 0, subunit: 2, source: '§9.3 VB at target date' },
    { dib: '94 01', fn: 'maximum', storage: 2, tariff: 0, subunit: 0, source: '§9.3 maximum in storage 2' },
    { dib: 'C4 8F 0F', fn: 'instantaneous', storage: 1 + 15 * 2 + 15 * 32, tariff: 0, subunit: 0, source: 'storage over two DIFEs' },
    { dib: '84 B0 30', fn: 'instantaneous', storage: 0, tariff: 3 + 3 * 4, subunit: 0, source: 'tariff over two DIFEs' },
    { dib: '84 C0 40', fn: 'instantaneous', storage: 0, tariff: 0, subunit: 3, source: 'subunit over two DIFEs' },
    {
      dib: 'C4 8F 8F 8F 8F 8F 8F 8F 8F 8F 0F',
      fn: 'instantaneous',
      storage: 2 ** 41 - 1,
      tariff: 0,
      subunit: 0,
      source: '10 DIFEs: 41 bits of storage number',
    },
    {
      dib: '84 FF FF FF FF FF FF FF FF FF 7F',
      fn: 'instantaneous',
      storage: 2 ** 41 - 2,
      tariff: 2 ** 20 - 1,
      subunit: 2 ** 10 - 1,
      source: '10 DIFEs, all bits',
    },
  ];
  for (const d of DIBS) {
    test(`${d.dib} (${d.source})`, () => {
      const r = readDib(fromHex(d.dib), 0);
      assert.ok(r.ok);
      assert.equal(r.dib.function, d.fn);
      assert.equal(r.dib.storage, d.storage);
      assert.equal(r.dib.tariff, d.tariff);
      assert.equal(r.dib.subunit, d.subunit);
      assert.equal(r.dib.dataField, 4);
      const spec: DibInput = { dataField: 4, function: r.dib.function, storage: d.storage, tariff: d.tariff, subunit: d.subunit };
      const again = readDib(encodeDib(spec), 0);
      assert.ok(again.ok);
      assert.deepEqual({ ...again.dib, bytes: undefined }, { ...r.dib, bytes: undefined }, 'encodeDib → readDib gives the same fields');
    });
  }

  test('encodeDib writes the shortest DIB: 04, 84 10, 84 80 40, C4 80 40, 94 01', () => {
    assert.equal(toHex(encodeDib({ dataField: 4 })), '04');
    assert.equal(toHex(encodeDib({ dataField: 4, tariff: 1 })), '84 10');
    assert.equal(toHex(encodeDib({ dataField: 4, subunit: 2 })), '84 80 40');
    assert.equal(toHex(encodeDib({ dataField: 4, storage: 1, subunit: 2 })), 'C4 80 40');
    assert.equal(toHex(encodeDib({ dataField: 4, function: 'maximum', storage: 2 })), '94 01');
  });

  test('more than 10 DIFEs ends decoding; the records before are kept and the problem named', () => {
    const r = records(`02 59 7D 1A 84 ${'80 '.repeat(10)}00 06 01 00 00 00`);
    assert.equal(r.records.length, 1);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, /^record 2 at data byte 4: more than 10 DIFEs: 84 80 80/);
  });
});

describe('every data field (§4), with VIF FD 3A (dimensionless: the raw number)', () => {
  const CASES: ReadonlyArray<{ df: string; data: string; shown: string; problem?: RegExp }> = [
    { df: '00', data: '', shown: 'invalid:no data (data field 0)' },
    { df: '01', data: 'FF', shown: '-1' },
    { df: '01', data: '7F', shown: '127' },
    { df: '02', data: '00 80', shown: '-32768' },
    { df: '02', data: 'FF 7F', shown: '32767' },
    { df: '03', data: 'FF FF 7F', shown: '8388607' },
    { df: '03', data: '00 00 80', shown: '-8388608' },
    { df: '04', data: '00 00 00 80', shown: '-2147483648' },
    { df: '04', data: 'FF FF FF FF', shown: '-1' },
    { df: '05', data: '00 00 C0 3F', shown: '1.5' },
    { df: '05', data: 'CD CC CC 3D', shown: '0.1' },
    { df: '05', data: '00 00 C0 7F', shown: 'invalid:real 00 00 C0 7F is not a number (NaN or infinity)', problem: /NaN/ },
    { df: '06', data: 'FF FF FF FF FF 7F', shown: '140737488355327' },
    { df: '06', data: '00 00 00 00 00 80', shown: '-140737488355328' },
    { df: '07', data: 'FF FF FF FF FF FF FF 7F', shown: '9223372036854775807' },
    { df: '07', data: '00 00 00 00 00 00 00 80', shown: '-9223372036854775808' },
    { df: '07', data: '01 00 00 00 00 00 20 00', shown: '9007199254740993', problem: undefined },
    { df: '08', data: '', shown: 'invalid:selection for readout (data field 8), sent only from master to slave', problem: /selection/ },
    { df: '09', data: '99', shown: '99' },
    { df: '09', data: 'F5', shown: '-5' },
    { df: '0A', data: '34 12', shown: '1234' },
    { df: '0B', data: '25 01 F0', shown: '-125' },
    { df: '0C', data: '78 56 34 12', shown: '12345678' },
    { df: '0C', data: 'FF FF FF FF', shown: 'invalid:no value (all digits F)' },
    { df: '0C', data: '1A 00 00 00', shown: 'invalid:invalid BCD digit A in 1A 00 00 00', problem: /digit A/ },
    { df: '0C', data: '00 F0 00 00', shown: 'invalid:invalid BCD digit F in 00 F0 00 00', problem: /digit F/ },
    { df: '0C', data: 'E0 00 00 00', shown: 'invalid:invalid BCD digit E in E0 00 00 00', problem: /digit E/ },
    { df: '0E', data: '12 90 78 56 34 12', shown: '123456789012' },
    { df: '0E', data: '99 99 99 99 99 F9', shown: '-99999999999' },
    { df: '0D', data: '05 32 30 2E 31 56', shown: 'text:V1.02' },
    { df: '0D', data: '00', shown: 'text:' },
    { df: '0D', data: '03 E9 F8 E6', shown: 'text:æøé' },
    { df: '0D', data: 'C2 34 12', shown: '1234' },
    { df: '0D', data: 'D2 34 12', shown: '-1234' },
    { df: '0D', data: 'C1 1F', shown: 'invalid:invalid BCD digit F in 1F', problem: /BCD/ },
    { df: '0D', data: 'C0', shown: 'invalid:BCD without digits', problem: /without digits/ },
    { df: '0D', data: 'E2 FF FF', shown: '-1' },
    { df: '0D', data: 'E8 FF FF FF FF FF FF FF 7F', shown: '9223372036854775807' },
    { df: '0D', data: `E9 ${'11 '.repeat(9)}`.trim(), shown: `bytes:${'11 '.repeat(9).trim()}` },
    { df: '0D', data: `F0 ${'AB '.repeat(16)}`.trim(), shown: `bytes:${'AB '.repeat(16).trim()}` },
    { df: '0D', data: `F4 ${'01 '.repeat(32)}`.trim(), shown: `bytes:${'01 '.repeat(32).trim()}` },
    { df: '0D', data: `F5 ${'02 '.repeat(48)}`.trim(), shown: `bytes:${'02 '.repeat(48).trim()}` },
  ];
  for (const c of CASES) {
    test(`data field ${c.df}: ${c.data || '(none)'} → ${c.shown}`, () => {
      const r = records(`${c.df} FD 3A ${c.data}`);
      assert.deepEqual(r.problems, []);
      assert.equal(r.records.length, 1);
      const rec = r.records[0]!;
      assert.equal(shown(rec), c.shown);
      assert.equal(rec.raw, toHex(fromHex(`${c.df} FD 3A ${c.data}`)));
      if (c.problem) assert.match(rec.problem ?? '', c.problem);
      else assert.equal(rec.problem, undefined);
    });
  }

  test('F6: a 64-byte binary LVAR', () => {
    const r = records(`0D FD 3A F6 ${'03 '.repeat(64)}02 59 7D 1A`);
    assert.equal(r.records.length, 2);
    assert.equal(shown(r.records[0]), `bytes:${'03 '.repeat(64).trim()}`);
    assert.equal(shown(r.records[1]), '67.81');
  });

  test('a reserved LVAR (CA–CF, DA–DF, F7–FF) stops decoding; the records before it are kept', () => {
    for (const lvar of ['CA', 'CF', 'DA', 'DF', 'F7', 'FF']) {
      const r = records(`02 59 7D 1A 0D FD 3A ${lvar} 01 02 02 5D 0A 10`);
      assert.equal(r.records.length, 1, lvar);
      assert.equal(shown(r.records[0]), '67.81');
      assert.match(r.problems[0] ?? '', new RegExp(`record 2 at data byte 4: DIF 0D VIF FD 3A: LVAR 0x${lvar} is reserved`));
    }
  });
});

describe('special DIFs (§4)', () => {
  test('2F fillers are skipped anywhere', () => {
    const r = records('2F 02 59 7D 1A 2F 2F 02 5D 0A 10 2F');
    assert.deepEqual(r.records.map(shown), ['67.81', '41.06']);
    assert.deepEqual(r.problems, []);
    assert.equal(r.moreFollows, false);
  });

  test('0F: manufacturer data to the end, in wire order, never read as records', () => {
    const r = records('02 59 7D 1A 0F 02 5D 0A 10');
    assert.equal(r.records.length, 1);
    assert.equal(toHex(r.manufacturerData!), '02 5D 0A 10');
    assert.equal(r.moreFollows, false);
  });

  test('1F: more records follow in the next telegram; bytes after it are manufacturer data', () => {
    const end = records('02 59 7D 1A 1F');
    assert.equal(end.moreFollows, true);
    assert.equal(end.manufacturerData, undefined);
    const withData = records('1F AA BB');
    assert.equal(withData.moreFollows, true);
    assert.equal(toHex(withData.manufacturerData!), 'AA BB');
  });

  test('7F (global readout request) is flagged and skipped; reserved 3F … 6F and 8F stop decoding', () => {
    const r = records('7F 02 59 7D 1A');
    assert.equal(r.records.length, 1);
    assert.match(r.problems[0]!, /DIF 7F \(global readout request\)/);
    for (const dif of ['3F', '4F', '5F', '6F', '8F', 'FF']) {
      const s = records(`02 59 7D 1A ${dif} 02 5D 0A 10`);
      assert.equal(s.records.length, 1, dif);
      assert.match(s.problems[0]!, new RegExp(`reserved special DIF 0x${dif} at data byte 4`));
    }
  });
});

describe('malformed records: decoded as far as they go, never silently', () => {
  const CUTS: ReadonlyArray<{ what: string; hex: string; problem: RegExp }> = [
    {
      what: 'data cut short',
      hex: '02 59 7D 1A 04 06 77 40',
      problem: /record 2 at data byte 4: DIF 04 VIF 06 needs 4 data bytes, 2 left: 77 40/,
    },
    { what: 'no VIF', hex: '02 59 7D 1A 04', problem: /the record ends before its VIF/ },
    { what: 'DIFE runs off the end', hex: '02 59 7D 1A 84', problem: /DIF\/DIFE 84 runs off the end/ },
    { what: 'VIFE runs off the end', hex: '02 59 7D 1A 04 86', problem: /VIF\/VIFE 86 runs off the end/ },
    { what: 'LVAR byte missing', hex: '02 59 7D 1A 0D FD 0E', problem: /the LVAR byte is missing/ },
    { what: 'LVAR text cut short', hex: '02 59 7D 1A 0D FD 0E 05 32 30', problem: /needs 5 data bytes, 2 left: 32 30/ },
    { what: 'more than 10 VIFEs', hex: `02 59 7D 1A 04 86 ${'F0 '.repeat(10)}70 01 00 00 00`, problem: /more than 10 VIFEs/ },
    { what: 'plain-text unit cut short', hex: '02 59 7D 1A 02 7C 05 41', problem: /plain-text unit after 7C runs off the end/ },
  ];
  for (const c of CUTS) {
    test(c.what, () => {
      const r = records(c.hex);
      assert.equal(r.records.length, 1, 'the record before is kept');
      assert.equal(shown(r.records[0]), '67.81');
      assert.equal(r.problems.length, 1);
      assert.match(r.problems[0]!, c.problem);
      assert.match(r.problems[0]!, /the rest is not decoded$/);
    });
  }

  test('exactly 10 VIFEs are fine', () => {
    const r = records(`04 86 ${'F6 '.repeat(8)}BC 76 01 00 00 00`);
    assert.deepEqual(r.problems, []);
    assert.equal(shown(r.records[0]), '1');
    assert.deepEqual(r.records[0]?.vifeCodes, ['backward flow']);
  });

  test('a record the decoder does not understand is kept as hex, flagged, and the next one is read', () => {
    const r = records('04 EF 01 02 03 04 05 04 FB 06 11 22 33 44 02 59 7D 1A');
    assert.equal(r.records.length, 3);
    assert.equal(shown(r.records[0]), 'bytes:02 03 04 05');
    assert.match(r.records[0]!.problem!, /VIF 0xEF is reserved/);
    assert.equal(r.records[0]!.raw, '04 EF 01 02 03 04 05');
    assert.equal(shown(r.records[1]), 'bytes:11 22 33 44');
    assert.match(r.records[1]!.problem!, /table FB code 0x06 is reserved or unknown/);
    assert.equal(shown(r.records[2]), '67.81');
    assert.deepEqual(r.problems, []);
  });
});
