// Random logger replies (style.md, "Round-trip tests prove a codec"): seeded round trips of B8 log readouts,
// configurations and A0–A3 replies through encodeFrame/decodeFrame, and a fuzz loop over random and
// mutated replies and requests that must decode — and then re-encode to the same bytes — or throw KmpError.
// The round trips use a fixed seed; the fuzz loop a fresh one each run: set FUZZ_SEED to replay a failure.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { toHex } from '../../src/core/hex.js';
import { KmpError } from '../../src/kmp/errors.js';
import { decodeFrame, encodeFrame } from '../../src/kmp/frame.js';
import { decodeInfoCode, infoCodeFromRecord } from '../../src/kmp/info-code.js';
import { decodeConfigurationReply, decodeLoggerRequest, encodeConfigurationReply, encodeLoggerRequest } from '../../src/kmp/logger.js';
import type { LogRegisterFormat, LogValue } from '../../src/kmp/logger-bytes.js';
import {
  decodeGetLogReply,
  decodeGetLogRequest,
  encodeGetLogReply,
  encodeGetLogRequest,
  getLogBodyToReply,
} from '../../src/kmp/logger-getlog.js';
import { decodeLogReadoutReply, encodeLogReadoutReply, readoutToReply, type LogReadoutReply } from '../../src/kmp/logger-readout.js';
import { entryTimestamp } from '../../src/kmp/logger-time.js';
import { fuzzSeed, rng, type Rng } from '../support/random.js';
import { EXAMPLE_RAW } from './support.js';

const ROUND_TRIP_SEED = 0x5eed1b8;
const FUZZ_SEED = fuzzSeed();
const TIME_REGISTERS = [348, 1002, 1003];

/** Registers of mantissa length 1, 2 or 4, any sign, exponents from −6 to 6 (negative ones half the time). */
function randomFormats(r: Rng, n: number): LogRegisterFormat[] {
  return Array.from({ length: n }, () => ({
    id: r.next() < 0.1 ? r.pick(TIME_REGISTERS) : r.int(0x10000),
    unitCode: r.int(0x5b),
    length: r.pick([1, 2, 4]),
    siex: (r.next() < 0.2 ? 0x80 : 0) | (r.next() < 0.5 ? 0x40 : 0) | r.int(7),
  }));
}

/** An exact value the format can carry: |coefficient| < 256^LEN, SIEX's sign and exponent. */
function randomValue(r: Rng, f: LogRegisterFormat): LogValue {
  let m = 0n;
  for (let i = 0; i < f.length; i++) m = (m << 8n) | BigInt(r.int(256));
  if (r.next() < 0.3) return Uint8Array.from({ length: f.length }, () => r.int(256));
  const e = f.siex & 0x40 ? -(f.siex & 0x3f) : f.siex & 0x3f;
  return Decimal.of(f.siex & 0x80 ? -m : m, e);
}

function randomReadout(r: Rng, entries = 1 + r.int(50), n = 1 + r.int(8)): LogReadoutReply {
  const registers = randomFormats(r, n);
  const first = entries - 1 + r.int(100000);
  return {
    sub: r.pick([6, 7]),
    type: r.int(10),
    firstLogId: first,
    newestLogId: first + r.int(3),
    info: r.next() < 0.5 ? 0xc0 : r.int(0x10000),
    registers,
    values: Array.from({ length: entries }, () => registers.map((f) => randomValue(r, f))),
  };
}

function randomRecords(r: Rng, registers: LogRegisterFormat[], m: number): Array<{ recordId: number; values: LogValue[] }> {
  return Array.from({ length: m }, () => ({ recordId: r.int(0x10000), values: registers.map((f) => randomValue(r, f)) }));
}

function sameValue(got: Decimal, want: LogValue, f: LogRegisterFormat): void {
  if (want instanceof Uint8Array) return;
  assert.ok(got.equals(want), `register ${f.id}: ${got.toString()} for ${want.toString()}`);
}

describe(`round trips of random logger replies (seed ${ROUND_TRIP_SEED.toString(16)})`, () => {
  test('B8 log readouts: 1–50 entries, 1–8 registers, LEN 1/2/4, negative exponents; frame, decode, encode', () => {
    const r = rng(ROUND_TRIP_SEED);
    for (let i = 0; i < 2000; i++) {
      const reply = randomReadout(r);
      const data = encodeLogReadoutReply(reply);
      const frame = decodeFrame(encodeFrame({ direction: 'fromMeter', destination: 0x3f, cid: 0xb8, data }));
      const got = decodeLogReadoutReply(frame.data);
      assert.deepEqual(got.registers, reply.registers);
      assert.equal(got.wireEntries.length, reply.values.length);
      assert.equal(got.entries.length, reply.info & 1 ? 0 : reply.values.length);
      got.wireEntries.forEach((e, k) => {
        assert.equal(e.logId, reply.firstLogId - k);
        e.records.forEach((rec, j) => sameValue(rec.value, reply.values[k]![j]!, reply.registers[j]!));
      });
      assert.equal(toHex(encodeLogReadoutReply(readoutToReply(got))), toHex(data));
    }
  });

  test('configurations and A0–A3 replies', () => {
    const r = rng(ROUND_TRIP_SEED + 1);
    for (let i = 0; i < 1000; i++) {
      const c = {
        type: r.int(10),
        depth: r.int(0x10000),
        registers: Array.from({ length: r.int(60) }, () => r.int(0x10000)),
        raw: { ...EXAMPLE_RAW, date1: r.int(0x10000), date2Format: r.int(256), maxIntervalRecords: r.int(256), interval: r.int(256) },
      };
      assert.deepEqual(decodeConfigurationReply(encodeConfigurationReply(c)), c);
      const registers = randomFormats(r, 1 + r.int(8));
      const records = randomRecords(r, registers, r.int(30));
      const input = { lid: r.int(256), registers, records, lastRecordId: r.int(0x10000), newestRecordId: r.int(0x10000), info: 0 };
      const data = encodeGetLogReply(input);
      const back = decodeGetLogReply(0xa0 + r.int(4), data);
      assert.ok(back.body);
      assert.equal(back.body.records.length, records.length);
      back.body.records.forEach((rec, k) => rec.records.forEach((x, j) => sameValue(x.value, records[k]!.values[j]!, registers[j]!)));
      assert.equal(toHex(encodeGetLogReply(getLogBodyToReply(back.body, 0))), toHex(data));
    }
  });
});

/** Bytes a logger parser finds interesting: subcommands, types, LEN values, KMP specials, 00 and FF. */
const INTERESTING = [0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x0d, 0x1b, 0x2f, 0x30, 0x4f, 0x40, 0x80, 0xff, 0xa0, 0xa3];

function mutate(r: Rng, data: Uint8Array): Uint8Array {
  const b = [...data];
  for (let n = 1 + r.int(4); n > 0; n--) {
    const at = r.int(b.length + 1);
    const byte = r.next() < 0.5 ? r.pick(INTERESTING) : r.int(256);
    const how = r.int(4);
    if (how === 0 && b.length > 0) b[Math.min(at, b.length - 1)] = byte;
    else if (how === 1) b.splice(at, 0, byte);
    else if (how === 2) b.splice(at, 1);
    else b.length = Math.min(b.length, at);
  }
  return Uint8Array.from(b);
}

function randomInput(r: Rng): Uint8Array {
  const kind = r.int(6);
  if (kind === 0) return Uint8Array.from({ length: r.int(40) }, () => (r.next() < 0.4 ? r.pick(INTERESTING) : r.int(256)));
  if (kind === 1) return mutate(r, encodeLogReadoutReply(randomReadout(r, 1 + r.int(6), 1 + r.int(4))));
  if (kind === 2) return mutate(r, encodeConfigurationReply({ type: 2, depth: 20, registers: [60, 1003, 1002], raw: EXAMPLE_RAW }));
  const registers = randomFormats(r, 1 + r.int(3));
  if (kind === 3) {
    const records = randomRecords(r, registers, r.int(4));
    const info = r.next() < 0.7 ? 0 : r.int(256);
    return mutate(r, encodeGetLogReply({ lid: 1, registers, records, lastRecordId: 1, newestRecordId: 2, info }));
  }
  const ids = registers.map((f) => f.id);
  if (kind === 4) return mutate(r, encodeLoggerRequest({ sub: 6, type: 2, logId: r.int(100), count: 1 + r.int(9), registers: ids }));
  const time = { year: 2007, month: 5, day: 24, hour: 19, minute: 45, second: 0 };
  return mutate(r, encodeGetLogRequest({ cid: 0xa3, lid: 1, registers: ids, records: 3, maxLength: 128, time, recordOffset: 6 }));
}

function fail(what: string, input: Uint8Array, e: unknown): never {
  const name = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  assert.fail(`${what} threw ${name} for ${toHex(input)} (FUZZ_SEED=${FUZZ_SEED})`);
}

/** Runs fn; a KmpError is an answer (undefined), anything else fails the test with the seed and the input. */
function attempt<T>(what: string, input: Uint8Array, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KmpError) return undefined;
    fail(what, input, e);
  }
}

/** Every logger decoder on one input; what decodes must encode back to the same bytes. */
function decodeAll(input: Uint8Array, counts: { decoded: number }): void {
  const same = (what: string, bytes: Uint8Array | undefined): void => {
    if (bytes !== undefined && toHex(bytes) !== toHex(input)) fail(`${what} round trip`, input, `re-encoded ${toHex(bytes)}`);
  };
  const readout = attempt('decodeLogReadoutReply', input, () => decodeLogReadoutReply(input));
  if (readout) {
    counts.decoded++;
    same(
      'log readout',
      attempt('encodeLogReadoutReply', input, () => encodeLogReadoutReply(readoutToReply(readout))),
    );
    for (const e of readout.entries) {
      attempt('entryTimestamp', input, () => entryTimestamp(e.records));
      for (const rec of e.records) attempt('info code', input, () => decodeInfoCode(infoCodeFromRecord(rec), 'mc603'));
    }
  }
  const config = attempt('decodeConfigurationReply', input, () => decodeConfigurationReply(input));
  if (config)
    same(
      'configuration',
      attempt('encodeConfigurationReply', input, () => encodeConfigurationReply(config)),
    );
  const getLog = attempt('decodeGetLogReply', input, () => decodeGetLogReply(0xa0, input));
  const body = getLog?.body;
  if (getLog && body) {
    same(
      'GetLog reply',
      attempt('encodeGetLogReply', input, () => encodeGetLogReply(getLogBodyToReply(body, getLog.info))),
    );
  }
  const req = attempt('decodeLoggerRequest', input, () => decodeLoggerRequest(input));
  if (req)
    same(
      'logger request',
      attempt('encodeLoggerRequest', input, () => encodeLoggerRequest(req)),
    );
  const getLogReq = attempt('decodeGetLogRequest', input, () => decodeGetLogRequest(0xa3, input));
  if (getLogReq)
    same(
      'GetLog request',
      attempt('encodeGetLogRequest', input, () => encodeGetLogRequest(getLogReq)),
    );
}

describe(`fuzz the logger decoders (FUZZ_SEED=${FUZZ_SEED})`, () => {
  test('100,000 random and mutated replies and requests decode and re-encode, or throw KmpError', (t) => {
    t.diagnostic(`FUZZ_SEED=${FUZZ_SEED}`);
    const r = rng(FUZZ_SEED);
    const counts = { decoded: 0 };
    const started = performance.now();
    // Most inputs end in a KmpError; capturing 100,000s of stack traces would take most of the time.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      for (let i = 0; i < 100_000; i++) decodeAll(randomInput(r), counts);
    } finally {
      Error.stackTraceLimit = limit;
    }
    t.diagnostic(`${counts.decoded} log readouts decoded, ${Math.round(performance.now() - started)} ms`);
    assert.ok(counts.decoded > 1000, `only ${counts.decoded} of 100,000 inputs decoded as log readouts: the mutations are too rough`);
  });
});
