// Reply sizes and wire times of the logger commands (kmp-loggers.md: the body-length formula under "Log
// readout reply", the A0–A3 "Size without stuffing", "Timing"), checked against the doc's captures and
// against frames the encoders build.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex } from '../../src/core/hex.js';
import { KmpError } from '../../src/kmp/errors.js';
import { decodeFrame, encodeFrame } from '../../src/kmp/frame.js';
import { encodeLogReadoutReply } from '../../src/kmp/logger-readout.js';
import {
  MAX_LOG_COUNT,
  frameWireLength,
  getLogReplyAplLength,
  getLogReplyBodyLength,
  logReadoutBodyLength,
  maxGetLogRecords,
  maxLogEntries,
  wireTimeMs,
} from '../../src/kmp/logger-budget.js';
import { stuff } from '../support/oracle.js';

/** A log readout frame of `entries` entries with registers of these mantissa lengths, all mantissas 0x80. */
function readoutFrame(lengths: number[], entries: number): Uint8Array {
  const registers = lengths.map((length, i) => ({ id: 0x80 + i, unitCode: 0x80, length, siex: 0 }));
  const values = Array.from({ length: entries }, () => lengths.map((l) => new Uint8Array(l).fill(0x80)));
  const data = encodeLogReadoutReply({ sub: 6, type: 5, firstLogId: entries, newestLogId: entries, info: 0, registers, values });
  return encodeFrame({ direction: 'fromMeter', destination: 0x3f, cid: 0xb8, data });
}

describe('B8 log readout: 17 + Σ(5 + LENᵢ) + (E − 1)·ΣLENᵢ + 2 bytes of unstuffed body', () => {
  test('the captures: yearly reply 32 (35 on the wire, one stuffed byte), empty logger 28 (30 on the wire)', () => {
    assert.equal(logReadoutBodyLength([4], 2), 32);
    const yearly = fromHex('40 3F B8 1B F9 02 00 02 01 00 00 00 02 00 00 00 02 00 C0 03 EB 30 04 00 00 03 F8 05 00 03 D0 F5 AA 3A 0D');
    assert.equal(decodeFrame(yearly).data.length + 4, 32);
    assert.equal(frameWireLength(32).unstuffed + 1, yearly.length);
    assert.equal(logReadoutBodyLength([4], 1), 28);
    assert.equal(frameWireLength(28).unstuffed, 30);
    assert.equal(logReadoutBodyLength([4, 2, 1], 0), 19);
  });

  test('the formula equals the frames the encoder builds, and worst-case stuffing is reached', () => {
    for (const lengths of [[1], [4], [1, 2, 4], [4, 4, 4, 4, 4, 4, 4, 4], [7]]) {
      for (const e of [1, 2, 3, 10, 50]) {
        const frame = readoutFrame(lengths, e);
        const body = logReadoutBodyLength(lengths, e);
        const wire = frameWireLength(body);
        assert.ok(frame.length <= wire.worstCase && frame.length >= wire.unstuffed, `${lengths.join(' ')} × ${e}`);
        assert.equal(decodeFrame(frame).data.length + 4, body);
      }
    }
    const all = new Uint8Array(40).fill(0x80);
    assert.equal(stuff(all).length + 2, frameWireLength(40).worstCase);
  });

  test('entries per reply under a budget: the largest E whose body fits', () => {
    assert.equal(maxLogEntries([4], 32), 2);
    assert.equal(maxLogEntries([4], 31), 1);
    assert.equal(maxLogEntries([4], 28), 1);
    assert.equal(maxLogEntries([4], 27), 0);
    assert.equal(maxLogEntries([4], 1e9), MAX_LOG_COUNT);
    for (const lengths of [[1], [2, 4], [4, 4, 1], [4, 4, 4, 4, 4, 4, 4, 4]]) {
      for (let budget = 0; budget < 400; budget += 7) {
        const e = maxLogEntries(lengths, budget);
        if (e > 0) assert.ok(logReadoutBodyLength(lengths, e) <= budget, `${lengths.join(' ')} in ${budget}: ${e} fits`);
        assert.ok(logReadoutBodyLength(lengths, e + 1) > budget, `${lengths.join(' ')} in ${budget}: ${e + 1} does not`);
      }
    }
  });

  test('mantissa lengths must be 1 to 255', () => {
    for (const bad of [0, 256, 1.5, -1]) {
      assert.throws(
        () => logReadoutBodyLength([bad], 1),
        (e: unknown) => e instanceof KmpError && e.code === 'KMP_BAD_REQUEST',
      );
    }
  });
});

describe('A0–A3: APL = 3 + 2m + 5n + m·ΣNoB + 5 (5512-447)', () => {
  test('m = 3, n = 2, NoB 4 → APL 48, frame 53, as the doc tabulates', () => {
    assert.equal(getLogReplyAplLength([4, 4], 3), 48);
    assert.equal(frameWireLength(getLogReplyBodyLength([4, 4], 3)).unstuffed, 53);
    assert.equal(getLogReplyAplLength([4, 4], 0), 8);
  });

  test('records under MaxL', () => {
    assert.equal(maxGetLogRecords([4, 4], 0x80), 11);
    assert.equal(getLogReplyAplLength([4, 4], 11), 128);
    assert.equal(maxGetLogRecords([4, 4], 127), 10);
    assert.equal(maxGetLogRecords([4, 4], 27), 0);
    assert.equal(maxGetLogRecords([1], 255), 80);
  });
});

describe('wire time: 11 bits a byte at 8N2 (Timing)', () => {
  test('the 110-byte configuration reply takes 1.01 s, the 35-byte yearly reply 0.32 s at 1200 baud', () => {
    assert.equal(wireTimeMs(110, 1200), 1009);
    assert.equal(wireTimeMs(35, 1200), 321);
    assert.equal(wireTimeMs(110, 1200, 10), 917);
    assert.equal(wireTimeMs(0, 1200), 0);
    assert.throws(() => wireTimeMs(1, 0), RangeError);
  });

  test('a deadline from the worst case: the configuration reply body (105 bytes) doubled', () => {
    assert.equal(frameWireLength(105).unstuffed + 3, 110);
    assert.equal(frameWireLength(105).worstCase, 212);
    assert.equal(wireTimeMs(frameWireLength(105).worstCase, 1200), 1944);
  });
});
