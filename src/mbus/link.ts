/**
 * M-Bus data link layer (EN 13757-2, the FT1.2 format of IEC 60870-5-2; mbus-protocol.md §2):
 *
 *   single character   E5
 *   short frame        10 C A CS 16
 *   control frame      68 03 03 68 C A CI CS 16
 *   long frame         68 L L 68 C A CI data… CS 16
 *
 * L counts C, A, CI and the data (3 … 255); CS is the sum modulo 256 of C … last data byte. Also the
 * C-field constants and the master frames a client sends (secondary selection is in secondary.ts).
 */

import { MbusError, hexByte, hexContext, type MbusErrorCode } from './errors.js';

export const ACK = 0xe5;
export const START_SHORT = 0x10;
export const START_LONG = 0x68;
export const STOP = 0x16;
export const MAX_L = 255;
/** L − 3: C, A and CI are counted in L. */
export const MAX_DATA_LENGTH = MAX_L - 3;

/** C-field values (bit 6 = from the master, bit 5 = FCB, bit 4 = FCV). */
export const Control = {
  SND_NKE: 0x40,
  SND_UD: 0x53,
  SND_UD_FCB: 0x73,
  REQ_UD1: 0x5a,
  REQ_UD1_FCB: 0x7a,
  REQ_UD2: 0x5b,
  REQ_UD2_FCB: 0x7b,
  RSP_UD: 0x08,
} as const;

export const ControlBit = {
  /** Set in every frame from the master, clear in every frame from a slave. */
  MASTER: 0x40,
  /** From the master: frame count bit; from a slave: ACD, access demand (class 1 data waiting). */
  FCB: 0x20,
  ACD: 0x20,
  /** From the master: FCB valid; from a slave: DFC, data flow control (cannot take more data). */
  FCV: 0x10,
  DFC: 0x10,
} as const;

export const Address = {
  UNCONFIGURED: 0,
  /** The slave selected by secondary address. */
  NETWORK: 0xfd,
  /** Broadcast, every slave answers (only with a single slave on the bus). */
  BROADCAST_REPLY: 0xfe,
  /** Broadcast, no slave answers. */
  BROADCAST: 0xff,
} as const;

/** CI codes of the master frames built here (the slave's CIs are in header.ts). */
export const MasterCi = {
  APPLICATION_RESET: 0x50,
  DATA_SEND: 0x51,
  SELECT: 0x52,
  /** 0xB8 … 0xBF = 300 … 38400 Bd. */
  BAUD_300: 0xb8,
} as const;

export const BAUD_RATES: readonly number[] = [300, 600, 1200, 2400, 4800, 9600, 19200, 38400];

export type MbusFrame =
  | { kind: 'ack' }
  | { kind: 'short'; control: number; address: number }
  | { kind: 'control'; control: number; address: number; ci: number }
  | { kind: 'long'; control: number; address: number; ci: number; data: Uint8Array };

/** A slave's reply: `(C & 0xCF) === 0x08`, whatever its ACD and DFC bits. */
export function isRspUd(control: number): boolean {
  return (control & 0xcf) === Control.RSP_UD;
}

export function isFromMaster(control: number): boolean {
  return (control & ControlBit.MASTER) !== 0;
}

export function rspUdFlags(control: number): { acd: boolean; dfc: boolean } {
  return { acd: (control & ControlBit.ACD) !== 0, dfc: (control & ControlBit.DFC) !== 0 };
}

export function reqUd2Control(fcb: boolean): number {
  return fcb ? Control.REQ_UD2_FCB : Control.REQ_UD2;
}

/** Sum modulo 256 of bytes[from] … bytes[to − 1]. */
export function checksum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i] ?? 0;
  return sum & 0xff;
}

export type FrameCheck =
  | { status: 'ok'; length: number }
  | { status: 'incomplete'; length: number | undefined }
  | { status: 'bad'; code: MbusErrorCode; message: string; expected?: number; actual?: number };

/**
 * Is there a whole, correct frame at buf[start], looking no further than buf[end − 1]? Checks on content
 * only: start byte, L, second L, second 68, length, checksum, stop byte. `incomplete` says how long the
 * frame will be once its length is known.
 */
export function checkFrameAt(buf: Uint8Array, start = 0, end = buf.length): FrameCheck {
  const avail = end - start;
  const at = (i: number): number => buf[start + i] ?? 0;
  if (avail < 1) return { status: 'incomplete', length: undefined };
  const first = at(0);
  if (first === ACK) return { status: 'ok', length: 1 };
  if (first === START_SHORT) return checkBody(at, avail, 5, 1, 3);
  if (first !== START_LONG) {
    return { status: 'bad', code: 'MBUS_BAD_START', message: `${hexByte(first)} is not a start byte (E5, 10 or 68)`, actual: first };
  }
  if (avail < 2) return { status: 'incomplete', length: undefined };
  const l = at(1);
  if (l < 3) return { status: 'bad', code: 'MBUS_LENGTH', message: `L = ${l}: at least 3 (C, A, CI)`, actual: l };
  if (avail >= 3 && at(2) !== l) return bad('MBUS_LENGTH', `the two L bytes differ: ${hexByte(l)} and ${hexByte(at(2))}`, l, at(2));
  if (avail >= 4 && at(3) !== START_LONG) return bad('MBUS_BAD_START', `${hexByte(at(3))} after L L, 68 expected`, START_LONG, at(3));
  return checkBody(at, avail, l + 6, 4, 4 + l);
}

/** Checksum over at(from) … at(csAt − 1), checksum byte at csAt, stop byte after it. */
function checkBody(at: (i: number) => number, avail: number, length: number, from: number, csAt: number): FrameCheck {
  if (avail < length) return { status: 'incomplete', length };
  let sum = 0;
  for (let i = from; i < csAt; i++) sum += at(i);
  sum &= 0xff;
  if (at(csAt) !== sum) return bad('MBUS_CHECKSUM', `checksum ${hexByte(at(csAt))}, ${hexByte(sum)} expected`, sum, at(csAt));
  const stop = at(csAt + 1);
  if (stop !== STOP) return bad('MBUS_BAD_STOP', `${hexByte(stop)} where the stop byte 16 belongs`, STOP, stop);
  return { status: 'ok', length };
}

function bad(code: MbusErrorCode, message: string, expected: number, actual: number): FrameCheck {
  return { status: 'bad', code, message, expected, actual };
}

/** Decodes exactly one whole frame; anything else is an MbusError naming what is wrong. */
export function decodeFrame(bytes: Uint8Array): MbusFrame {
  if (bytes.length === 0) throw new MbusError('MBUS_EMPTY', 'no bytes: not an M-Bus frame');
  const check = checkFrameAt(bytes);
  if (check.status === 'bad') {
    throw new MbusError(check.code, `${check.message} in ${hexContext(bytes)}`, {
      ...(check.expected === undefined ? {} : { expected: check.expected }),
      ...(check.actual === undefined ? {} : { actual: check.actual }),
    });
  }
  if (check.status === 'incomplete') {
    const need = check.length === undefined ? 'more' : String(check.length);
    throw new MbusError('MBUS_LENGTH', `frame cut short: ${bytes.length} bytes, ${need} needed: ${hexContext(bytes)}`, { actual: bytes });
  }
  if (check.length !== bytes.length) {
    throw new MbusError('MBUS_LENGTH', `${bytes.length - check.length} bytes after the end of the frame: ${hexContext(bytes)}`, {
      actual: bytes.subarray(check.length),
    });
  }
  const b = (i: number): number => bytes[i] ?? 0;
  if (bytes.length === 1) return { kind: 'ack' };
  if (b(0) === START_SHORT) return { kind: 'short', control: b(1), address: b(2) };
  if (b(1) === 3) return { kind: 'control', control: b(4), address: b(5), ci: b(6) };
  return { kind: 'long', control: b(4), address: b(5), ci: b(6), data: bytes.slice(7, bytes.length - 2) };
}

/** Encodes a frame. A long frame with no data is a control frame (L = 3) and decodes as one. */
export function encodeFrame(frame: MbusFrame): Uint8Array {
  if (frame.kind === 'ack') return Uint8Array.of(ACK);
  const c = byteArg('C field', frame.control);
  const a = byteArg('address', frame.address);
  if (frame.kind === 'short') return Uint8Array.of(START_SHORT, c, a, (c + a) & 0xff, STOP);
  const ci = byteArg('CI field', frame.ci);
  const data = frame.kind === 'long' ? frame.data : new Uint8Array(0);
  if (data.length > MAX_DATA_LENGTH) {
    throw new MbusError('MBUS_LENGTH', `${data.length} data bytes: a long frame carries at most ${MAX_DATA_LENGTH}`);
  }
  const l = data.length + 3;
  const out = new Uint8Array(l + 6);
  out.set([START_LONG, l, l, START_LONG, c, a, ci]);
  out.set(data, 7);
  out[l + 4] = checksum(out, 4, l + 4);
  out[l + 5] = STOP;
  return out;
}

export function byteArg(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new MbusError('MBUS_BAD_REQUEST', `${what} ${v} is not a byte (0–255)`);
  return v;
}

/** SND_NKE: link reset; the slave answers E5 and starts again at its first telegram. To FD it deselects. */
export function sndNke(address: number): Uint8Array {
  return encodeFrame({ kind: 'short', control: Control.SND_NKE, address });
}

/** REQ_UD2: ask for the reading. Toggle `fcb` after each good reply, keep it to have a lost reply repeated. */
export function reqUd2(address: number, fcb: boolean): Uint8Array {
  return encodeFrame({ kind: 'short', control: reqUd2Control(fcb), address });
}

function sndUd(address: number, ci: number, data: Uint8Array, fcb: boolean): Uint8Array {
  const control = fcb ? Control.SND_UD_FCB : Control.SND_UD;
  if (data.length === 0) return encodeFrame({ kind: 'control', control, address, ci });
  return encodeFrame({ kind: 'long', control, address, ci, data });
}

/** SND_UD with CI 0x50, no data or one subcode byte: `68 03 03 68 53 A 50 CS 16`. */
export function applicationReset(address: number, subcode?: number, fcb = false): Uint8Array {
  const data = subcode === undefined ? new Uint8Array(0) : Uint8Array.of(byteArg('subcode', subcode));
  return sndUd(address, MasterCi.APPLICATION_RESET, data, fcb);
}

/** SND_UD with CI 0x51 and the record `01 7A nn` (DIF 01, VIF 7A "bus address"). */
export function setPrimaryAddress(address: number, newAddress: number, fcb = false): Uint8Array {
  const n = byteArg('new primary address', newAddress);
  if (n > 250) throw new MbusError('MBUS_BAD_REQUEST', `primary address ${n}: only 0–250 can be given to a slave`);
  return sndUd(address, MasterCi.DATA_SEND, Uint8Array.of(0x01, 0x7a, n), fcb);
}

/** Control frame with CI 0xB8 … 0xBF; the slave answers E5 at the old rate, then listens at the new one. */
export function setBaudRate(address: number, baud: number, fcb = false): Uint8Array {
  const i = BAUD_RATES.indexOf(baud);
  if (i < 0) throw new MbusError('MBUS_BAD_REQUEST', `${baud} Bd is not one of ${BAUD_RATES.join(', ')}`);
  return sndUd(address, MasterCi.BAUD_300 + i, new Uint8Array(0), fcb);
}

/** SND_UD carrying records for the slave (CI 0x51), e.g. a clock setting. */
export function dataSend(address: number, records: Uint8Array, fcb = false): Uint8Array {
  return sndUd(address, MasterCi.DATA_SEND, records, fcb);
}

/** The SND_UD frame with CI 0x52 and the given 8 (or 14) selection bytes, to address FD. */
export function selectFrame(selection: Uint8Array, fcb = true): Uint8Array {
  return sndUd(Address.NETWORK, MasterCi.SELECT, selection, fcb);
}
