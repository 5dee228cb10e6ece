/**
 * KMP GetLog commands A0–A3 of Kamstrup 5512-447 §6.3 (MULTICAL 601 logger modules at 0x7F/0xBF and the
 * MULTICAL 801 logger; kmp-loggers.md, "A0–A3"): requests and the common reply, as APL data after the CID.
 * Every record of a reply carries its record id; the first holds full register records, later ones only
 * values. If any INFO bit is set only the CID and INFO are guaranteed, so INFO (the last byte) is read first.
 */
import type { RegisterRecord } from './app.js';
import { KmpError, type KmpErrorCode } from './errors.js';
import {
  ByteReader,
  firstEntryBytes,
  flagNames,
  formatOf,
  laterEntryBytes,
  uint,
  type LogRegisterFormat,
  type LogValue,
} from './logger-bytes.js';
import type { DateTimeFields } from './logger-time.js';

export const GetLogCid = {
  GetLogTimePresent: 0xa0,
  GetLogLastPresent: 0xa1,
  GetLogIDPresent: 0xa2,
  GetLogTimePast: 0xa3,
} as const;
export type GetLogCidValue = (typeof GetLogCid)[keyof typeof GetLogCid];

/** INFO byte of a GetLog reply (1 = error). Bits 1 and 5–7 are unused: shown as BIT_n. */
export const GetLogInfoFlag = {
  LOG_EMPTY: 0x01,
  OUT_OF_RANGE: 0x04,
  MAX_LENGTH_REACHED: 0x08,
  END_OF_LOG_REACHED: 0x10,
} as const;

/** The 8-byte search time; fields binary, weekday and info "not used" (0). */
export interface GetLogTime extends DateTimeFields {
  weekday?: number;
  info?: number;
}

/**
 * Wire order of the 8 time bytes. 5512-447 disagrees with itself and kmp-loggers.md calls it NOT SETTLED:
 * - 'year-last':  Info WK ss mm hh DD MM YY — the command examples of §6.3.1 and §6.3.4 (the default here);
 * - 'year-first': YY MM DD hh mm ss WK Info — the table of §4.3 (also what the flowIQ 2200 attempt sent).
 * Prefer A2 (by record id), which needs no time; test A0/A3 on hardware with both orders.
 */
export type TimeByteOrder = 'year-last' | 'year-first';
export const DEFAULT_TIME_ORDER: TimeByteOrder = 'year-last';

interface GetLogCommon {
  /** LID: the log within the device (01 = interval log in 5512-447). */
  lid: number;
  /** Reg IDs, 1–8. */
  registers: readonly number[];
  /** NRcs: records wanted. */
  records: number;
  /** MaxL: largest reply APL (CID … INFO) the client accepts. */
  maxLength: number;
}

export type GetLogRequest =
  | ({ cid: typeof GetLogCid.GetLogTimePresent; time: GetLogTime } & GetLogCommon)
  | ({ cid: typeof GetLogCid.GetLogLastPresent } & GetLogCommon)
  | ({ cid: typeof GetLogCid.GetLogIDPresent; recordId: number } & GetLogCommon)
  | ({ cid: typeof GetLogCid.GetLogTimePast; time: GetLogTime; recordOffset: number } & GetLogCommon);

export const MAX_GETLOG_REGISTERS = 8;

export function encodeGetLogTime(t: GetLogTime, order: TimeByteOrder = DEFAULT_TIME_ORDER): number[] {
  const field = (v: number, lo: number, hi: number, what: string): number => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new KmpError('KMP_BAD_REQUEST', `${what} ${v} is not between ${lo} and ${hi}`);
    return v;
  };
  const yearFirst = [
    field(t.year, 2000, 2255, 'year') - 2000,
    field(t.month, 1, 12, 'month'),
    field(t.day, 1, 31, 'day'),
    field(t.hour, 0, 23, 'hour'),
    field(t.minute, 0, 59, 'minute'),
    field(t.second, 0, 59, 'second'),
    field(t.weekday ?? 0, 0, 255, 'weekday'),
    field(t.info ?? 0, 0, 255, 'time info'),
  ];
  return order === 'year-first' ? yearFirst : yearFirst.reverse();
}

export function decodeGetLogTime(bytes: Uint8Array, order: TimeByteOrder = DEFAULT_TIME_ORDER): GetLogTime {
  if (bytes.length !== 8) throw new KmpError('KMP_BAD_REQUEST', `a GetLog time has 8 bytes, not ${bytes.length}`);
  const b = order === 'year-first' ? [...bytes] : [...bytes].reverse();
  const [yy, month, day, hour, minute, second, weekday, info] = b as [number, number, number, number, number, number, number, number];
  const t = { year: 2000 + yy, month, day, hour, minute, second, weekday, info };
  encodeGetLogTime(t, order); // the same range checks as the encoder
  return t;
}

/** APL data after the CID; the frame's CID is `req.cid`, its address 0x7F or 0xBF. */
export function encodeGetLogRequest(req: GetLogRequest, order: TimeByteOrder = DEFAULT_TIME_ORDER): Uint8Array {
  if (req.registers.length < 1 || req.registers.length > MAX_GETLOG_REGISTERS) {
    throw new KmpError('KMP_BAD_REQUEST', `GetLog takes 1 to ${MAX_GETLOG_REGISTERS} registers, not ${req.registers.length}`);
  }
  const out = [...uint(req.lid, 1, 'LID'), req.registers.length];
  for (const id of req.registers) out.push(...uint(id, 2, 'register id'));
  if (req.records < 1) throw new KmpError('KMP_BAD_REQUEST', `NRcs ${req.records}: at least 1 record must be asked`);
  out.push(...uint(req.records, 1, 'NRcs'), ...uint(req.maxLength, 1, 'MaxL'));
  if (req.cid === GetLogCid.GetLogTimePresent) out.push(...encodeGetLogTime(req.time, order));
  else if (req.cid === GetLogCid.GetLogIDPresent) out.push(...uint(req.recordId, 2, 'RecIDReq'));
  else if (req.cid === GetLogCid.GetLogTimePast) out.push(...encodeGetLogTime(req.time, order), ...uint(req.recordOffset, 2, 'RecIDOff'));
  else if (req.cid !== GetLogCid.GetLogLastPresent) throw notGetLog(req, 'KMP_BAD_REQUEST');
  return Uint8Array.from(out);
}

/** For the simulator: the request a client sent to CID `cid` (APL data after the CID). */
export function decodeGetLogRequest(cid: number, data: Uint8Array, order: TimeByteOrder = DEFAULT_TIME_ORDER): GetLogRequest {
  const rd = new ByteReader(data, 'GetLog request', 'KMP_BAD_REQUEST');
  const lid = rd.u8('LID');
  const n = rd.u8('NRgs');
  if (n < 1 || n > MAX_GETLOG_REGISTERS) throw new KmpError('KMP_BAD_REQUEST', `GetLog request names ${n} registers, 1 to 8 allowed`);
  const registers: number[] = [];
  for (let i = 0; i < n; i++) registers.push(rd.u16('register id'));
  const common = { lid, registers, records: rd.u8('NRcs'), maxLength: rd.u8('MaxL') };
  if (common.records < 1) throw new KmpError('KMP_BAD_REQUEST', 'GetLog request asks for 0 records');
  let req: GetLogRequest;
  if (cid === GetLogCid.GetLogTimePresent) req = { cid, ...common, time: decodeGetLogTime(rd.bytes(8, 'time'), order) };
  else if (cid === GetLogCid.GetLogLastPresent) req = { cid, ...common };
  else if (cid === GetLogCid.GetLogIDPresent) req = { cid, ...common, recordId: rd.u16('RecIDReq') };
  else if (cid === GetLogCid.GetLogTimePast) {
    const time = decodeGetLogTime(rd.bytes(8, 'time'), order);
    req = { cid, ...common, time, recordOffset: rd.u16('RecIDOff') };
  } else throw notGetLog({ cid }, 'KMP_BAD_REQUEST');
  rd.end();
  return req;
}

function notGetLog(r: { cid: number }, code: KmpErrorCode): KmpError {
  return new KmpError(code, `CID ${r.cid} is not a GetLog command (A0–A3)`, { expected: 'A0|A1|A2|A3', actual: r.cid });
}

export function isGetLogCid(cid: number): cid is GetLogCidValue {
  return cid >= GetLogCid.GetLogTimePresent && cid <= GetLogCid.GetLogTimePast;
}

// ---- reply ----

export interface GetLogRecord {
  recordId: number;
  /** One register record per returned register; unit, NoB and SIEX are the first record's. */
  records: RegisterRecord[];
}

export interface GetLogBody {
  lid: number;
  /** NRtR: registers returned (requested ones the log lacks are left out). */
  registerCount: number;
  registers: LogRegisterFormat[];
  /** In wire order: ascending for A0–A2, descending for A3. */
  records: GetLogRecord[];
  /** LRORecID: id of the last record in this reply. */
  lastRecordId: number;
  /** NewRecID: id of the newest record in the log. */
  newestRecordId: number;
}

export interface GetLogReply {
  cid: number;
  info: number;
  flags: string[];
  /** Always there when INFO is 0; with any INFO bit set, only when the rest happens to parse. */
  body: GetLogBody | undefined;
}

/** A GetLog reply: the frame's CID and its data (LID NRtR records… LRORecID NewRecID INFO). */
export function decodeGetLogReply(cid: number, data: Uint8Array): GetLogReply {
  if (!isGetLogCid(cid)) throw notGetLog({ cid }, 'KMP_COMMAND');
  const info = data[data.length - 1];
  if (info === undefined) throw new KmpError('KMP_BAD_REPLY', 'GetLog reply without the INFO byte', { expected: 'INFO', actual: data });
  const flags = flagNames(info, GetLogInfoFlag, 8);
  if (info === 0) return { cid, info, flags, body: decodeGetLogBody(data) };
  try {
    return { cid, info, flags, body: decodeGetLogBody(data) };
  } catch (e) {
    if (e instanceof KmpError) return { cid, info, flags, body: undefined };
    throw e;
  }
}

function decodeGetLogBody(data: Uint8Array): GetLogBody {
  if (data.length < 7) {
    throw new KmpError('KMP_BAD_REPLY', `GetLog reply of ${data.length} data bytes: at least 7 needed`, {
      expected: 'at least 7 data bytes',
      actual: `${data.length} data bytes`,
    });
  }
  const rd = new ByteReader(data.subarray(0, data.length - 5), 'GetLog reply');
  const lid = rd.u8('LID');
  const registerCount = rd.u8('NRtR');
  const records: GetLogRecord[] = [];
  const registers: LogRegisterFormat[] = [];
  if (rd.remaining > 0) {
    const recordId = rd.u16('RecID 1');
    const first: RegisterRecord[] = [];
    for (let i = 0; i < registerCount; i++) first.push(rd.record(`record 1 register ${i + 1}`));
    registers.push(...first.map(formatOf));
    records.push({ recordId, records: first });
    const per = 2 + registers.reduce((a, f) => a + f.length, 0);
    if (rd.remaining % per !== 0) {
      const expected = data.length - (rd.remaining % per);
      throw new KmpError('KMP_BAD_REPLY', `GetLog reply: later records of ${per} bytes do not fill the ${rd.remaining} left`, {
        expected: `${expected} or ${expected + per} data bytes`,
        actual: `${data.length} data bytes`,
      });
    }
    while (rd.remaining > 0) {
      const id = rd.u16(`RecID ${records.length + 1}`);
      records.push({ recordId: id, records: registers.map((f) => rd.mantissaOf(f, `record ${records.length + 1} register ${f.id}`)) });
    }
  }
  const trailer = data.subarray(data.length - 5);
  const u16 = (i: number): number => ((trailer[i] as number) << 8) | (trailer[i + 1] as number);
  return { lid, registerCount, registers, records, lastRecordId: u16(0), newestRecordId: u16(2) };
}

/** What the simulator sends (data after the CID); NRtR is registers.length, or registerCount with no records. */
export interface GetLogReplyInput {
  lid: number;
  registers: readonly LogRegisterFormat[];
  records: ReadonlyArray<{ recordId: number; values: readonly LogValue[] }>;
  lastRecordId: number;
  newestRecordId: number;
  info: number;
  registerCount?: number;
}

export function encodeGetLogReply(r: GetLogReplyInput): Uint8Array {
  const n = r.records.length === 0 ? (r.registerCount ?? r.registers.length) : r.registers.length;
  if (r.records.length > 0 && r.registerCount !== undefined && r.registerCount !== n) {
    throw new KmpError('KMP_BAD_REPLY', `registerCount ${r.registerCount} but ${n} register formats`);
  }
  const out = [...uint(r.lid, 1, 'LID', 'KMP_BAD_REPLY'), ...uint(n, 1, 'NRtR', 'KMP_BAD_REPLY')];
  r.records.forEach((rec, k) => {
    const what = `GetLog record ${k + 1}`;
    out.push(...uint(rec.recordId, 2, 'RecID', 'KMP_BAD_REPLY'));
    out.push(...(k === 0 ? firstEntryBytes(r.registers, rec.values, what) : laterEntryBytes(r.registers, rec.values, what)));
  });
  out.push(...uint(r.lastRecordId, 2, 'LRORecID', 'KMP_BAD_REPLY'), ...uint(r.newestRecordId, 2, 'NewRecID', 'KMP_BAD_REPLY'));
  out.push(...uint(r.info, 1, 'INFO', 'KMP_BAD_REPLY'));
  return Uint8Array.from(out);
}

/** The encoder's input that gives back the bytes a body was decoded from. */
export function getLogBodyToReply(body: GetLogBody, info: number): GetLogReplyInput {
  return {
    lid: body.lid,
    registers: body.registers,
    registerCount: body.registerCount,
    records: body.records.map((r) => ({ recordId: r.recordId, values: r.records.map((x) => x.mantissa) })),
    lastRecordId: body.lastRecordId,
    newestRecordId: body.newestRecordId,
    info,
  };
}
