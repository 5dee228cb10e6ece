// KMP data link layer: frames and the framer (kmp-protocol.md, "Data link layer (one frame)" and "Vectors").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { KmpError } from '../../src/kmp/errors.js';
import { decodeFrame, encodeFrame, type Direction } from '../../src/kmp/frame.js';
import { Framer } from '../../src/kmp/framer.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { STUFFED, crc16, stuff } from '../support/oracle.js';

interface FrameVector {
  source: string;
  bytes: string;
  direction: Direction;
  destination: number;
  cid: number;
  data: string;
}

const FRAME_VECTORS: readonly FrameVector[] = [
  // kmp-protocol.md, "Vectors"
  { source: 'Vectors: GetType request', bytes: '80 3F 01 05 8A 0D', direction: 'toMeter', destination: 0x3f, cid: 0x01, data: '' },
  {
    source: 'Vectors: GetType reply',
    bytes: '40 3F 01 00 04 1B F9 01 26 99 0D',
    direction: 'fromMeter',
    destination: 0x3f,
    cid: 0x01,
    data: '00 04 06 01',
  },
  { source: 'Vectors: GetSerialNo request', bytes: '80 3F 02 35 E9 0D', direction: 'toMeter', destination: 0x3f, cid: 0x02, data: '' },
  {
    source: 'Vectors: GetSerialNo reply',
    bytes: '40 3F 02 01 23 45 67 E9 56 0D',
    direction: 'fromMeter',
    destination: 0x3f,
    cid: 0x02,
    data: '01 23 45 67',
  },
  {
    source: 'Vectors: GetRegister request for 0x0080',
    bytes: '80 3F 10 01 00 1B 7F D4 08 0D',
    direction: 'toMeter',
    destination: 0x3f,
    cid: 0x10,
    data: '01 00 80',
  },
  {
    source: 'Vectors: GetRegister reply',
    bytes: '40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D',
    direction: 'fromMeter',
    destination: 0x3f,
    cid: 0x10,
    data: '00 80 16 04 11 01 2A F0 24',
  },
  {
    source: 'Vectors: GetRegister request for 60',
    bytes: '80 3F 10 01 00 3C B2 5F 0D',
    direction: 'toMeter',
    destination: 0x3f,
    cid: 0x10,
    data: '01 00 3C',
  },
  {
    source: 'Vectors: GetRegister request for 1002',
    bytes: '80 3F 10 01 03 EA 4C B7 0D',
    direction: 'toMeter',
    destination: 0x3f,
    cid: 0x10,
    data: '01 03 EA',
  },
  {
    source: 'Vectors: 8 registers 60 68 74 80 86 87 89 266',
    bytes: '80 3F 10 08 00 3C 00 44 00 4A 00 50 00 56 00 57 00 59 01 0A 9E 82 0D',
    direction: 'toMeter',
    destination: 0x3f,
    cid: 0x10,
    data: '08 00 3C 00 44 00 4A 00 50 00 56 00 57 00 59 01 0A',
  },
  // kmp-protocol.md, "Application layer": the empty GetRegister reply
  { source: 'Application layer: empty reply', bytes: '40 3F 10 07 9A 0D', direction: 'fromMeter', destination: 0x3f, cid: 0x10, data: '' },
];

function kmpCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof KmpError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('frame vectors: decode → encode → decode', () => {
  for (const v of FRAME_VECTORS) {
    test(`${v.source}: ${v.bytes}`, () => {
      const frame = decodeFrame(fromHex(v.bytes));
      assert.equal(frame.direction, v.direction);
      assert.equal(frame.destination, v.destination);
      assert.equal(frame.cid, v.cid);
      assert.equal(toHex(frame.data), v.data);
      const encoded = encodeFrame(frame);
      assert.equal(toHex(encoded), v.bytes);
      assert.deepEqual(decodeFrame(encoded), frame);
      // And encoding from the vector's own fields, not from what decode returned.
      assert.equal(toHex(encodeFrame({ direction: v.direction, destination: v.destination, cid: v.cid, data: fromHex(v.data) })), v.bytes);
    });
  }
});

describe('decodeFrame rejects what is not a frame, with KmpError codes', () => {
  const CASES: ReadonlyArray<{ what: string; bytes: string; code: string }> = [
    { what: 'nothing', bytes: '', code: 'KMP_BAD_START' },
    { what: 'no start byte', bytes: '3F 01 05 8A 0D', code: 'KMP_BAD_START' },
    { what: 'an ACK', bytes: '06', code: 'KMP_BAD_START' },
    { what: 'start byte only', bytes: '40', code: 'KMP_BAD_STOP' },
    { what: 'no stop byte', bytes: '40 3F 10 07 9A', code: 'KMP_BAD_STOP' },
    { what: 'start and stop only', bytes: '40 0D', code: 'KMP_SHORT_FRAME' },
    { what: 'three body bytes', bytes: '40 3F 10 07 0D', code: 'KMP_SHORT_FRAME' },
    // kmp-protocol.md, "Minimum unstuffed frame body": 4 bytes; stuffed bytes count once
    { what: 'three body bytes, one stuffed', bytes: '40 3F 1B F9 07 0D', code: 'KMP_SHORT_FRAME' },
    { what: 'bad CRC', bytes: '40 3F 10 07 9B 0D', code: 'KMP_CRC' },
    { what: 'CRC bytes swapped', bytes: '80 3F 01 8A 05 0D', code: 'KMP_CRC' },
    { what: 'invalid escape', bytes: '40 3F 10 1B 00 07 9A 0D', code: 'KMP_BAD_STUFFING' },
    { what: 'escape before the stop byte', bytes: '40 3F 10 07 9A 1B 0D', code: 'KMP_BAD_STUFFING' },
  ];
  for (const c of CASES) {
    test(`${c.what}: ${c.bytes || '(empty)'} → ${c.code}`, () => {
      assert.equal(
        kmpCode(() => decodeFrame(fromHex(c.bytes))),
        c.code,
      );
    });
  }

  test('a CRC error says what was expected and what came, in hex', () => {
    try {
      decodeFrame(fromHex('80 3F 01 05 8B 0D'));
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof KmpError);
      assert.equal(e.code, 'KMP_CRC');
      assert.equal(e.expected, '05 8A');
      assert.equal(e.actual, '05 8B');
    }
  });

  test('every single-bit flip of every vector is rejected with a KmpError', () => {
    for (const v of FRAME_VECTORS) {
      const bytes = fromHex(v.bytes);
      for (let i = 0; i < bytes.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const flipped = Uint8Array.from(bytes);
          flipped[i] = (flipped[i] as number) ^ (1 << bit);
          // A flipped start byte can turn 40 into 80 or back only by more than one bit, and the CRC
          // catches every single-bit error of the body: so every flip must fail.
          const code = kmpCode(() => decodeFrame(flipped));
          assert.notEqual(code, 'no error', `${v.bytes} byte ${i} bit ${bit}: ${toHex(flipped)}`);
        }
      }
    }
  });
});

describe('encodeFrame', () => {
  test('stuffs the CRC bytes too, and the result decodes', () => {
    // Search data whose CRC has a byte that needs stuffing, in the high and in the low position.
    let hiStuffed = 0;
    let loStuffed = 0;
    for (let n = 0; n < 0x10000; n++) {
      const data = Uint8Array.of(n >> 8, n & 0xff);
      if (STUFFED.includes(data[0]!) || STUFFED.includes(data[1]!)) continue;
      const crc = crc16([0x3f, 0x10, ...data]);
      const hi = crc >> 8;
      const lo = crc & 0xff;
      if (!STUFFED.includes(hi) && !STUFFED.includes(lo)) continue;
      const encoded = encodeFrame({ direction: 'fromMeter', destination: 0x3f, cid: 0x10, data });
      const tail = [...stuff([hi, lo]), 0x0d];
      assert.deepEqual([...encoded.subarray(encoded.length - tail.length)], tail, toHex(encoded));
      assert.equal(encoded.length, 1 + 4 + tail.length);
      assert.equal(toHex(decodeFrame(encoded).data), toHex(data));
      if (STUFFED.includes(hi)) hiStuffed++;
      if (STUFFED.includes(lo)) loStuffed++;
    }
    assert.ok(hiStuffed > 0 && loStuffed > 0, 'found data with either CRC byte stuffed');
  });

  test('never puts a raw 06 0D 40 80 between start and stop', () => {
    for (let n = 0; n < 0x10000; n++) {
      const encoded = encodeFrame({ direction: 'toMeter', destination: n >> 8, cid: n & 0xff, data: Uint8Array.of(n & 0xff, n >> 8) });
      for (let i = 1; i < encoded.length - 1; i++) {
        if ([0x06, 0x0d, 0x40, 0x80].includes(encoded[i]!)) assert.fail(`raw byte at ${i} in ${toHex(encoded)}`);
      }
    }
  });

  test('masks destination and cid to one byte', () => {
    const a = encodeFrame({ direction: 'toMeter', destination: 0x13f, cid: 0x101, data: new Uint8Array(0) });
    assert.equal(toHex(a), '80 3F 01 05 8A 0D');
  });
});

describe('Framer', () => {
  const reply = fromHex('40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D');
  const request = fromHex('80 3F 10 01 00 1B 7F D4 08 0D');
  const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

  test('one chunk, one frame', () => {
    const f = new Framer('fromMeter');
    const frames = f.push(reply);
    assert.equal(frames.length, 1);
    assert.equal(toHex(frames[0]!), toHex(reply));
    assert.equal(f.discarded, 0);
    assert.equal(f.pending(), 0);
  });

  test('byte by byte, the frame comes out whole at the stop byte only', () => {
    const f = new Framer('fromMeter');
    for (let i = 0; i < reply.length - 1; i++) {
      assert.deepEqual(f.push(reply.subarray(i, i + 1)), []);
      assert.equal(f.pending(), i + 1);
    }
    const frames = f.push(reply.subarray(reply.length - 1));
    assert.equal(frames.length, 1);
    assert.equal(toHex(frames[0]!), toHex(reply));
    assert.equal(f.pending(), 0);
  });

  test('skips an echo of the request (kmp-protocol.md, "Echo") and counts it as discarded', () => {
    const f = new Framer('fromMeter');
    const frames = f.push(cat(request, reply));
    assert.equal(frames.length, 1);
    assert.equal(toHex(frames[0]!), toHex(reply));
    assert.equal(f.discarded, request.length);
  });

  test('drops noise before the start byte', () => {
    const f = new Framer('fromMeter');
    const noise = fromHex('0D 00 FF 1B 06 0D 3F');
    const frames = f.push(cat(noise, reply));
    assert.equal(frames.length, 1);
    assert.equal(toHex(frames[0]!), toHex(reply));
    assert.equal(f.discarded, noise.length);
  });

  test('a start byte inside a frame begins a new one; the cut-off part is discarded', () => {
    const f = new Framer('fromMeter');
    const cut = reply.subarray(0, 6);
    const frames = f.push(cat(cut, reply));
    assert.equal(frames.length, 1);
    assert.equal(toHex(frames[0]!), toHex(reply));
    assert.equal(f.discarded, cut.length);
  });

  test('a frame of the other direction cuts off the one being read', () => {
    const f = new Framer('fromMeter');
    const frames = f.push(cat(reply.subarray(0, 6), request));
    assert.deepEqual(frames, []);
    assert.equal(f.pending(), 0);
    assert.equal(f.discarded, 6 + request.length);
  });

  test('several frames in one chunk, and the toMeter direction', () => {
    const toMeter = new Framer('toMeter');
    const got = toMeter.push(cat(request, reply, request));
    assert.deepEqual(got.map(toHex), [toHex(request), toHex(request)]);
    const fromMeter = new Framer('fromMeter');
    const replies = fromMeter.push(cat(reply, reply, request, reply));
    assert.deepEqual(replies.map(toHex), [toHex(reply), toHex(reply), toHex(reply)]);
  });

  test('caps its buffer: a frame longer than maxFrameBytes is thrown away, the next one still comes', () => {
    const f = new Framer('fromMeter', 8);
    assert.deepEqual(f.push(reply), []);
    assert.equal(f.pending(), 0, 'the rest of the long frame is not kept');
    assert.equal(f.discarded, reply.length);
    const short = fromHex('40 3F 10 07 9A 0D');
    const frames = f.push(short);
    assert.deepEqual(frames.map(toHex), [toHex(short)]);
    // A frame exactly maxFrameBytes long passes.
    const exact = new Framer('fromMeter', short.length);
    assert.deepEqual(exact.push(short).map(toHex), [toHex(short)]);
    const tooLong = new Framer('fromMeter', short.length - 1);
    assert.deepEqual(tooLong.push(short), []);
  });

  test('reset drops an unfinished frame', () => {
    const f = new Framer('fromMeter');
    f.push(reply.subarray(0, 5));
    assert.equal(f.pending(), 5);
    f.reset();
    assert.equal(f.pending(), 0);
    assert.deepEqual(f.push(reply.subarray(5)), [], 'the rest alone is not a frame');
  });

  test('every split of a frame into two chunks gives the same whole frame', () => {
    const stream = cat(fromHex('00 0D 80 11 0D'), reply, request, reply);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const f = new Framer('fromMeter');
        const frames = [...f.push(stream.subarray(0, i)), ...f.push(stream.subarray(i, j)), ...f.push(stream.subarray(j))];
        assert.deepEqual(frames.map(toHex), [toHex(reply), toHex(reply)], `split at ${i}, ${j}`);
      }
    }
  });
});
