// M-Bus link layer (EN 13757-2): frames, C field and the master frames (mbus-protocol.md §2, vectors of §9.1 and §9.3).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import { MbusError } from '../../src/mbus/errors.js';
import {
  Address,
  Control,
  MAX_DATA_LENGTH,
  applicationReset,
  checkFrameAt,
  decodeFrame,
  encodeFrame,
  isFromMaster,
  isRspUd,
  reqUd2,
  rspUdFlags,
  setBaudRate,
  setPrimaryAddress,
  sndNke,
  type MbusFrame,
} from '../../src/mbus/link.js';
import { MC403_REPLY, TST_TELEGRAM_1, mbusCode } from './support.js';

interface MasterVector {
  source: string;
  bytes: string;
  build: () => Uint8Array;
  frame: MbusFrame;
}

const short = (control: number, address: number): MbusFrame => ({ kind: 'short', control, address });

const MASTER_FRAMES: readonly MasterVector[] = [
  { source: '§9.1 SND_NKE to 187', bytes: '10 40 BB FB 16', build: () => sndNke(187), frame: short(0x40, 0xbb) },
  { source: '§9.1 REQ_UD2 to 187, FCB 1', bytes: '10 7B BB 36 16', build: () => reqUd2(187, true), frame: short(0x7b, 0xbb) },
  { source: '§9.1 REQ_UD2 to 187, FCB 0', bytes: '10 5B BB 16 16', build: () => reqUd2(187, false), frame: short(0x5b, 0xbb) },
  { source: '§9.1 REQ_UD2 to FE', bytes: '10 5B FE 59 16', build: () => reqUd2(Address.BROADCAST_REPLY, false), frame: short(0x5b, 0xfe) },
  { source: '§9.1 SND_NKE to FD (deselect)', bytes: '10 40 FD 3D 16', build: () => sndNke(Address.NETWORK), frame: short(0x40, 0xfd) },
  { source: '§9.1 SND_NKE broadcast', bytes: '10 40 FF 3F 16', build: () => sndNke(Address.BROADCAST), frame: short(0x40, 0xff) },
  {
    source: '§9.1 application reset to 5',
    bytes: '68 03 03 68 53 05 50 A8 16',
    build: () => applicationReset(5),
    frame: { kind: 'control', control: 0x53, address: 5, ci: 0x50 },
  },
  {
    source: '§9.1 set primary address of 5 to 23',
    bytes: '68 06 06 68 53 05 51 01 7A 17 3B 16',
    build: () => setPrimaryAddress(5, 23),
    frame: { kind: 'long', control: 0x53, address: 5, ci: 0x51, data: fromHex('01 7A 17') },
  },
  {
    source: '§9.1 switch 5 to 9600 Bd',
    bytes: '68 03 03 68 53 05 BD 15 16',
    build: () => setBaudRate(5, 9600),
    frame: { kind: 'control', control: 0x53, address: 5, ci: 0xbd },
  },
  { source: '§9.3 REQ_UD2 to FD, FCB 1', bytes: '10 7B FD 78 16', build: () => reqUd2(0xfd, true), frame: short(0x7b, 0xfd) },
  { source: '§9.3 REQ_UD2 to FD, FCB 0', bytes: '10 5B FD 58 16', build: () => reqUd2(0xfd, false), frame: short(0x5b, 0xfd) },
];

describe('master frames, byte for byte (§9.1, §9.3)', () => {
  for (const v of MASTER_FRAMES) {
    test(`${v.source}: ${v.bytes}`, () => {
      assert.equal(toHex(v.build()), v.bytes);
      const decoded = decodeFrame(fromHex(v.bytes));
      assert.deepEqual(decoded, v.frame);
      assert.equal(toHex(encodeFrame(v.frame)), v.bytes);
      assert.ok(decoded.kind !== 'ack' && isFromMaster(decoded.control), 'a master frame has C bit 6 set');
    });
  }

  test('the other baud rates: CI B8 … BF', () => {
    const rates = [300, 600, 1200, 2400, 4800, 9600, 19200, 38400];
    rates.forEach((baud, i) => {
      const f = decodeFrame(setBaudRate(1, baud));
      assert.equal(f.kind === 'control' ? f.ci : -1, 0xb8 + i, `${baud} Bd`);
    });
    assert.equal(
      mbusCode(() => setBaudRate(1, 115200)),
      'MBUS_BAD_REQUEST',
    );
  });

  test('application reset with a subcode; FCB 1 gives C = 73', () => {
    assert.equal(toHex(applicationReset(5, 0x10)), '68 04 04 68 53 05 50 10 B8 16');
    assert.equal(toHex(applicationReset(5, undefined, true)), '68 03 03 68 73 05 50 C8 16');
  });

  test('builders refuse what is not a byte, and a primary address above 250', () => {
    assert.equal(
      mbusCode(() => sndNke(256)),
      'MBUS_BAD_REQUEST',
    );
    assert.equal(
      mbusCode(() => reqUd2(-1, true)),
      'MBUS_BAD_REQUEST',
    );
    assert.equal(
      mbusCode(() => reqUd2(1.5, true)),
      'MBUS_BAD_REQUEST',
    );
    assert.equal(
      mbusCode(() => setPrimaryAddress(5, 251)),
      'MBUS_BAD_REQUEST',
    );
    assert.equal(toHex(setPrimaryAddress(5, 250)), '68 06 06 68 53 05 51 01 7A FA 1E 16');
  });
});

describe('slave frames', () => {
  test('E5 is a frame of its own', () => {
    assert.deepEqual(decodeFrame(fromHex('E5')), { kind: 'ack' });
    assert.equal(toHex(encodeFrame({ kind: 'ack' })), 'E5');
  });

  test('§9.2: the MULTICAL-403 reply is a long RSP_UD frame, L = 0x83, CS = 0x30, 137 bytes', () => {
    const f = decodeFrame(MC403_REPLY);
    assert.equal(MC403_REPLY.length, 137);
    assert.equal(f.kind, 'long');
    if (f.kind !== 'long') return;
    assert.equal(f.control, 0x08);
    assert.equal(f.address, 0xbb);
    assert.equal(f.ci, 0x72);
    assert.equal(f.data.length, 128);
    assert.equal(toHex(encodeFrame(f)), toHex(MC403_REPLY));
  });

  test('a long frame of 252 data bytes is the largest', () => {
    const data = Uint8Array.from({ length: MAX_DATA_LENGTH }, (_, i) => i);
    const bytes = encodeFrame({ kind: 'long', control: 0x08, address: 1, ci: 0x72, data });
    assert.equal(bytes.length, 261);
    assert.equal(bytes[1], 0xff);
    assert.deepEqual(decodeFrame(bytes), { kind: 'long', control: 0x08, address: 1, ci: 0x72, data });
    const tooLong = { kind: 'long' as const, control: 0x08, address: 1, ci: 0x72, data: new Uint8Array(253) };
    assert.equal(
      mbusCode(() => encodeFrame(tooLong)),
      'MBUS_LENGTH',
    );
  });

  test('a long frame without data is written as a control frame', () => {
    const bytes = encodeFrame({ kind: 'long', control: 0x53, address: 5, ci: 0x50, data: new Uint8Array(0) });
    assert.equal(toHex(bytes), '68 03 03 68 53 05 50 A8 16');
    assert.equal(decodeFrame(bytes).kind, 'control');
  });
});

describe('decodeFrame refuses what is not one whole frame (§2: L ≤ 255, both L equal, CS = sum mod 256)', () => {
  const CASES: ReadonlyArray<{ what: string; bytes: string; code: string }> = [
    { what: 'nothing', bytes: '', code: 'MBUS_EMPTY' },
    { what: 'no start byte', bytes: '40 BB FB 16', code: 'MBUS_BAD_START' },
    { what: 'short frame, bad checksum', bytes: '10 40 BB FC 16', code: 'MBUS_CHECKSUM' },
    { what: 'short frame, bad stop byte', bytes: '10 40 BB FB 17', code: 'MBUS_BAD_STOP' },
    { what: 'short frame cut short', bytes: '10 40 BB FB', code: 'MBUS_LENGTH' },
    { what: 'long frame, L below 3', bytes: '68 02 02 68 08 01 72 7B 16', code: 'MBUS_LENGTH' },
    { what: 'long frame, the two L differ', bytes: '68 03 04 68 53 05 50 A8 16', code: 'MBUS_LENGTH' },
    { what: 'long frame, no second 68', bytes: '68 03 03 69 53 05 50 A8 16', code: 'MBUS_BAD_START' },
    { what: 'long frame, bad checksum', bytes: '68 03 03 68 53 05 50 A9 16', code: 'MBUS_CHECKSUM' },
    { what: 'long frame, bad stop byte', bytes: '68 03 03 68 53 05 50 A8 00', code: 'MBUS_BAD_STOP' },
    { what: 'long frame cut short', bytes: '68 06 06 68 53 05 51 01 7A 17 3B', code: 'MBUS_LENGTH' },
    { what: 'only 68', bytes: '68', code: 'MBUS_LENGTH' },
    { what: 'bytes after the stop byte', bytes: '10 40 BB FB 16 E5', code: 'MBUS_LENGTH' },
    { what: 'two E5', bytes: 'E5 E5', code: 'MBUS_LENGTH' },
  ];
  for (const c of CASES) {
    test(`${c.what}: ${c.bytes || '(empty)'} → ${c.code}`, () => {
      assert.equal(
        mbusCode(() => decodeFrame(fromHex(c.bytes))),
        c.code,
      );
    });
  }

  test('a checksum error names both bytes in hex', () => {
    try {
      decodeFrame(fromHex('10 7B BB 37 16'));
      assert.fail('no error');
    } catch (e) {
      assert.ok(e instanceof MbusError);
      assert.equal(e.code, 'MBUS_CHECKSUM');
      assert.equal(e.expected, '36');
      assert.equal(e.actual, '37');
      assert.match(e.message, /checksum 0x37, 0x36 expected in 10 7B BB 37 16/);
    }
  });

  test('every single-bit flip of the §9.2 and §9.3 replies is refused', () => {
    for (const frame of [MC403_REPLY, TST_TELEGRAM_1]) {
      for (let i = 0; i < frame.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const flipped = Uint8Array.from(frame);
          flipped[i] = flipped[i]! ^ (1 << bit);
          assert.notEqual(
            mbusCode(() => decodeFrame(flipped)),
            'no error',
            `byte ${i} bit ${bit}`,
          );
        }
      }
    }
  });

  test('checkFrameAt says how long an unfinished frame will be', () => {
    assert.deepEqual(checkFrameAt(fromHex('68 83 83 68 08')), { status: 'incomplete', length: 137 });
    assert.deepEqual(checkFrameAt(fromHex('68')), { status: 'incomplete', length: undefined });
    assert.deepEqual(checkFrameAt(fromHex('10 5B')), { status: 'incomplete', length: 5 });
    assert.deepEqual(checkFrameAt(fromHex('00 E5'), 1), { status: 'ok', length: 1 });
  });
});

describe('C field (§2)', () => {
  test('RSP_UD is (C & 0xCF) === 0x08: 08, 18, 28, 38 and nothing else', () => {
    const rsp: number[] = [];
    for (let c = 0; c < 256; c++) if (isRspUd(c)) rsp.push(c);
    assert.deepEqual(rsp, [0x08, 0x18, 0x28, 0x38]);
  });

  test('ACD and DFC flags of a reply; the master-direction bit', () => {
    assert.deepEqual(rspUdFlags(0x08), { acd: false, dfc: false });
    assert.deepEqual(rspUdFlags(0x18), { acd: false, dfc: true });
    assert.deepEqual(rspUdFlags(0x28), { acd: true, dfc: false });
    assert.deepEqual(rspUdFlags(0x38), { acd: true, dfc: true });
    for (const c of Object.values(Control)) assert.equal(isFromMaster(c), c !== Control.RSP_UD, `C ${c.toString(16)}`);
    assert.equal(Control.REQ_UD2_FCB, Control.REQ_UD2 | 0x20);
    assert.equal(Control.SND_UD_FCB, Control.SND_UD | 0x20);
  });
});
