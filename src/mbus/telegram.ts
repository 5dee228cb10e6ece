/**
 * A whole RSP_UD telegram: link layer (link.ts), CI and header (header.ts), records (records.ts) and their
 * KMP registers (registers.ts) — EN 13757-2/-3 as mbus-protocol.md §2–8 describe them. A frame that is not a
 * frame, not a telegram, or has an unknown CI or a cut-off header is refused with an MbusError; anything
 * else is decoded as far as it goes, with what went wrong in `problems`.
 */

import { MbusError, hexByte } from './errors.js';
import { decodeApplicationHead, type MbusHeader, type MbusShortHeader } from './header.js';
import { decodeFrame, isFromMaster, isRspUd, type MbusFrame } from './link.js';
import { decodeRecords, type MbusRecord } from './records.js';
import { assignRegisters } from './registers.js';

export interface MbusTelegram {
  ci: number;
  /** The 12-byte header of CI 0x72 / 0x76. */
  header?: MbusHeader;
  /** The 4-byte header of CI 0x7A. */
  shortHeader?: MbusShortHeader;
  /** CI 0x70: the slave reports an application error instead of data. */
  applicationError?: { code: number; message: string };
  address: number;
  control: number;
  records: MbusRecord[];
  /** The telegram ended with DIF 1F: ask again (REQ_UD2, FCB toggled) for the next one. */
  moreFollows: boolean;
  /** The bytes after DIF 0F / 1F, in wire order. */
  manufacturerData?: Uint8Array;
  problems: string[];
}

export interface DecodeOptions {
  /** For telegrams without a long header (CI 0x78, 0x7A): the manufacturer the link layer named. */
  manufacturer?: string;
}

/** Decodes the bytes of one long frame (or an already decoded frame) as a slave's telegram. */
export function decodeTelegram(input: Uint8Array | MbusFrame, options: DecodeOptions = {}): MbusTelegram {
  const frame = input instanceof Uint8Array ? decodeFrame(input) : input;
  if (frame.kind === 'ack' || frame.kind === 'short') {
    throw new MbusError('MBUS_NOT_TELEGRAM', `${frame.kind === 'ack' ? 'an E5 acknowledgement' : 'a short frame'} carries no telegram`);
  }
  if (isFromMaster(frame.control)) {
    throw new MbusError('MBUS_NOT_TELEGRAM', `C ${hexByte(frame.control)} is a frame from the master, not a slave's telegram`, {
      actual: frame.control,
    });
  }
  const data = frame.kind === 'long' ? frame.data : new Uint8Array(0);
  const head = decodeApplicationHead(frame.ci, data);
  const problems = [...head.problems];
  if (!isRspUd(frame.control)) problems.push(`C ${hexByte(frame.control)} is not RSP_UD (08, 18, 28 or 38)`);
  const recs = decodeRecords(data.subarray(head.recordsStart), {
    manufacturer: head.header?.manufacturer ?? options.manufacturer,
    msbFirst: head.msbFirst,
  });
  problems.push(...recs.problems);
  return {
    ci: frame.ci,
    ...(head.header ? { header: head.header } : {}),
    ...(head.shortHeader ? { shortHeader: head.shortHeader } : {}),
    ...(head.applicationError ? { applicationError: head.applicationError } : {}),
    address: frame.address,
    control: frame.control,
    records: assignRegisters(recs.records),
    moreFollows: recs.moreFollows,
    ...(recs.manufacturerData ? { manufacturerData: recs.manufacturerData } : {}),
    problems,
  };
}
