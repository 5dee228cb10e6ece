// KMP CID 0xB8 log readout replies (kmp-loggers.md, "Log readout reply" and worked examples 2 and 3): the
// doc's request frames built by the encoders, its reply frames decoded and encoded back to the same bytes,
// and malformed replies as KmpError with expected and actual.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { decodeFrame } from '../../src/kmp/frame.js';
import {
  LogInfoFlag,
  LoggerSub,
  LoggerType,
  encodeGetLogIdPastAbsRequest,
  encodeGetLogLastEntryPastAbsRequest,
} from '../../src/kmp/logger.js';
import { decodeLogReadoutReply, encodeLogReadoutReply, readoutToReply } from '../../src/kmp/logger-readout.js';
import { assertKmp, b8Reply, b8Request } from './support.js';

const EMPTY_REPLY = '40 3F B8 07 07 00 01 01 00 00 00 00 00 00 00 00 00 01 03 EA 2F 04 00 00 00 00 00 1F 2F 0D';
/** Example 3: GetLogIDPastAbs, yearly logger, two entries of register 1003. */
const YEARLY_REPLY = '40 3F B8 1B F9 02 00 02 01 00 00 00 02 00 00 00 02 00 C0 03 EB 30 04 00 00 03 F8 05 00 03 D0 F5 AA 3A 0D';

describe('worked example 2: GetLogLastEntryPastAbs, minute logger 2, empty logger', () => {
  test('request 80 3F B8 07 07 FF FF 00 01 01 03 EA B8 5E 0D', () => {
    const data = encodeGetLogLastEntryPastAbsRequest({ type: LoggerType.minute2, offset: 0xffff, count: 1, registers: [1002] });
    assert.equal(b8Request(data), '80 3F B8 07 07 FF FF 00 01 01 03 EA B8 5E 0D');
  });

  test('reply: E = 1, ids 0 and 0, NO_LOG_ENTRIES, so no entries are used; back to the same bytes', () => {
    const r = decodeLogReadoutReply(decodeFrame(fromHex(EMPTY_REPLY)).data);
    assert.equal(r.sub, LoggerSub.GetLogLastEntryPastAbs);
    assert.equal(r.type, LoggerType.minute2);
    assert.equal(r.registerCount, 1);
    assert.equal(r.firstLogId, 0);
    assert.equal(r.newestLogId, 0);
    assert.equal(r.info, 0x0001);
    assert.deepEqual(r.flags, ['NO_LOG_ENTRIES']);
    assert.deepEqual(r.entries, []);
    assert.equal(r.wireEntries.length, 1);
    assert.deepEqual(r.registers, [{ id: 1002, unitCode: 47, length: 4, siex: 0 }]);
    const placeholder = r.wireEntries[0]!.records[0]!;
    assert.ok(placeholder.value.isZero());
    assert.equal(b8Reply(encodeLogReadoutReply(readoutToReply(r))), EMPTY_REPLY);
  });
});

describe('worked example 3: GetLogIDPastAbs, yearly logger, two entries of register 1003', () => {
  test('request 80 3F B8 1B F9 02 00 00 00 02 00 02 01 03 EB 75 07 0D (06 stuffed)', () => {
    const data = encodeGetLogIdPastAbsRequest({ type: LoggerType.yearly, logId: 2, count: 2, registers: [1003] });
    assert.equal(toHex(data), '06 02 00 00 00 02 00 02 01 03 EB');
    assert.equal(b8Request(data), '80 3F B8 1B F9 02 00 00 00 02 00 02 01 03 EB 75 07 0D');
  });

  test('reply: entry 0 = log id 2 (260101), entry 1 = log id 1 (mantissa only, 250101); back to the same bytes', () => {
    const wire = fromHex(YEARLY_REPLY);
    assert.equal(wire.length, 35);
    const r = decodeLogReadoutReply(decodeFrame(wire).data);
    assert.equal(r.sub, LoggerSub.GetLogIDPastAbs);
    assert.equal(r.type, LoggerType.yearly);
    assert.deepEqual([r.firstLogId, r.newestLogId, r.info], [2, 2, 0x00c0]);
    assert.deepEqual(r.flags, ['TAIL_INCLUDED', 'HEAD_INCLUDED']);
    assert.deepEqual(
      r.entries.map((e) => [e.logId, e.records.map((x) => [x.id, x.unitCode, x.siex, toHex(x.mantissa), x.value.toString()])]),
      [
        [2, [[1003, 48, 0, '00 03 F8 05', '260101']]],
        [1, [[1003, 48, 0, '00 03 D0 F5', '250101']]],
      ],
    );
    assert.equal(r.entries, r.wireEntries);
    assert.equal(b8Reply(encodeLogReadoutReply(readoutToReply(r))), YEARLY_REPLY);
  });

  test('the same reply from exact values instead of mantissa bytes', () => {
    const data = encodeLogReadoutReply({
      sub: LoggerSub.GetLogIDPastAbs,
      type: LoggerType.yearly,
      firstLogId: 2,
      newestLogId: 2,
      info: LogInfoFlag.HEAD_INCLUDED | LogInfoFlag.TAIL_INCLUDED,
      registers: [{ id: 1003, unitCode: 48, length: 4, siex: 0 }],
      values: [[Decimal.of(260101)], [Decimal.of(250101)]],
    });
    assert.equal(b8Reply(data), YEARLY_REPLY);
  });
});

describe('log readout reply: malformed input is a KmpError with expected and actual', () => {
  const data = decodeFrame(fromHex(YEARLY_REPLY)).data;

  test('a trailing byte, a missing byte', () => {
    const long = assertKmp(() => decodeLogReadoutReply(Uint8Array.of(...data, 0)), 'KMP_BAD_REPLY');
    assert.deepEqual([long.expected, long.actual], ['28 data bytes', '29 data bytes']);
    const short = assertKmp(() => decodeLogReadoutReply(data.subarray(0, data.length - 1)), 'KMP_BAD_REPLY');
    assert.deepEqual([short.expected, short.actual], ['28 data bytes', '27 data bytes']);
  });

  test('cut inside the header or inside entry 0', () => {
    for (const n of [0, 1, 5, 14, 15, 18, 22]) assertKmp(() => decodeLogReadoutReply(data.subarray(0, n)), 'KMP_BAD_REPLY');
  });

  test('E = 0 carries no records; records after E = 0 are trailing bytes', () => {
    const header = Uint8Array.of(6, 2, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0x12);
    const r = decodeLogReadoutReply(header);
    assert.deepEqual([r.entries.length, r.registerCount, r.registers.length], [0, 1, 0]);
    assert.deepEqual(r.flags, ['OUT_OF_RANGE', 'TRUNCATED_ENTRIES']);
    assert.equal(toHex(encodeLogReadoutReply(readoutToReply(r))), toHex(header));
    assertKmp(() => decodeLogReadoutReply(Uint8Array.of(...header, 1)), 'KMP_BAD_REPLY', /trailing/);
  });

  test('wrong subcommand echo, LEN 0, log ids below 0', () => {
    assertKmp(() => decodeLogReadoutReply(Uint8Array.of(5, ...data.subarray(1))), 'KMP_COMMAND');
    const len0 = data.slice(0, 20);
    len0[18] = 0;
    assertKmp(() => decodeLogReadoutReply(len0), 'KMP_BAD_RECORD', /length 0/);
    const below = data.slice();
    below[8] = 0; // first log id 0 with 2 entries
    assertKmp(() => decodeLogReadoutReply(below), 'KMP_BAD_REPLY', /below 0/);
  });
});

describe('reply encoders refuse what the format cannot carry', () => {
  const base = {
    sub: 6,
    type: 2,
    firstLogId: 5,
    newestLogId: 5,
    info: 0,
    registers: [{ id: 80, unitCode: 0x16, length: 2, siex: 0x41 }],
  };

  test('a later value with another sign, more digits, or too big for LEN', () => {
    const ok = encodeLogReadoutReply({ ...base, values: [[Decimal.parse('1.5')!], [Decimal.of(3)]] });
    assert.equal(toHex(ok.subarray(15)), '00 50 16 02 41 00 0F 00 1E');
    assertKmp(() => encodeLogReadoutReply({ ...base, values: [[Decimal.of(1)], [Decimal.of(-1)]] }), 'KMP_BAD_RECORD', /sign/);
    assertKmp(() => encodeLogReadoutReply({ ...base, values: [[Decimal.parse('0.25')!]] }), 'KMP_BAD_RECORD', /digits/);
    assertKmp(() => encodeLogReadoutReply({ ...base, values: [[Decimal.of(6554)]] }), 'KMP_BAD_RECORD', /fit/);
    assertKmp(() => encodeLogReadoutReply({ ...base, values: [[Uint8Array.of(1)]] }), 'KMP_BAD_RECORD', /LEN/);
    assertKmp(() => encodeLogReadoutReply({ ...base, values: [[]] }), 'KMP_BAD_RECORD', /values for/);
  });

  test('more entries than log ids above 0, a wrong subcommand, a register count that disagrees', () => {
    const six = Array.from({ length: 7 }, () => [Decimal.of(1)]);
    assertKmp(() => encodeLogReadoutReply({ ...base, values: six }), 'KMP_BAD_REPLY', /below 0/);
    assertKmp(() => encodeLogReadoutReply({ ...base, sub: 5, values: [] }), 'KMP_COMMAND');
    assertKmp(() => encodeLogReadoutReply({ ...base, registerCount: 2, values: [[Decimal.of(1)]] }), 'KMP_BAD_REPLY');
  });
});
