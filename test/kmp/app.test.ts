// KMP application layer (kmp-protocol.md, "Application layer" and "Vectors").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import {
  CID_NAMES,
  Cid,
  MAX_REGISTERS_PER_REQUEST,
  decodeGetRegisterRequest,
  decodeGetSerialNoReply,
  decodeGetTypeReply,
  decodeRegisterRecords,
  encodeGetRegisterRequest,
  encodeGetSerialNoReply,
  encodeGetTypeReply,
  encodeRawRecord,
  encodeRegisterRecord,
  type RegisterRecord,
} from '../../src/kmp/app.js';
import { KmpError } from '../../src/kmp/errors.js';
import { decodeFrame, encodeFrame } from '../../src/kmp/frame.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { assertKmp } from './support.js';

function byId(records: RegisterRecord[], id: number): RegisterRecord {
  const r = records.find((x) => x.id === id);
  assert.ok(r, `record ${id} present`);
  return r;
}

/** Re-encodes a decoded record with its own mantissa length. */
function reencode(r: RegisterRecord): Uint8Array {
  return encodeRegisterRecord({ id: r.id, unitCode: r.unitCode, value: r.value, length: r.mantissa.length });
}

describe('command ids (kmp-protocol.md, "Application layer" table)', () => {
  test('CIDs and names', () => {
    assert.deepEqual({ ...Cid }, { GetType: 0x01, GetSerialNo: 0x02, SetClock: 0x09, GetRegister: 0x10, PutRegister: 0x11 });
    for (const [name, cid] of Object.entries(Cid)) assert.equal(CID_NAMES[cid], name);
    assert.equal(MAX_REGISTERS_PER_REQUEST, 8);
  });
});

describe('GetType', () => {
  // kmp-protocol.md, "Vectors": GetType reply 40 3F 01 00 04 1B F9 01 26 99 0D, type 00 04, revision F1
  test('reply vector: type 0x0004, revision F1, and back to the same bytes', () => {
    const frame = decodeFrame(fromHex('40 3F 01 00 04 1B F9 01 26 99 0D'));
    assert.equal(frame.cid, Cid.GetType);
    const t = decodeGetTypeReply(frame.data);
    assert.deepEqual(t, { type: 0x0004, revision: 'F1' });
    const m = /^([A-Z])(\d+)$/.exec(t.revision);
    assert.ok(m);
    const data = encodeGetTypeReply({ type: t.type, letter: m[1]!.charCodeAt(0) - 64, number: Number(m[2]) });
    assert.equal(toHex(encodeFrame({ ...frame, data })), '40 3F 01 00 04 1B F9 01 26 99 0D');
  });

  test('revisions: 1 = A … 26 = Z, a number 0–255, 00 00 = unknown', () => {
    const CASES: ReadonlyArray<[string, number, string]> = [
      ['00 00 00 00', 0, 'unknown'],
      ['01 02 01 00', 0x0102, 'A0'],
      ['FF FE 1A FF', 0xfffe, 'Z255'],
      ['00 04 06 01', 4, 'F1'],
    ];
    for (const [hex, type, revision] of CASES) assert.deepEqual(decodeGetTypeReply(fromHex(hex)), { type, revision }, hex);
  });

  test('a reply of the wrong length is KMP_BAD_REPLY', () => {
    for (const hex of ['', '00 04 06', '00 04 06 01 00']) assertKmp(() => decodeGetTypeReply(fromHex(hex)), 'KMP_BAD_REPLY');
  });
});

describe('GetSerialNo', () => {
  // kmp-protocol.md, "Vectors": GetSerialNo reply 40 3F 02 01 23 45 67 E9 56 0D → serial 19088743
  test('reply vector: 19088743, and back to the same bytes', () => {
    const frame = decodeFrame(fromHex('40 3F 02 01 23 45 67 E9 56 0D'));
    assert.equal(frame.cid, Cid.GetSerialNo);
    const serial = decodeGetSerialNoReply(frame.data);
    assert.equal(serial, 19088743);
    assert.equal(toHex(encodeFrame({ ...frame, data: encodeGetSerialNoReply(serial) })), '40 3F 02 01 23 45 67 E9 56 0D');
  });

  test('is unsigned: FF FF FF FF is 4294967295, 80 00 00 00 is 2147483648', () => {
    assert.equal(decodeGetSerialNoReply(fromHex('FF FF FF FF')), 4294967295);
    assert.equal(decodeGetSerialNoReply(fromHex('80 00 00 00')), 2147483648);
    assert.equal(toHex(encodeGetSerialNoReply(4294967295)), 'FF FF FF FF');
    assert.equal(toHex(encodeGetSerialNoReply(2147483648)), '80 00 00 00');
  });

  test('a reply of the wrong length is KMP_BAD_REPLY', () => {
    for (const hex of ['', '01 23 45', '01 23 45 67 89']) assertKmp(() => decodeGetSerialNoReply(fromHex(hex)), 'KMP_BAD_REPLY');
  });
});

describe('GetRegister request', () => {
  const REQUESTS: ReadonlyArray<{ source: string; ids: number[]; frame: string }> = [
    // kmp-protocol.md, "Vectors"
    { source: 'Vectors: GetRegister request for 0x0080', ids: [0x80], frame: '80 3F 10 01 00 1B 7F D4 08 0D' },
    { source: 'Vectors: GetRegister request for 60', ids: [60], frame: '80 3F 10 01 00 3C B2 5F 0D' },
    { source: 'Vectors: GetRegister request for 1002', ids: [1002], frame: '80 3F 10 01 03 EA 4C B7 0D' },
    {
      source: 'Vectors: 8 registers 60 68 74 80 86 87 89 266',
      ids: [60, 68, 74, 80, 86, 87, 89, 266],
      frame: '80 3F 10 08 00 3C 00 44 00 4A 00 50 00 56 00 57 00 59 01 0A 9E 82 0D',
    },
  ];
  for (const r of REQUESTS) {
    test(`${r.source}: encode, frame, decode`, () => {
      const data = encodeGetRegisterRequest(r.ids);
      const bytes = encodeFrame({ direction: 'toMeter', destination: 0x3f, cid: Cid.GetRegister, data });
      assert.equal(toHex(bytes), r.frame);
      const back = decodeFrame(fromHex(r.frame));
      assert.deepEqual(decodeGetRegisterRequest(back.data), r.ids);
      assert.equal(toHex(encodeGetRegisterRequest(decodeGetRegisterRequest(back.data))), toHex(back.data));
    });
  }

  test('takes 1 to 8 registers with ids 0…65535, else KMP_BAD_REQUEST', () => {
    assert.equal(toHex(encodeGetRegisterRequest([0, 0xffff])), '02 00 00 FF FF');
    assert.equal(encodeGetRegisterRequest([1, 2, 3, 4, 5, 6, 7, 8]).length, 17);
    assertKmp(() => encodeGetRegisterRequest([]), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetRegisterRequest([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'KMP_BAD_REQUEST');
    for (const bad of [-1, 65536, 1.5, Number.NaN]) assertKmp(() => encodeGetRegisterRequest([60, bad]), 'KMP_BAD_REQUEST');
  });

  test('malformed request data is KMP_BAD_REQUEST', () => {
    for (const hex of ['', '00', '09 00 01 00 02 00 03 00 04 00 05 00 06 00 07 00 08 00 09', '01 00', '01 00 3C 00', '02 00 3C']) {
      assertKmp(() => decodeGetRegisterRequest(fromHex(hex)), 'KMP_BAD_REQUEST');
    }
  });
});

describe('register records', () => {
  // kmp-protocol.md, "Vectors": GetRegister reply, reg 128, unit 0x16 kW, 19591204 × 10^17
  test('reply vector: register 128, unit 0x16, 1959120400000000000000000, round trip', () => {
    const frame = decodeFrame(fromHex('40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D'));
    const records = decodeRegisterRecords(frame.data);
    assert.equal(records.length, 1);
    const r = records[0]!;
    assert.equal(r.id, 128);
    assert.equal(r.unitCode, 0x16);
    assert.equal(r.siex, 0x11);
    assert.equal(toHex(r.mantissa), '01 2A F0 24');
    assert.equal(r.value.toString(), '1959120400000000000000000');
    assert.equal(r.value.coefficient, 19591204n);
    assert.equal(r.value.exponent, 17);
    assert.equal(toHex(encodeFrame({ ...frame, data: reencode(r) })), '40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D');
  });

  // kmp-protocol.md, "Application layer": the empty reply 40 3F 10 07 9A 0D
  test('the empty reply has no records', () => {
    const frame = decodeFrame(fromHex('40 3F 10 07 9A 0D'));
    assert.deepEqual(decodeRegisterRecords(frame.data), []);
  });

  // Records built from kmp-protocol.md's float vectors ("Vectors", "Float") with LEN 1, 2, 4 and a 9-byte mantissa.
  const DATA = fromHex(
    [
      '00 56 25 02 42 18 C8', // 86 Temp1, °C, 63.44 (LEN 2)
      '00 3C 08 04 C2 00 00 30 39', // 60, GJ, −123.45 (LEN 4, negative value, negative exponent)
      '00 50 16 01 03 FF', // 80, kW, 255000 (LEN 1)
      '00 59 26 04 43 00 00 00 FB', // 89, K, 0.251
      '03 EA 2F 04 00 00 03 0E 53', // 1002, hh:mm:ss, 200275 (digits)
      '00 0D 02 09 00 FF FF FF FF FF FF FF FF FF', // 13, kWh, 2^72 − 1 (LEN 9)
      '00 0E 02 09 C1 01 00 00 00 00 00 00 00 01', // 14, kWh, −(2^64 + 1) / 10 (LEN 9, both signs)
    ].join(' '),
  );

  test('several registers, found by id whatever their position', () => {
    const records = decodeRegisterRecords(DATA);
    assert.deepEqual(
      records.map((r) => r.id),
      [86, 60, 80, 89, 1002, 13, 14],
    );
    const expect: Array<[number, number, string, number]> = [
      [60, 0x08, '-123.45', 4],
      [80, 0x16, '255000', 1],
      [86, 0x25, '63.44', 2],
      [89, 0x26, '0.251', 4],
      [1002, 0x2f, '200275', 4],
      [13, 0x02, (2n ** 72n - 1n).toString(), 9],
      [14, 0x02, '-1844674407370955161.7', 9],
    ];
    for (const [id, unit, text, len] of expect) {
      const r = byId(records, id);
      assert.equal(r.unitCode, unit, `unit of ${id}`);
      assert.equal(r.value.toString(), text, `value of ${id}`);
      assert.equal(r.mantissa.length, len, `LEN of ${id}`);
    }
    // The same records in another order give the same values by id.
    const reversed = records
      .slice()
      .reverse()
      .map(reencode)
      .flatMap((b) => [...b]);
    const again = decodeRegisterRecords(Uint8Array.from(reversed));
    for (const r of records) assert.equal(byId(again, r.id).value.toString(), r.value.toString());
  });

  test('long mantissas are exact (BigInt), not doubles', () => {
    const r = byId(decodeRegisterRecords(DATA), 13);
    assert.equal(r.value.coefficient, 4722366482869645213695n);
    assert.notEqual(r.value.toString(), String(Number(4722366482869645213695n)));
    const r14 = byId(decodeRegisterRecords(DATA), 14);
    assert.equal(r14.value.coefficient, -18446744073709551617n);
    assert.equal(r14.value.exponent, -1);
  });

  test('each record re-encodes to its own bytes', () => {
    const records = decodeRegisterRecords(DATA);
    assert.equal(toHex(Uint8Array.from(records.flatMap((r) => [...reencode(r)]))), toHex(DATA));
  });

  test('negative values and negative exponents from SIEX bits 7 and 6', () => {
    const CASES: ReadonlyArray<[string, string]> = [
      ['00 50 16 02 00 01 F4', '500'],
      ['00 50 16 02 80 01 F4', '-500'],
      ['00 50 16 02 41 01 F4', '50.0'],
      ['00 50 16 02 C1 01 F4', '-50.0'],
      ['00 50 16 02 C3 01 F4', '-0.500'],
      ['00 50 16 02 83 01 F4', '-500000'],
      ['00 50 16 02 7F 00 01', '0.' + '0'.repeat(62) + '1'],
    ];
    for (const [hex, text] of CASES) {
      const [r] = decodeRegisterRecords(fromHex(hex));
      assert.equal(r?.value.toString(), text, hex);
      assert.equal(toHex(reencode(r)), hex);
    }
  });

  test('a cut-short record throws KMP_BAD_RECORD at every length', () => {
    const boundaries = new Set<number>([0]);
    let i = 0;
    while (i < DATA.length) {
      i += 5 + DATA[i + 3]!;
      boundaries.add(i);
    }
    for (let n = 1; n < DATA.length; n++) {
      const cut = DATA.subarray(0, n);
      if (boundaries.has(n)) assert.equal(decodeRegisterRecords(cut).length > 0, true);
      else assertKmp(() => decodeRegisterRecords(cut), 'KMP_BAD_RECORD');
    }
  });

  test('LEN 0 is KMP_BAD_RECORD', () => {
    assertKmp(() => decodeRegisterRecords(fromHex('00 3C 08 00 00')), 'KMP_BAD_RECORD');
    assertKmp(() => decodeRegisterRecords(fromHex('00 3C 08 01 00 05 00 3D 08 00 00')), 'KMP_BAD_RECORD');
  });

  test('a cut-off record says how many bytes it wanted', () => {
    try {
      decodeRegisterRecords(fromHex('00 3C 08 04 C2 00 00 30'));
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof KmpError);
      assert.equal(e.code, 'KMP_BAD_RECORD');
      assert.match(e.message, /0x003C says 4 mantissa bytes, only 3 follow/);
    }
  });

  test('encodeRawRecord carries raw bytes (unit 0x4F date-time, 0x36 ASCII)', () => {
    const bytes = encodeRawRecord(1003, 0x4f, fromHex('00 16 09 01 14 02 2B'));
    assert.equal(toHex(bytes), '03 EB 4F 07 00 00 16 09 01 14 02 2B');
    const [r] = decodeRegisterRecords(bytes);
    assert.equal(r?.id, 1003);
    assert.equal(toHex(r.mantissa), '00 16 09 01 14 02 2B');
  });

  test('encodeRegisterRecord picks the smallest of LEN 1, 2, 4 and rejects bad ids', () => {
    assert.equal(toHex(encodeRegisterRecord({ id: 60, unitCode: 2, value: Decimal.of(255) })), '00 3C 02 01 00 FF');
    assert.equal(toHex(encodeRegisterRecord({ id: 60, unitCode: 2, value: Decimal.of(256) })), '00 3C 02 02 00 01 00');
    assert.equal(toHex(encodeRegisterRecord({ id: 60, unitCode: 2, value: Decimal.of(65536) })), '00 3C 02 04 00 00 01 00 00');
    assertKmp(() => encodeRegisterRecord({ id: 70000, unitCode: 2, value: Decimal.of(1) }), 'KMP_BAD_REQUEST');
  });
});
