/**
 * KMP data link layer: one frame is START | stuffed(DST CID DATA… CRC_hi CRC_lo) | STOP.
 * Requests to the meter start with 0x80, replies from it with 0x40; 0x0D ends both.
 */
import { crc16 } from './crc.js';
import { KmpError } from './errors.js';
import { destuff, stuff } from './stuffing.js';

export const START_TO_METER = 0x80;
export const START_FROM_METER = 0x40;
export const STOP = 0x0d;
export const ACK = 0x06;
export const HEAT_METER_ADDRESS = 0x3f;
/** DST + CID + CRC_hi + CRC_lo */
export const MIN_BODY_LENGTH = 4;

export type Direction = 'toMeter' | 'fromMeter';

export interface Frame {
  direction: Direction;
  destination: number;
  cid: number;
  data: Uint8Array;
}

export function startByte(direction: Direction): number {
  return direction === 'toMeter' ? START_TO_METER : START_FROM_METER;
}

export function encodeFrame(frame: Frame): Uint8Array {
  const body = new Uint8Array(frame.data.length + 4);
  body[0] = frame.destination & 0xff;
  body[1] = frame.cid & 0xff;
  body.set(frame.data, 2);
  const crc = crc16(body, 0, body.length - 2);
  body[body.length - 2] = crc >> 8;
  body[body.length - 1] = crc & 0xff;
  const stuffed = stuff(body);
  const out = new Uint8Array(stuffed.length + 2);
  out[0] = startByte(frame.direction);
  out.set(stuffed, 1);
  out[out.length - 1] = STOP;
  return out;
}

/** Decodes one whole frame (start byte to stop byte) and checks its CRC. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const first = bytes[0];
  const direction: Direction | undefined = first === START_TO_METER ? 'toMeter' : first === START_FROM_METER ? 'fromMeter' : undefined;
  if (direction === undefined) {
    throw new KmpError('KMP_BAD_START', 'frame does not begin with a start byte (40 or 80)', {
      expected: '40|80',
      actual: first ?? '',
    });
  }
  const last = bytes[bytes.length - 1];
  if (bytes.length < 2 || last !== STOP) {
    throw new KmpError('KMP_BAD_STOP', 'frame does not end with the stop byte 0D', { expected: STOP, actual: last ?? '' });
  }
  const body = destuff(bytes.subarray(1, bytes.length - 1));
  if (body.length < MIN_BODY_LENGTH) {
    throw new KmpError('KMP_SHORT_FRAME', `frame body has ${body.length} bytes, at least ${MIN_BODY_LENGTH} needed`, {
      actual: body,
    });
  }
  const check = crc16(body);
  if (check !== 0) {
    const expected = crc16(body, 0, body.length - 2);
    throw new KmpError('KMP_CRC', 'frame CRC does not match', {
      expected: Uint8Array.of(expected >> 8, expected & 0xff),
      actual: body.subarray(body.length - 2),
    });
  }
  return {
    direction,
    destination: body[0] as number,
    cid: body[1] as number,
    data: body.slice(2, body.length - 2),
  };
}
