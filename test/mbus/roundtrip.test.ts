// Round trips (style.md habit 3): decode → encode → decode for records and telegrams, randomised over data
// fields, VIFs and VIFEs with a seeded PRNG (FUZZ_SEED replays a run), plus the encoder's refusals.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { encodeRecord, encodeTelegram, type RecordInput } from '../../src/mbus/encode.js';
import { decodeRecords, type MbusRecord } from '../../src/mbus/records.js';
import { decodeTelegram } from '../../src/mbus/telegram.js';
import { randomHeader, randomRecord } from './generate.js';
import { SEED, mbusCode } from './support.js';
import { rng } from '../support/random.js';

/** The record without its wire bytes, with Decimals as text: what must survive a round trip. */
function meaning(r: MbusRecord): unknown {
  const { raw: _raw, value, ...rest } = r;
  return { ...rest, value: value.kind === 'number' ? { kind: 'number', value: value.value.toString() } : value };
}

/** Encodings with exactly one form: integers, BCD, reals, LVAR text. LVAR numbers and dates may differ. */
function canonical(bytes: Uint8Array, r: MbusRecord): boolean {
  const df = (r.dif.length > 0 ? Number.parseInt(r.dif.slice(0, 2), 16) : 0) & 0x0f;
  if (r.value.kind === 'number' && r.value.value.isZero() && df >= 9) return false; // F0 (−0) comes back as 00
  if (df === 5 && bytes[bytes.length - 1] === 0x80) return false; // −0.0 comes back as +0.0
  return r.value.kind !== 'date' && r.value.kind !== 'datetime' && r.value.kind !== 'time' && (df !== 0xd || r.value.kind === 'text');
}

describe(`record round trips (FUZZ_SEED=${SEED})`, () => {
  test('20,000 random records: decode → encodeRecord → decode gives the same record', () => {
    const r = rng(SEED);
    let sameBytes = 0;
    for (let n = 0; n < 20_000; n++) {
      const wire = randomRecord(r);
      const man = r.next() < 0.7 ? 'KAM' : 'TST';
      const first = decodeRecords(wire, { manufacturer: man });
      assert.deepEqual(first.problems, [], toHex(wire));
      const a = first.records[0]!;
      assert.equal(a.raw, toHex(wire));
      if (a.value.kind === 'invalid') continue;
      const again = encodeRecord(a, { manufacturer: man });
      const b = decodeRecords(again, { manufacturer: man }).records[0]!;
      assert.deepEqual(meaning(b), meaning(a), `${toHex(wire)} → ${toHex(again)}`);
      if (canonical(wire, a)) {
        assert.equal(toHex(again), toHex(wire));
        sameBytes++;
      }
    }
    assert.ok(sameBytes > 12_000, `most records come back byte for byte (${sameBytes})`);
  });

  test('in MSB-first order (CI 0x76) too', () => {
    const r = rng(SEED ^ 0x76);
    for (let n = 0; n < 3_000; n++) {
      const wire = randomRecord(r);
      const a = decodeRecords(wire, { manufacturer: 'KAM', msbFirst: true }).records[0]!;
      if (a.value.kind === 'invalid') continue;
      const ctx = { manufacturer: 'KAM', msbFirst: true };
      const b = decodeRecords(encodeRecord(a, ctx), ctx).records[0]!;
      assert.deepEqual(meaning(b), meaning(a), toHex(wire));
    }
  });
});

describe(`telegram round trips (FUZZ_SEED=${SEED})`, () => {
  test('2,000 random telegrams: encodeTelegram → decodeTelegram → encodeTelegram gives the same frame', () => {
    const r = rng(SEED ^ 0x7e1e);
    for (let n = 0; n < 2_000; n++) {
      const ci = r.pick([0x72, 0x72, 0x76, 0x78, 0x7a]);
      const header = randomHeader(r);
      const records: Uint8Array[] = [];
      let size = 0;
      for (let k = r.int(16); k > 0; k--) {
        const rec = randomRecord(r);
        if (size + rec.length > 200) break;
        records.push(rec);
        size += rec.length;
      }
      const moreFollows = r.next() < 0.2;
      const manufacturerData = r.next() < 0.2 ? r.bytes(r.int(20)) : undefined;
      const input = {
        address: r.int(256),
        ci,
        ...(ci === 0x72 || ci === 0x76 ? { header } : {}),
        ...(ci === 0x7a ? { shortHeader: header } : {}),
        manufacturer: header.manufacturer,
        records,
        moreFollows,
        ...(manufacturerData ? { manufacturerData } : {}),
      };
      const bytes = encodeTelegram(input);
      const t = decodeTelegram(bytes, { manufacturer: header.manufacturer });
      assert.deepEqual(t.problems, [], toHex(bytes));
      assert.equal(t.records.length, records.length);
      assert.equal(t.moreFollows, moreFollows);
      const sentData = manufacturerData && manufacturerData.length > 0 ? toHex(manufacturerData) : undefined;
      assert.equal(t.manufacturerData && toHex(t.manufacturerData), sentData);
      if (t.header) {
        assert.deepEqual({ ...t.header, medium: t.header.medium.code, statusText: undefined }, { ...header, statusText: undefined });
      }
      // Re-encode from what was decoded; records with an invalid value go back as their bytes.
      const again = encodeTelegram({
        ...input,
        records: t.records.map((x) => (x.value.kind === 'invalid' ? fromHex(x.raw) : x)),
      });
      const t2 = decodeTelegram(again, { manufacturer: header.manufacturer });
      assert.deepEqual(t2.records.map(meaning), t.records.map(meaning), toHex(bytes));
    }
  });
});

describe('encodeRecord refuses what it cannot write exactly', () => {
  const n = (text: string) => ({ kind: 'number' as const, value: Decimal.parse(text)! });
  const CASES: ReadonlyArray<{ what: string; rec: RecordInput; code?: string; hex?: string }> = [
    { what: 'E1 in kWh', rec: { dif: '04', vif: '06', value: n('16503') }, hex: '04 06 77 40 00 00' },
    {
      what: 'fields instead of DIF hex',
      rec: { dif: { dataField: 4, storage: 1, subunit: 2 }, vif: '14', value: n('12.34') },
      hex: 'C4 80 40 14 D2 04 00 00',
    },
    { what: 'negative BCD', rec: { dif: '0B', vif: '2B', value: n('-0.125') }, hex: '0B 2B 25 01 F0' },
    { what: 'LVAR text', rec: { dif: '0D', vif: 'FD 0E', value: { kind: 'text', text: 'V1.02' } }, hex: '0D FD 0E 05 32 30 2E 31 56' },
    {
      what: 'plain-text unit',
      rec: { dif: '02', vif: 'FC 74', unit: 'kWh', value: n('0.42') },
      hex: '02 FC 74 03 68 57 6B 2A 00',
    },
    { what: 'flow in m³/min as l/h', rec: { dif: '04', vif: '47', value: n('120000') }, hex: '04 47 02 00 00 00' },
    {
      what: 'bytes for manufacturer data',
      rec: { dif: '04', vif: 'FF 09', value: { kind: 'bytes', hex: '01 02 03 04' } },
      hex: '04 FF 09 01 02 03 04',
    },
    { what: 'a fraction of a kWh step', rec: { dif: '04', vif: '06', value: n('16503.5') }, code: 'MBUS_ENCODE' },
    { what: 'a fraction of a step after a factor', rec: { dif: '04', vif: '47', value: n('1') }, code: 'MBUS_ENCODE' },
    { what: 'too big for int16', rec: { dif: '02', vif: '59', value: n('327.68') }, code: 'MBUS_ENCODE' },
    { what: 'a date for an energy VIF', rec: { dif: '02', vif: '06', value: { kind: 'date', text: '2024-03-01' } }, code: 'MBUS_ENCODE' },
    { what: 'a number for a date VIF', rec: { dif: '04', vif: '6D', value: n('1') }, code: 'MBUS_ENCODE' },
    { what: 'text without LVAR', rec: { dif: '04', vif: 'FD 0E', value: { kind: 'text', text: 'V1' } }, code: 'MBUS_ENCODE' },
    { what: 'an invalid value', rec: { dif: '04', vif: '06', value: { kind: 'invalid', why: 'x' } }, code: 'MBUS_ENCODE' },
    { what: 'a special DIF', rec: { dif: '0F', vif: '06', value: n('1') }, code: 'MBUS_ENCODE' },
    { what: 'two DIBs', rec: { dif: '04 04', vif: '06', value: n('1') }, code: 'MBUS_ENCODE' },
    { what: 'not hex', rec: { dif: 'zz', vif: '06', value: n('1') }, code: 'MBUS_ENCODE' },
    { what: 'bytes of the wrong length', rec: { dif: '04', vif: 'FF 09', value: { kind: 'bytes', hex: '01' } }, code: 'MBUS_ENCODE' },
    { what: 'text outside ISO 8859-1', rec: { dif: '0D', vif: 'FD 0E', value: { kind: 'text', text: '€' } }, code: 'MBUS_ENCODE' },
  ];
  for (const c of CASES) {
    test(`${c.what} → ${c.hex ?? c.code}`, () => {
      if (c.hex) assert.equal(toHex(encodeRecord(c.rec, { manufacturer: 'KAM' })), c.hex);
      else
        assert.equal(
          mbusCode(() => encodeRecord(c.rec, { manufacturer: 'KAM' })),
          c.code,
        );
    });
  }

  test('a telegram over 252 data bytes is refused', () => {
    const records = Array.from({ length: 41 }, () => fromHex('04 06 01 00 00 00'));
    const header = { id: '12345678', manufacturer: 'KAM', version: 1, medium: 4, accessNumber: 1 };
    assert.equal(
      mbusCode(() => encodeTelegram({ address: 1, header, records })),
      'MBUS_LENGTH',
    );
    assert.equal(encodeTelegram({ address: 1, header, records: records.slice(0, 40) }).length, 6 + 3 + 12 + 240);
    assert.equal(
      mbusCode(() => encodeTelegram({ address: 1, ci: 0x72, records: [] })),
      'MBUS_ENCODE',
    );
    assert.equal(
      mbusCode(() => encodeTelegram({ address: 1, ci: 0x71, records: [] })),
      'MBUS_ENCODE',
    );
  });
});
