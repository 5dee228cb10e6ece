/**
 * KMP logger command CID 0xB8 of the MULTICAL 603 generation (kmp-loggers.md, "CID 0xB8"):
 * subcommands 05 GetConfiguration, 06 GetLogIDPastAbs and 07 GetLogLastEntryPastAbs, their requests and
 * replies as APL data after the CID (wrap with `encodeFrame({ cid: CID_LOGGER, data })`). Names of
 * subcommands, logger types and flags are the PyKMP fork's. All integers are big-endian. The 06/07 replies
 * are decoded in logger-readout.ts.
 */
import { KmpError } from './errors.js';
import { ByteReader, checkSub, uint } from './logger-bytes.js';

export { CID_LOGGER } from './app.js';

export const LoggerSub = {
  GetConfiguration: 0x05,
  GetLogIDPastAbs: 0x06,
  GetLogLastEntryPastAbs: 0x07,
  /** Name only: no layout is public. */
  GetLogID: 0x08,
  /** Name only: no layout is public. */
  GetLogNextFormat: 0x09,
} as const;

/** The TYPE byte. The fork's names are in LOGGER_TYPE_NAMES. */
export const LoggerType = {
  config: 0,
  info: 1,
  yearly: 2,
  monthly: 3,
  daily: 4,
  hourly: 5,
  minute1: 6,
  minute2: 7,
  swDownloadSuccess: 8,
  swDownloadAudit: 9,
} as const;
export type LoggerTypeName = keyof typeof LoggerType;

export const LOGGER_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'CONFIG',
  1: 'INFO',
  2: 'INTERVAL_YEAR',
  3: 'INTERVAL_MONTH',
  4: 'INTERVAL_DAY',
  5: 'INTERVAL_HOUR',
  6: 'INTERVAL_MIN1',
  7: 'INTERVAL_MIN2',
  8: 'SW_DOWNLOAD_SUCCESS',
  9: 'SW_DOWNLOAD_AUDIT',
};

/** Info flags of a log readout reply (16 bits at offset 13). Bit 2, 10–12, 14, 15 are reserved: shown as BIT_n. */
export const LogInfoFlag = {
  NO_LOG_ENTRIES: 0x0001,
  OUT_OF_RANGE: 0x0002,
  UNSUPPORTED_REGISTER: 0x0008,
  TRUNCATED_ENTRIES: 0x0010,
  FORMAT_CHANGED: 0x0020,
  TAIL_INCLUDED: 0x0040,
  HEAD_INCLUDED: 0x0080,
  MEMORY_ERROR: 0x0100,
  INVALID_REQUEST: 0x0200,
  TRUNCATED_REGISTERS: 0x2000,
} as const;

// ---- requests ----

export type LoggerRequest =
  | { sub: typeof LoggerSub.GetConfiguration; type: number }
  | { sub: typeof LoggerSub.GetLogIDPastAbs; type: number; logId: number; count: number; registers: readonly number[] }
  | { sub: typeof LoggerSub.GetLogLastEntryPastAbs; type: number; offset: number; count: number; registers: readonly number[] };

export function encodeGetConfigurationRequest(type: number): Uint8Array {
  return encodeLoggerRequest({ sub: LoggerSub.GetConfiguration, type });
}

/** Entries logId, logId − 1, … (at most `count`) of the given registers. */
export function encodeGetLogIdPastAbsRequest(r: { type: number; logId: number; count: number; registers: readonly number[] }): Uint8Array {
  return encodeLoggerRequest({ sub: LoggerSub.GetLogIDPastAbs, ...r });
}

/** Counted back `offset` entries from the newest; the fork sends offset 0xFFFF, count 1 to learn the id range. */
export function encodeGetLogLastEntryPastAbsRequest(r: {
  type: number;
  offset: number;
  count: number;
  registers: readonly number[];
}): Uint8Array {
  return encodeLoggerRequest({ sub: LoggerSub.GetLogLastEntryPastAbs, ...r });
}

export function encodeLoggerRequest(r: LoggerRequest): Uint8Array {
  const out = [r.sub, ...uint(r.type, 1, 'logger type')];
  if (r.sub === LoggerSub.GetConfiguration) return Uint8Array.from(out);
  if (r.sub === LoggerSub.GetLogIDPastAbs) out.push(...uint(r.logId, 4, 'log id'));
  else out.push(...uint(r.offset, 2, 'offset'));
  if (r.count < 1) throw new KmpError('KMP_BAD_REQUEST', `count ${r.count}: at least 1 entry must be asked`);
  out.push(...uint(r.count, 2, 'count'));
  if (r.registers.length < 1 || r.registers.length > 0xff) {
    throw new KmpError('KMP_BAD_REQUEST', `a log readout takes 1 to 255 registers, not ${r.registers.length}`);
  }
  out.push(r.registers.length);
  for (const id of r.registers) out.push(...uint(id, 2, 'register id'));
  return Uint8Array.from(out);
}

/** For the simulator: the request a client sent (APL after the CID). */
export function decodeLoggerRequest(data: Uint8Array): LoggerRequest {
  const rd = new ByteReader(data, 'logger request', 'KMP_BAD_REQUEST');
  const sub = rd.u8('subcommand');
  const type = rd.u8('logger type');
  let req: LoggerRequest;
  if (sub === LoggerSub.GetConfiguration) {
    req = { sub, type };
  } else if (sub === LoggerSub.GetLogIDPastAbs || sub === LoggerSub.GetLogLastEntryPastAbs) {
    const at = sub === LoggerSub.GetLogIDPastAbs ? rd.u32('log id') : rd.u16('offset');
    const count = rd.u16('count');
    const registers: number[] = [];
    for (let n = rd.u8('register count'); n > 0; n--) registers.push(rd.u16('register id'));
    req = sub === LoggerSub.GetLogIDPastAbs ? { sub, type, logId: at, count, registers } : { sub, type, offset: at, count, registers };
  } else {
    throw new KmpError('KMP_BAD_REQUEST', `logger subcommand ${sub} has no known layout`, { actual: sub });
  }
  rd.end();
  return req;
}

// ---- GetConfiguration reply ----

/** Fields of the configuration reply that are not understood, under the fork's names (kept raw). */
export interface LoggerConfigurationRaw {
  date1Format: number;
  /** Two raw bytes as one number; the yearly capture `01 01` reads as month 1, day 1 (interpretation). */
  date1: number;
  date2Format: number;
  date2: number;
  maxIntervalRecordsFormat: number;
  maxIntervalRecords: number;
  intervalFormat: number;
  interval: number;
}

export interface LoggerConfiguration {
  type: number;
  /** Entries the logger keeps. */
  depth: number;
  /** The registers this logger stores, in the meter's order. */
  registers: number[];
  raw: LoggerConfigurationRaw;
}

/** Exactly 15 + 2n bytes after the CID, as the fork's decoder demands. */
export function decodeConfigurationReply(data: Uint8Array): LoggerConfiguration {
  const rd = new ByteReader(data, 'GetConfiguration reply');
  checkSub(rd.u8('subcommand'), [LoggerSub.GetConfiguration]);
  const type = rd.u8('logger type');
  const raw: LoggerConfigurationRaw = {
    date1Format: rd.u8('date1 format'),
    date1: rd.u16('date1'),
    date2Format: rd.u8('date2 format'),
    date2: rd.u16('date2'),
    maxIntervalRecordsFormat: rd.u8('max interval records format'),
    maxIntervalRecords: rd.u8('max interval records'),
    intervalFormat: rd.u8('interval format'),
    interval: rd.u8('interval'),
  };
  const depth = rd.u16('depth');
  const n = rd.u8('register count');
  if (rd.remaining !== 2 * n) {
    throw new KmpError('KMP_BAD_REPLY', `GetConfiguration reply lists ${n} registers: ${15 + 2 * n} bytes expected`, {
      expected: `${15 + 2 * n} data bytes`,
      actual: `${data.length} data bytes`,
    });
  }
  const registers: number[] = [];
  for (let i = 0; i < n; i++) registers.push(rd.u16('register id'));
  return { type, depth, registers, raw };
}

export function encodeConfigurationReply(c: LoggerConfiguration): Uint8Array {
  const r = c.raw;
  if (c.registers.length > 0xff) throw new KmpError('KMP_BAD_REPLY', `${c.registers.length} registers do not fit a count byte`);
  const out = [LoggerSub.GetConfiguration, ...uint(c.type, 1, 'logger type', 'KMP_BAD_REPLY')];
  out.push(...uint(r.date1Format, 1, 'date1 format', 'KMP_BAD_REPLY'), ...uint(r.date1, 2, 'date1', 'KMP_BAD_REPLY'));
  out.push(...uint(r.date2Format, 1, 'date2 format', 'KMP_BAD_REPLY'), ...uint(r.date2, 2, 'date2', 'KMP_BAD_REPLY'));
  out.push(...uint(r.maxIntervalRecordsFormat, 1, 'max interval records format', 'KMP_BAD_REPLY'));
  out.push(...uint(r.maxIntervalRecords, 1, 'max interval records', 'KMP_BAD_REPLY'));
  out.push(...uint(r.intervalFormat, 1, 'interval format', 'KMP_BAD_REPLY'), ...uint(r.interval, 1, 'interval', 'KMP_BAD_REPLY'));
  out.push(...uint(c.depth, 2, 'depth', 'KMP_BAD_REPLY'), c.registers.length);
  for (const id of c.registers) out.push(...uint(id, 2, 'register id', 'KMP_BAD_REPLY'));
  return Uint8Array.from(out);
}
