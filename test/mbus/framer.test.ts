// The M-Bus framer: whole slave frames from chunks, on content only (mbus-protocol.md §1 "Echo", "Collisions",
// "TCP gateways"; §2 frame formats).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import { MbusFramer } from '../../src/mbus/framer.js';
import { reqUd2, sndNke } from '../../src/mbus/link.js';
import { MC403_REPLY, TST_TELEGRAM_1, TST_TELEGRAM_2, cat } from './support.js';
import { rng } from '../support/random.js';

const E5 = fromHex('E5');
const hexes = (frames: Uint8Array[]): string[] => frames.map(toHex);

describe('MbusFramer', () => {
  test('one chunk, one frame; E5 alone is a frame', () => {
    const f = new MbusFramer();
    assert.deepEqual(hexes(f.push(MC403_REPLY)), [toHex(MC403_REPLY)]);
    assert.deepEqual(hexes(f.push(E5)), ['E5']);
    assert.deepEqual(f.stats(), { discarded: 0, badFrames: 0, echoes: 0 });
    assert.equal(f.pending(), 0);
  });

  test('byte by byte, the frame comes out whole with its stop byte only', () => {
    const f = new MbusFramer();
    for (let i = 0; i < MC403_REPLY.length - 1; i++) {
      assert.deepEqual(f.push(MC403_REPLY.subarray(i, i + 1)), []);
      assert.equal(f.pending(), i + 1);
    }
    assert.deepEqual(hexes(f.push(MC403_REPLY.subarray(MC403_REPLY.length - 1))), [toHex(MC403_REPLY)]);
  });

  test('an echo of the master frame is dropped, with or without the echo the reply comes (§1 "Echo")', () => {
    for (const echo of [sndNke(187), reqUd2(187, true)]) {
      const f = new MbusFramer();
      const reply = echo[1] === 0x40 ? E5 : MC403_REPLY;
      assert.deepEqual(hexes(f.push(cat(echo, reply))), [toHex(reply)]);
      assert.equal(f.echoes, 1);
      assert.equal(f.discarded, echo.length);
      assert.equal(f.badFrames, 0);
    }
  });

  test('a long master frame (select) echoed before the E5', () => {
    const select = fromHex('68 0B 0B 68 73 FD 52 FF FF 41 31 FF FF FF FF 2E 16');
    const f = new MbusFramer();
    assert.deepEqual(hexes(f.push(cat(select, E5))), ['E5']);
    assert.deepEqual(f.stats(), { discarded: select.length, badFrames: 0, echoes: 1 });
  });

  test('noise before a start byte is dropped and counted', () => {
    const noise = fromHex('00 FF 16 42 11');
    const f = new MbusFramer();
    assert.deepEqual(hexes(f.push(cat(noise, TST_TELEGRAM_2))), [toHex(TST_TELEGRAM_2)]);
    assert.equal(f.discarded, noise.length);
    assert.equal(f.badFrames, 0);
  });

  test('resynchronises after a corrupt frame: the good one right behind it in the same burst is found', () => {
    const corrupt = Uint8Array.from(TST_TELEGRAM_1);
    corrupt[20] = corrupt[20]! ^ 0x01; // the checksum no longer matches
    const f = new MbusFramer();
    const frames = f.push(cat(corrupt, TST_TELEGRAM_2));
    assert.deepEqual(hexes(frames), [toHex(TST_TELEGRAM_2)]);
    assert.ok(f.badFrames >= 1, 'the corrupt frame is reported');
    assert.equal(f.discarded, corrupt.length);
  });

  test('garbled (a checksum failure) is told apart from silence', () => {
    const quiet = new MbusFramer();
    assert.deepEqual(quiet.push(new Uint8Array(0)), []);
    assert.deepEqual(quiet.stats(), { discarded: 0, badFrames: 0, echoes: 0 });
    const collided = new MbusFramer();
    assert.deepEqual(collided.push(fromHex('10 08 01 0A 16')), []);
    assert.equal(collided.badFrames, 1);
    assert.equal(collided.discarded, 5);
  });

  test('a frame that never completes waits; flush() drops it and finds what is behind its start byte', () => {
    const f = new MbusFramer();
    // A 68 that promises 0x20 bytes and then an E5 and silence.
    assert.deepEqual(f.push(fromHex('68 20 20 68 08 01 E5')), []);
    assert.equal(f.pending(), 7);
    assert.deepEqual(hexes(f.flush()), ['E5']);
    assert.equal(f.pending(), 0);
    assert.equal(f.badFrames, 1);
    assert.equal(f.discarded, 6);
  });

  test('caps its buffer: a frame longer than maxFrameBytes is bad, the next one still comes', () => {
    const f = new MbusFramer(64);
    assert.deepEqual(hexes(f.push(cat(MC403_REPLY, E5))), ['E5']);
    assert.equal(f.pending(), 0);
    assert.ok(f.badFrames >= 1);
    // Exactly the cap passes.
    const exact = new MbusFramer(TST_TELEGRAM_2.length);
    assert.deepEqual(hexes(exact.push(TST_TELEGRAM_2)), [toHex(TST_TELEGRAM_2)]);
    // The default holds the largest frame, 261 bytes.
    const big = fromHex(`68 FF FF 68 08 01 72 ${'00 '.repeat(252)} 7B 16`);
    assert.equal(big.length, 261);
    assert.deepEqual(hexes(new MbusFramer().push(big)), [toHex(big)]);
  });

  test('reset drops an unfinished frame and zeroes the counters', () => {
    const f = new MbusFramer();
    f.push(cat(fromHex('00'), MC403_REPLY.subarray(0, 10)));
    f.reset();
    assert.equal(f.pending(), 0);
    assert.deepEqual(f.stats(), { discarded: 0, badFrames: 0, echoes: 0 });
  });

  test('every split into two chunks gives the same frames', () => {
    const stream = cat(fromHex('00 68 16'), reqUd2(253, true), TST_TELEGRAM_1, E5, TST_TELEGRAM_2);
    const expected = [toHex(TST_TELEGRAM_1), 'E5', toHex(TST_TELEGRAM_2)];
    for (let i = 0; i <= stream.length; i++) {
      const f = new MbusFramer();
      const frames = [...f.push(stream.subarray(0, i)), ...f.push(stream.subarray(i)), ...f.flush()];
      assert.deepEqual(hexes(frames), expected, `split at ${i}`);
    }
  });

  test('random chunking never changes the frames', () => {
    const r = rng(0x5eed);
    const stream = cat(sndNke(1), E5, reqUd2(1, true), MC403_REPLY, fromHex('FF 00'), TST_TELEGRAM_1, TST_TELEGRAM_2);
    const whole = hexes(new MbusFramer().push(stream));
    assert.deepEqual(whole, ['E5', toHex(MC403_REPLY), toHex(TST_TELEGRAM_1), toHex(TST_TELEGRAM_2)]);
    for (let n = 0; n < 200; n++) {
      const f = new MbusFramer();
      const got: Uint8Array[] = [];
      for (let i = 0; i < stream.length;) {
        const k = r.int(40);
        got.push(...f.push(stream.subarray(i, i + k)));
        i += k;
      }
      assert.deepEqual(hexes(got), whole);
    }
  });
});
