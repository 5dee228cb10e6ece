// KMP logger command CID 0xB8 (kmp-loggers.md, "CID 0xB8", "Worked examples — CID 0xB8" example 1): names,
// requests built by the encoders equal to the doc's frames, and the GetConfiguration reply both ways.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import { decodeFrame } from '../../src/kmp/frame.js';
import {
  CID_LOGGER,
  LOGGER_TYPE_NAMES,
  LogInfoFlag,
  LoggerSub,
  LoggerType,
  decodeConfigurationReply,
  decodeLoggerRequest,
  encodeConfigurationReply,
  encodeGetConfigurationRequest,
  encodeGetLogIdPastAbsRequest,
  encodeGetLogLastEntryPastAbsRequest,
  encodeLoggerRequest,
  type LoggerRequest,
} from '../../src/kmp/logger.js';
import { flagNames } from '../../src/kmp/logger-bytes.js';
import { EXAMPLE_RAW, assertKmp, b8Reply, b8Request } from './support.js';

/** Example 1: GetConfiguration, yearly logger, 110 bytes on the wire. */
const CONFIG_REPLY = `40 3F B8 05 02 01 01 01 01 00 00 01 00 01 00 00 14 2B 00 3C 00 3F 00 61 00 6E 00 1B BF 00 41 01 6A 00
44 00 54 00 55 01 71 00 63 00 7B 01 7F 00 7C 00 7D 01 1B 7F 00 7E 00 7F 01 81 00 1B 7F 00 81 01 82 00
82 03 EC 00 AF 00 5E 00 3D 00 3E 00 5F 00 60 01 D9 01 DA 00 45 00 E0 00 E1 00 48 00 49 02 03 01 52 01
5C 03 EB 03 EA D5 64 0D`;
const YEARLY_REGISTERS = [
  60, 63, 97, 110, 64, 65, 362, 68, 84, 85, 369, 99, 123, 383, 124, 125, 384, 126, 127, 385, 128, 129, 386, 130, 1004, 175, 94, 61, 62, 95,
  96, 473, 474, 69, 224, 225, 72, 73, 515, 338, 348, 1003, 1002,
];
/** Example 2: GetLogLastEntryPastAbs, minute logger 2, empty. */
describe('names (kmp-loggers.md, "Subcommands" and "Logger types")', () => {
  test('subcommands, logger types and the fork names', () => {
    assert.equal(CID_LOGGER, 0xb8);
    const subs = { GetConfiguration: 5, GetLogIDPastAbs: 6, GetLogLastEntryPastAbs: 7, GetLogID: 8, GetLogNextFormat: 9 };
    assert.deepEqual({ ...LoggerSub }, subs);
    const table: Array<[keyof typeof LoggerType, number, string]> = [
      ['config', 0, 'CONFIG'],
      ['info', 1, 'INFO'],
      ['yearly', 2, 'INTERVAL_YEAR'],
      ['monthly', 3, 'INTERVAL_MONTH'],
      ['daily', 4, 'INTERVAL_DAY'],
      ['hourly', 5, 'INTERVAL_HOUR'],
      ['minute1', 6, 'INTERVAL_MIN1'],
      ['minute2', 7, 'INTERVAL_MIN2'],
      ['swDownloadSuccess', 8, 'SW_DOWNLOAD_SUCCESS'],
      ['swDownloadAudit', 9, 'SW_DOWNLOAD_AUDIT'],
    ];
    assert.equal(Object.keys(LoggerType).length, table.length);
    for (const [name, code, fork] of table) {
      assert.equal(LoggerType[name], code);
      assert.equal(LOGGER_TYPE_NAMES[code], fork);
    }
  });

  // "Info flags (16-bit, offset 13)"
  test('info flags: the named bits, reserved bits as BIT_n', () => {
    const table: Array<[number, string[]]> = [
      [0x0000, []],
      [0x0001, ['NO_LOG_ENTRIES']],
      [0x0002, ['OUT_OF_RANGE']],
      [0x0004, ['BIT_2']],
      [0x0008, ['UNSUPPORTED_REGISTER']],
      [0x0010, ['TRUNCATED_ENTRIES']],
      [0x0020, ['FORMAT_CHANGED']],
      [0x00c0, ['TAIL_INCLUDED', 'HEAD_INCLUDED']],
      [0x0100, ['MEMORY_ERROR']],
      [0x0200, ['INVALID_REQUEST']],
      [0x1c00, ['BIT_10', 'BIT_11', 'BIT_12']],
      [0x2000, ['TRUNCATED_REGISTERS']],
      [0xc000, ['BIT_14', 'BIT_15']],
    ];
    for (const [value, names] of table) assert.deepEqual(flagNames(value, LogInfoFlag, 16), names, value.toString(16));
  });
});

describe('worked example 1: GetConfiguration, yearly logger', () => {
  test('request 80 3F B8 05 02 70 EE 0D', () => {
    assert.equal(b8Request(encodeGetConfigurationRequest(LoggerType.yearly)), '80 3F B8 05 02 70 EE 0D');
  });

  test('reply: depth 20, the 43 registers in order, raw fields; three stuffed bytes', () => {
    const wire = fromHex(CONFIG_REPLY);
    assert.equal(wire.length, 110);
    const frame = decodeFrame(wire);
    assert.equal(frame.data.length, 105 - 4);
    const c = decodeConfigurationReply(frame.data);
    assert.equal(c.type, LoggerType.yearly);
    assert.equal(c.depth, 20);
    assert.deepEqual(c.registers, YEARLY_REGISTERS);
    assert.deepEqual(c.raw, EXAMPLE_RAW);
    assert.equal(b8Reply(encodeConfigurationReply(c)), toHex(wire));
  });

  test('exactly 15 + 2n bytes, else KmpError with expected and actual', () => {
    const data = decodeFrame(fromHex(CONFIG_REPLY)).data;
    const long = assertKmp(() => decodeConfigurationReply(Uint8Array.of(...data, 0)), 'KMP_BAD_REPLY');
    assert.equal(long.expected, '101 data bytes');
    assert.equal(long.actual, '102 data bytes');
    const short = assertKmp(() => decodeConfigurationReply(data.subarray(0, data.length - 1)), 'KMP_BAD_REPLY');
    assert.equal(short.actual, '100 data bytes');
    assertKmp(() => decodeConfigurationReply(data.subarray(0, 13)), 'KMP_BAD_REPLY', /depth at offset 12/);
    assertKmp(() => decodeConfigurationReply(Uint8Array.of(0x06, ...data.subarray(1))), 'KMP_COMMAND');
    assert.deepEqual(decodeConfigurationReply(Uint8Array.of(5, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 7, 0)).registers, []);
  });

  test('the encoder refuses what does not fit its fields', () => {
    const c = decodeConfigurationReply(decodeFrame(fromHex(CONFIG_REPLY)).data);
    assertKmp(() => encodeConfigurationReply({ ...c, depth: 0x10000 }), 'KMP_BAD_REPLY');
    assertKmp(() => encodeConfigurationReply({ ...c, registers: new Array<number>(256).fill(60) }), 'KMP_BAD_REPLY');
  });
});

describe('requests: ranges and the simulator side', () => {
  test('encode → decode for every subcommand with a layout', () => {
    const table: LoggerRequest[] = [
      { sub: 5, type: 9 },
      { sub: 6, type: 5, logId: 0xffffffff, count: 0xffff, registers: [60, 68, 0xffff] },
      { sub: 7, type: 0, offset: 0, count: 1, registers: [1002] },
    ];
    for (const req of table) assert.deepEqual(decodeLoggerRequest(encodeLoggerRequest(req)), req);
    const example3 = decodeLoggerRequest(fromHex('06 02 00 00 00 02 00 02 01 03 EB'));
    assert.deepEqual(example3, { sub: 6, type: 2, logId: 2, count: 2, registers: [1003] });
  });

  test('out of range parameters are refused before anything is sent', () => {
    const ok = { type: 2, logId: 1, count: 1, registers: [60] };
    assertKmp(() => encodeGetLogIdPastAbsRequest({ ...ok, type: 256 }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogIdPastAbsRequest({ ...ok, logId: -1 }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogIdPastAbsRequest({ ...ok, logId: 2 ** 32 }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogIdPastAbsRequest({ ...ok, count: 0 }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogIdPastAbsRequest({ ...ok, count: 0x10000 }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogIdPastAbsRequest({ ...ok, registers: [] }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogIdPastAbsRequest({ ...ok, registers: new Array<number>(256).fill(1) }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogIdPastAbsRequest({ ...ok, registers: [0x10000] }), 'KMP_BAD_REQUEST');
    assertKmp(() => encodeGetLogLastEntryPastAbsRequest({ type: 2, offset: 0x10000, count: 1, registers: [60] }), 'KMP_BAD_REQUEST');
  });

  test('requests the simulator cannot read: 08, 09, cut short, trailing bytes', () => {
    assertKmp(() => decodeLoggerRequest(Uint8Array.of(8, 2)), 'KMP_BAD_REQUEST', /no known layout/);
    assertKmp(() => decodeLoggerRequest(Uint8Array.of(9, 2)), 'KMP_BAD_REQUEST');
    assertKmp(() => decodeLoggerRequest(Uint8Array.of(5)), 'KMP_BAD_REQUEST');
    assertKmp(() => decodeLoggerRequest(Uint8Array.of(5, 2, 0)), 'KMP_BAD_REQUEST', /trailing/);
    assertKmp(() => decodeLoggerRequest(fromHex('06 02 00 00 00 02 00 02 02 03 EB')), 'KMP_BAD_REQUEST');
  });
});
