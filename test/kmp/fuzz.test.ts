// Fuzzing the KMP layers (style.md, "Round-trip tests prove a codec": random input must decode or throw
// the project's own error, never RangeError/TypeError). Seeded: set FUZZ_SEED to replay a failure.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { decodeGetRegisterRequest, decodeGetSerialNoReply, decodeGetTypeReply, decodeRegisterRecords } from '../../src/kmp/app.js';
import { KmpError } from '../../src/kmp/errors.js';
import { formatRecord } from '../../src/kmp/format.js';
import { decodeFrame, encodeFrame } from '../../src/kmp/frame.js';
import { Framer } from '../../src/kmp/framer.js';
import { toHex } from '../../src/core/hex.js';
import { decodeValue, encodeValue } from '../../src/kmp/value.js';
import { frame as oracleFrame } from '../support/oracle.js';
import { fuzzSeed, rng, type Rng } from '../support/random.js';

const SEED = fuzzSeed();

/** Bytes a KMP parser finds interesting: start, stop, escape, escaped forms, the heat meter address, CIDs. */
const INTERESTING = [0x40, 0x80, 0x0d, 0x1b, 0x06, 0xf9, 0xf2, 0xe4, 0xbf, 0x7f, 0x3f, 0x10, 0x01, 0x02, 0x00, 0xff];

function randomBytes(r: Rng, length: number, avoid?: ReadonlySet<number>): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    let b: number;
    do b = r.next() < 0.3 ? r.pick(INTERESTING) : r.int(256);
    while (avoid?.has(b));
    out[i] = b;
  }
  return out;
}

function fail(what: string, input: Uint8Array, e: unknown): never {
  const name = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  assert.fail(`${what} threw ${name} for ${toHex(input)} (FUZZ_SEED=${SEED})`);
}

/** Runs fn; a KmpError is an answer, anything else fails the test with the seed and the input. */
function kmpOrValue<T>(what: string, input: Uint8Array, fn: () => T): T | KmpError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KmpError) return e;
    fail(what, input, e);
  }
}

/** Every application-layer decoder on the data of a frame that passed the data link layer. */
function decodeAllApp(data: Uint8Array): void {
  const records = kmpOrValue('decodeRegisterRecords', data, () => decodeRegisterRecords(data));
  if (!(records instanceof KmpError)) {
    let used = 0;
    for (const r of records) {
      used += 5 + r.mantissa.length;
      kmpOrValue('formatRecord', data, () => formatRecord(r));
      const again = kmpOrValue('encodeValue', data, () => {
        const enc = encodeValue(r.value, r.mantissa.length);
        return decodeValue(enc.siex, enc.mantissa);
      });
      if (again instanceof KmpError || !again.equals(r.value)) fail('value round trip', data, again);
    }
    if (used !== data.length) assert.fail(`records cover ${used} of ${data.length} bytes of ${toHex(data)} (FUZZ_SEED=${SEED})`);
  }
  kmpOrValue('decodeGetTypeReply', data, () => decodeGetTypeReply(data));
  kmpOrValue('decodeGetSerialNoReply', data, () => decodeGetSerialNoReply(data));
  kmpOrValue('decodeGetRegisterRequest', data, () => decodeGetRegisterRequest(data));
}

function decodeEverything(input: Uint8Array): void {
  const frame = kmpOrValue('decodeFrame', input, () => decodeFrame(input));
  if (!(frame instanceof KmpError)) decodeAllApp(frame.data);
}

function randomRecordsData(r: Rng): { data: Uint8Array; ids: number[]; mantissas: string[] } {
  const parts: number[] = [];
  const ids: number[] = [];
  const mantissas: string[] = [];
  for (let n = 1 + r.int(8); n > 0; n--) {
    const id = r.int(0x10000);
    const len = 1 + r.int(r.next() < 0.8 ? 4 : 12);
    const mantissa = randomBytes(r, len);
    parts.push(id >> 8, id & 0xff, r.int(0x5b), len, r.int(256), ...mantissa);
    ids.push(id);
    mantissas.push(toHex(mantissa));
  }
  return { data: Uint8Array.from(parts), ids, mantissas };
}

function randomChunks(r: Rng, stream: Uint8Array, maxChunk: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < stream.length;) {
    const n = r.int(maxChunk + 1); // empty chunks too
    chunks.push(stream.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

describe(`fuzz (FUZZ_SEED=${SEED})`, () => {
  test('100,000 random byte strings through decodeFrame and the application decoders', (t) => {
    t.diagnostic(`FUZZ_SEED=${SEED}`);
    const r = rng(SEED);
    let decoded = 0;
    for (let n = 0; n < 100_000; n++) {
      // A quarter are raw random bytes; a quarter have a start and a stop byte around random bytes; half are
      // stuffed bodies with a correct CRC, so they reach the application decoders, a third of those then
      // damaged by one random bit flip.
      const body = randomBytes(r, r.int(40));
      const kind = r.next();
      let input: Uint8Array;
      if (kind < 0.25) input = body;
      else if (kind < 0.5) input = Uint8Array.of(r.next() < 0.5 ? 0x40 : 0x80, ...body, 0x0d);
      else {
        input = Uint8Array.from(oracleFrame(r.next() < 0.5 ? 0x40 : 0x80, [...body]));
        if (r.next() < 1 / 3) {
          const i = r.int(input.length);
          input[i] = input[i]! ^ (1 << r.int(8));
        }
      }
      const frame = kmpOrValue('decodeFrame', input, () => decodeFrame(input));
      if (!(frame instanceof KmpError)) {
        decoded++;
        decodeAllApp(frame.data);
      }
    }
    t.diagnostic(`${decoded} of 100000 were frames`);
    assert.ok(decoded > 25_000, 'enough inputs reach the application decoders');
  });

  test('random data in frames with a correct CRC reaches the record decoder', () => {
    const r = rng(SEED ^ 0x1111);
    for (let n = 0; n < 20_000; n++) {
      const data = randomBytes(r, r.int(48));
      const bytes = encodeFrame({ direction: 'fromMeter', destination: 0x3f, cid: 0x10, data });
      const frame = kmpOrValue('decodeFrame', bytes, () => decodeFrame(bytes));
      if (frame instanceof KmpError) fail('decodeFrame of an encoded frame', bytes, frame);
      assert.equal(toHex(frame.data), toHex(data));
      decodeAllApp(frame.data);
    }
  });

  test('valid frames decode exactly; every truncation and random bit flips throw only KmpError', () => {
    const r = rng(SEED ^ 0x2222);
    for (let n = 0; n < 3_000; n++) {
      const { data, ids, mantissas } = randomRecordsData(r);
      const bytes = encodeFrame({ direction: 'fromMeter', destination: 0x3f, cid: 0x10, data });
      const frame = decodeFrame(bytes);
      const records = decodeRegisterRecords(frame.data);
      assert.deepEqual(
        records.map((x) => x.id),
        ids,
      );
      assert.deepEqual(
        records.map((x) => toHex(x.mantissa)),
        mantissas,
      );

      // Every proper prefix of a frame lacks its stop byte: always an error, never a frame.
      for (let cut = 0; cut < bytes.length; cut++) {
        const prefix = bytes.subarray(0, cut);
        if (!(kmpOrValue('decodeFrame', prefix, () => decodeFrame(prefix)) instanceof KmpError)) {
          assert.fail(`prefix ${toHex(prefix)} decoded (FUZZ_SEED=${SEED})`);
        }
      }
      // Every cut of the record data inside a well-formed frame: KMP_BAD_RECORD, or fewer whole records.
      for (let cut = 0; cut < data.length; cut++) {
        const short = data.subarray(0, cut);
        const got = kmpOrValue('decodeRegisterRecords', short, () => decodeRegisterRecords(short));
        if (got instanceof KmpError) assert.equal(got.code, 'KMP_BAD_RECORD');
        else assert.ok(got.length < ids.length);
      }
      // Random bit flips, one to four.
      for (let k = 0; k < 10; k++) {
        const flipped = Uint8Array.from(bytes);
        for (let f = 1 + r.int(4); f > 0; f--) {
          const i = r.int(flipped.length);
          flipped[i] = flipped[i]! ^ (1 << r.int(8));
        }
        decodeEverything(flipped);
      }
    }
  });

  test('the Framer, fed random bytes in random chunks, yields only well-formed frames and never throws', () => {
    const r = rng(SEED ^ 0x3333);
    for (let n = 0; n < 2_000; n++) {
      const stream = randomBytes(r, r.int(200));
      const whole = new Framer('fromMeter', 64);
      const expected = whole.push(stream).map(toHex);
      const framer = new Framer('fromMeter', 64);
      const got: string[] = [];
      for (const chunk of randomChunks(r, stream, 17)) {
        for (const frame of framer.push(chunk)) {
          got.push(toHex(frame));
          assert.equal(frame[0], 0x40);
          assert.equal(frame[frame.length - 1], 0x0d);
          assert.ok(frame.length <= 64);
          for (const b of frame.subarray(1, frame.length - 1)) assert.ok(b !== 0x40 && b !== 0x80 && b !== 0x0d, toHex(frame));
          decodeEverything(frame);
        }
      }
      assert.deepEqual(got, expected, `chunking changed the frames of ${toHex(stream)} (FUZZ_SEED=${SEED})`);
    }
  });

  test('valid replies among noise and echoes, split at random chunk boundaries, come out whole', () => {
    const r = rng(SEED ^ 0x4444);
    const noStart = new Set([0x40]);
    for (let n = 0; n < 2_000; n++) {
      const parts: number[] = [];
      const replies: string[] = [];
      for (let k = r.int(5); k >= 0; k--) {
        parts.push(...randomBytes(r, r.int(12), noStart)); // noise, which may hold 80 and 0D
        if (r.next() < 0.4) {
          // An echo of a request, as some IR heads send.
          parts.push(...encodeFrame({ direction: 'toMeter', destination: 0x3f, cid: 0x10, data: randomBytes(r, r.int(17)) }));
        }
        const reply = encodeFrame({ direction: 'fromMeter', destination: 0x3f, cid: 0x10, data: randomRecordsData(r).data });
        parts.push(...reply);
        replies.push(toHex(reply));
      }
      const stream = Uint8Array.from(parts);
      const framer = new Framer('fromMeter');
      const got: string[] = [];
      for (const chunk of randomChunks(r, stream, 1 + r.int(30))) for (const f of framer.push(chunk)) got.push(toHex(f));
      assert.deepEqual(got, replies, `FUZZ_SEED=${SEED}`);
      for (const f of got) decodeRegisterRecords(decodeFrame(Uint8Array.from(f.split(' ').map((h) => Number.parseInt(h, 16)))).data);
    }
  });
});
