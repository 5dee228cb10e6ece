// KMP GetLog commands A0–A3 (kmp-loggers.md, "A0–A3 — the GetLog commands of 5512-447" and its "Worked
// example from 5512-447"): the APL of the example, the three frames constructed there, the timestamp in
// both byte orders, and INFO read first.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { decodeFrame, encodeFrame } from '../../src/kmp/frame.js';
import {
  DEFAULT_TIME_ORDER,
  GetLogCid,
  GetLogInfoFlag,
  decodeGetLogReply,
  decodeGetLogRequest,
  decodeGetLogTime,
  encodeGetLogReply,
  encodeGetLogRequest,
  encodeGetLogTime,
  getLogBodyToReply,
  type GetLogRequest,
} from '../../src/kmp/logger-getlog.js';
import { flagNames } from '../../src/kmp/logger-bytes.js';
import { assertKmp } from './support.js';

const TOP_MODULE = 0x7f;
const BASE_MODULE = 0xbf;
const common = { lid: 1, registers: [0x3c, 0x44], records: 3, maxLength: 0x80 };
const at1030 = { year: 2007, month: 5, day: 24, hour: 10, minute: 30, second: 0 };
const at1945 = { year: 2007, month: 5, day: 24, hour: 19, minute: 45, second: 0 };

/** The example's records 10F3, 10F4, 10F5: E1 (unit 8 GJ) and V1 (unit 0x27 l), NoB 4, SIEX 0. */
const E1 = '00 3C 08 04 00';
const V1 = '00 44 27 04 00';
const A0_REPLY_APL = `A0 01 02 10 F3 ${E1} FF 06 86 62 ${V1} E9 93 DC 05 10 F4 B5 0A 5C 5E 93 E0 50 47
  10 F5 CF 06 53 96 F2 58 4C 96 10 F5 11 02 00`;
const A3_REPLY_APL = `A3 01 02 10 F5 ${E1} CF 06 53 96 ${V1} F2 58 4C 96 10 F4 B5 0A 5C 5E 93 E0 50 47
  10 F3 FF 06 86 62 E9 93 DC 05 10 F3 11 02 00`;

/** A mantissa as the unsigned integer it stands for (SIEX 0). */
function asInteger(m: unknown): bigint {
  assert.ok(m instanceof Uint8Array);
  return m.reduce((a, b) => (a << 8n) | BigInt(b), 0n);
}

/** Splits an APL written as in the doc into the frame's CID and data. */
function apl(text: string): { cid: number; data: Uint8Array } {
  const b = fromHex(text);
  return { cid: b[0] as number, data: b.subarray(1) };
}

describe('the timestamp: both byte orders (5512-447 §4.3 against §6.3.1/§6.3.4; not settled)', () => {
  test('the command examples order is the default: Info WK ss mm hh DD MM YY', () => {
    assert.equal(DEFAULT_TIME_ORDER, 'year-last');
    assert.equal(toHex(Uint8Array.from(encodeGetLogTime(at1030))), '00 00 00 1E 0A 18 05 07');
  });

  test('table §4.3 order: 2007-05-17 10:30:00 = 07 05 11 0A 1E 00 00 00', () => {
    const t = { year: 2007, month: 5, day: 17, hour: 10, minute: 30, second: 0 };
    assert.equal(toHex(Uint8Array.from(encodeGetLogTime(t, 'year-first'))), '07 05 11 0A 1E 00 00 00');
    assert.deepEqual(decodeGetLogTime(fromHex('07 05 11 0A 1E 00 00 00'), 'year-first'), { ...t, weekday: 0, info: 0 });
  });

  test('out of range fields are refused', () => {
    const bads = [{ year: 1999 }, { year: 2256 }, { month: 0 }, { month: 13 }, { day: 0 }, { day: 32 }, { hour: 24 }, { minute: 60 }];
    for (const bad of [...bads, { second: 60 }]) {
      assertKmp(() => encodeGetLogTime({ ...at1030, ...bad }), 'KMP_BAD_REQUEST');
    }
    assertKmp(() => decodeGetLogTime(fromHex('00 00 00 1E 0A 18 0D 07')), 'KMP_BAD_REQUEST', /month 13/);
    assertKmp(() => decodeGetLogTime(fromHex('00 00')), 'KMP_BAD_REQUEST', /8 bytes/);
  });
});

describe('requests of the worked example (APL after the DST byte)', () => {
  const table: Array<[string, GetLogRequest, string]> = [
    [
      'A0 from 10:30, 3 records',
      { cid: GetLogCid.GetLogTimePresent, ...common, time: at1030 },
      'A0 01 02 00 3C 00 44 03 80 00 00 00 1E 0A 18 05 07',
    ],
    ['A1', { cid: GetLogCid.GetLogLastPresent, ...common }, 'A1 01 02 00 3C 00 44 03 80'],
    ['A2 from 10F3', { cid: GetLogCid.GetLogIDPresent, ...common, recordId: 0x10f3 }, 'A2 01 02 00 3C 00 44 03 80 10 F3'],
    [
      'A3 from 19:45, RecIDOff 6',
      { cid: GetLogCid.GetLogTimePast, ...common, time: at1945, recordOffset: 6 },
      'A3 01 02 00 3C 00 44 03 80 00 00 00 2D 13 18 05 07 00 06',
    ],
  ];
  for (const [what, req, bytes] of table) {
    test(`${what}: ${bytes}`, () => {
      const data = encodeGetLogRequest(req);
      assert.equal(toHex(Uint8Array.of(req.cid, ...data)), bytes);
      const back = decodeGetLogRequest(req.cid, data);
      assert.deepEqual(back, 'time' in req ? { ...req, time: { ...req.time, weekday: 0, info: 0 } } : req);
    });
  }

  test('A0 in the table §4.3 order puts the year first', () => {
    const data = encodeGetLogRequest({ cid: GetLogCid.GetLogTimePresent, ...common, time: at1030 }, 'year-first');
    assert.equal(toHex(data.subarray(8)), '07 05 18 0A 1E 00 00 00');
    assert.deepEqual(decodeGetLogRequest(0xa0, data, 'year-first'), { cid: 0xa0, ...common, time: { ...at1030, weekday: 0, info: 0 } });
  });

  // The frames "constructed here" in kmp-loggers.md; MaxL 80 stuffed to 1B 7F.
  const a2: GetLogRequest = { cid: 0xa2, ...common, recordId: 0x10f3 };
  const frames: Array<[string, number, GetLogRequest, string]> = [
    ['A2 to the top module 0x7F', TOP_MODULE, a2, '80 7F A2 01 02 00 3C 00 44 03 1B 7F 10 F3 52 13 0D'],
    ['A2 to the base module 0xBF', BASE_MODULE, a2, '80 BF A2 01 02 00 3C 00 44 03 1B 7F 10 F3 25 F2 0D'],
    ['A1 to 0x7F', TOP_MODULE, { cid: 0xa1, ...common }, '80 7F A1 01 02 00 3C 00 44 03 1B 7F DF 1E 0D'],
  ];
  for (const [what, address, req, bytes] of frames) {
    test(`frame ${what}: ${bytes}`, () => {
      const wire = encodeFrame({ direction: 'toMeter', destination: address, cid: req.cid, data: encodeGetLogRequest(req) });
      assert.equal(toHex(wire), bytes);
      const f = decodeFrame(wire);
      assert.deepEqual(decodeGetLogRequest(f.cid, f.data), req);
    });
  }

  test('bad requests: register count, NRcs 0, a CID outside A0–A3, trailing bytes', () => {
    assertKmp(() => encodeGetLogRequest({ ...common, cid: 0xa1, registers: [] }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogRequest({ ...common, cid: 0xa1, registers: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogRequest({ ...common, cid: 0xa1, records: 0 }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogRequest({ ...common, cid: 0xa1, maxLength: 256 }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogRequest({ ...common, cid: 0xa2, recordId: 0x10000 }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogRequest({ ...common, cid: 0xa4 } as unknown as GetLogRequest), 'KMP_BAD_REQUEST', /not a GetLog/);
    assertKmp(() => decodeGetLogRequest(0xa1, fromHex('01 00 03 80')), 'KMP_BAD_REQUEST', /0 registers/);
    assertKmp(() => decodeGetLogRequest(0xa1, fromHex('01 01 00 3C 00 80')), 'KMP_BAD_REQUEST', /0 records/);
    assertKmp(() => decodeGetLogRequest(0xa1, fromHex('01 01 00 3C 03 80 00')), 'KMP_BAD_REQUEST', /trailing/);
    assertKmp(() => decodeGetLogRequest(0xa2, fromHex('01 01 00 3C 03 80 10')), 'KMP_BAD_REQUEST');
    assertKmp(() => decodeGetLogRequest(0x10, fromHex('01 01 00 3C 03 80')), 'KMP_BAD_REQUEST');
  });
});

describe('replies of the worked example', () => {
  function records(text: string): Array<[number, string[]]> {
    const { cid, data } = apl(text);
    const body = decodeGetLogReply(cid, data).body;
    assert.ok(body);
    return body.records.map((r) => [r.recordId, r.records.map((x) => `${x.id}:${x.unitCode}:${x.value.toString()}`)]);
  }

  test('A0 reply: 48 bytes of APL; 10F3, 10F4, 10F5 ascending; LRORecID 10F5, NewRecID 1102, INFO 00', () => {
    const { cid, data } = apl(A0_REPLY_APL);
    assert.equal(data.length + 1, 48);
    const r = decodeGetLogReply(cid, data);
    assert.deepEqual([r.cid, r.info, r.flags], [0xa0, 0, []]);
    assert.ok(r.body);
    assert.deepEqual([r.body.lid, r.body.registerCount, r.body.lastRecordId, r.body.newestRecordId], [1, 2, 0x10f5, 0x1102]);
    assert.deepEqual(r.body.registers, [
      { id: 0x3c, unitCode: 8, length: 4, siex: 0 },
      { id: 0x44, unitCode: 0x27, length: 4, siex: 0 },
    ]);
    assert.deepEqual(records(A0_REPLY_APL), [
      [0x10f3, [`60:8:${0xff068662}`, `68:39:${0xe993dc05}`]],
      [0x10f4, [`60:8:${0xb50a5c5e}`, `68:39:${0x93e05047}`]],
      [0x10f5, [`60:8:${0xcf065396}`, `68:39:${0xf2584c96}`]],
    ]);
    assert.equal(toHex(encodeGetLogReply(getLogBodyToReply(r.body, r.info))), toHex(data));
  });

  test('A1 and A2 give the same reply with their own CID', () => {
    for (const cid of [0xa1, 0xa2]) {
      const text = A0_REPLY_APL.replace(/^A0/, cid.toString(16).toUpperCase());
      assert.deepEqual(records(text), records(A0_REPLY_APL));
      assert.equal(decodeGetLogReply(cid, apl(text).data).cid, cid);
    }
  });

  test('A3 reply: 10F5, 10F4, 10F3 descending; LRORecID 10F3; back to the same bytes', () => {
    assert.deepEqual(
      records(A3_REPLY_APL).map(([id]) => id),
      [0x10f5, 0x10f4, 0x10f3],
    );
    const { cid, data } = apl(A3_REPLY_APL);
    const r = decodeGetLogReply(cid, data);
    assert.equal(r.body?.lastRecordId, 0x10f3);
    const input = getLogBodyToReply(r.body, 0);
    const built = encodeGetLogReply({
      ...input,
      records: input.records.map((rec) => ({ recordId: rec.recordId, values: rec.values.map((m) => Decimal.of(asInteger(m))) })),
    });
    assert.equal(toHex(built), toHex(data));
  });

  test('the reply as a frame from the top module decodes the same', () => {
    const { cid, data } = apl(A0_REPLY_APL);
    const wire = encodeFrame({ direction: 'fromMeter', destination: TOP_MODULE, cid, data });
    assert.equal(wire.length >= 48 + 5, true);
    const f = decodeFrame(wire);
    assert.deepEqual(decodeGetLogReply(f.cid, f.data), decodeGetLogReply(cid, data));
  });
});

describe('INFO first: with a bit set only CID and INFO are guaranteed', () => {
  test('INFO bits named; bits 1 and 5–7 unused', () => {
    assert.deepEqual(flagNames(0x1d, GetLogInfoFlag, 8), ['LOG_EMPTY', 'OUT_OF_RANGE', 'MAX_LENGTH_REACHED', 'END_OF_LOG_REACHED']);
    assert.deepEqual(flagNames(0xe2, GetLogInfoFlag, 8), ['BIT_1', 'BIT_5', 'BIT_6', 'BIT_7']);
  });

  test('INFO alone, or INFO after bytes that do not parse: flags, no body', () => {
    assert.deepEqual(decodeGetLogReply(0xa0, Uint8Array.of(0x01)), { cid: 0xa0, info: 1, flags: ['LOG_EMPTY'], body: undefined });
    const cut = decodeGetLogReply(0xa3, fromHex('01 02 10 F5 00 3C 08 04'));
    assert.deepEqual(cut, { cid: 0xa3, info: 4, flags: ['OUT_OF_RANGE'], body: undefined });
  });

  test('MaxL reached: the records that fit still parse', () => {
    const { data } = apl(A0_REPLY_APL);
    const cut = Uint8Array.of(...data.subarray(0, data.length - 1), GetLogInfoFlag.MAX_LENGTH_REACHED);
    const r = decodeGetLogReply(0xa0, cut);
    assert.deepEqual(r.flags, ['MAX_LENGTH_REACHED']);
    assert.equal(r.body?.records.length, 3);
  });

  test('INFO 00 promises the layout: anything else is a KmpError', () => {
    const { data } = apl(A0_REPLY_APL);
    assertKmp(() => decodeGetLogReply(0xa0, Uint8Array.of(...data.subarray(0, data.length - 1), 0xaa, 0)), 'KMP_BAD_REPLY', /do not fill/);
    assertKmp(() => decodeGetLogReply(0xa0, data.subarray(data.length - 6)), 'KMP_BAD_REPLY', /at least 7/);
    assertKmp(() => decodeGetLogReply(0xa0, new Uint8Array(0)), 'KMP_BAD_REPLY', /INFO/);
    assertKmp(() => decodeGetLogReply(0x10, data), 'KMP_COMMAND');
  });

  test('no records: LID NRtR LRORecID NewRecID INFO, 7 bytes', () => {
    const r = decodeGetLogReply(0xa1, fromHex('01 02 11 02 11 02 00'));
    assert.deepEqual(r.body, { lid: 1, registerCount: 2, registers: [], records: [], lastRecordId: 0x1102, newestRecordId: 0x1102 });
    assert.equal(toHex(encodeGetLogReply(getLogBodyToReply(r.body, 0))), '01 02 11 02 11 02 00');
  });
});
