import type { RegisterRecord } from './app.js';
import { KmpError } from './errors.js';
import {
  ByteReader,
  firstEntryBytes,
  formatOf,
  laterEntryBytes,
  uint,
  type LogRegisterFormat,
  type LogValue,
} from './logger-bytes.js';

/**
 * KMP logger command CID 0xB8 of the MULTICAL 603 generation (kmp-loggers.md, "CID 0xB8"):
 * subcommands 05 GetConfiguration, 06 GetLogIDPastAbs and 07 GetLogLastEntryPastAbs, their requests and
 * replies as APL data after the CID (wrap with `encodeFrame({ cid: CID_LOGGER, data })`). Names of
 * subcommands, logger types and flags are the PyKMP fork's. All integers are big-endian.
 */
export const CID_LOGGER = 0xb8;

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

/** Names of the set bits, lowest first; a bit without a name is `BIT_n`. */
export function flagNames(value: number, names: Readonly<Record<string, number>>, width: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < width; bit++) {
    const mask = 2 ** bit;
    if (Math.floor(value / mask) % 2 === 0) continue;
    out.push(Object.keys(names).find((n) => names[n] === mask) ?? `BIT_${bit}`);
  }
  return out;
}

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

function checkSub(sub: number, allowed: readonly number[]): void {
  if (!allowed.includes(sub)) {
    throw new KmpError('KMP_COMMAND', `logger reply echoes subcommand ${sub}, ${allowed.join(' or ')} expected`, {
      expected: Uint8Array.from(allowed),
      actual: sub,
    });
  }
}

// ---- log readout reply (06 and 07) ----

export interface LogEntry {
  /** Log id: entry k of a reply has (first log id − k). Key history on (serial, logger type, log id). */
  logId: number;
  /** One record per register, in the order of entry 0; unit, LEN and SIEX are entry 0's. */
  records: RegisterRecord[];
}

export interface LogReadout {
  sub: number;
  type: number;
  /** N of the header: registers per entry. */
  registerCount: number;
  /** Log id of entry 0, the newest entry in this reply. */
  firstLogId: number;
  /** Newest log id in the logger (describes the log, not this reply). */
  newestLogId: number;
  info: number;
  /** Names of the set info bits (LogInfoFlag names, BIT_n for reserved bits). */
  flags: string[];
  /** Unit, LEN and SIEX per register, from entry 0. */
  registers: LogRegisterFormat[];
  /** The entries to use: none when NO_LOG_ENTRIES is set, whatever the reply carries. */
  entries: LogEntry[];
  /**
   * Every entry on the wire, E of them. An empty logger sends a placeholder (E = 1, log id 0, mantissa 0);
   * placeholders of an empty logger may count below log id 0, real entries never do (that is an error).
   */
  wireEntries: LogEntry[];
}

/** Data length of a log readout reply: 15 + Σ(5 + LENᵢ) + (E − 1)·ΣLENᵢ, or 15 for E = 0. */
export function logReadoutDataLength(lengths: readonly number[], entries: number): number {
  if (entries === 0) return 15;
  const sum = lengths.reduce((a, b) => a + b, 0);
  return 15 + 5 * lengths.length + sum + (entries - 1) * sum;
}

export function decodeLogReadoutReply(data: Uint8Array): LogReadout {
  const rd = new ByteReader(data, 'log readout reply');
  const sub = rd.u8('subcommand');
  checkSub(sub, [LoggerSub.GetLogIDPastAbs, LoggerSub.GetLogLastEntryPastAbs]);
  const type = rd.u8('logger type');
  const e = rd.u16('entry count');
  const registerCount = rd.u8('register count');
  const firstLogId = rd.u32('first log id');
  const newestLogId = rd.u32('newest log id');
  const info = rd.u16('info');
  const empty = (info & LogInfoFlag.NO_LOG_ENTRIES) !== 0;
  if (!empty && e > 0 && firstLogId < e - 1) {
    throw new KmpError('KMP_BAD_REPLY', `log readout: ${e} entries counting down from log id ${firstLogId} go below 0`);
  }
  const registers: LogRegisterFormat[] = [];
  const wireEntries: LogEntry[] = [];
  if (e > 0) {
    const first: RegisterRecord[] = [];
    for (let i = 0; i < registerCount; i++) first.push(rd.record(`entry 0 record ${i}`));
    registers.push(...first.map(formatOf));
    const expected = logReadoutDataLength(registers.map((f) => f.length), e);
    if (data.length !== expected) {
      throw new KmpError('KMP_BAD_REPLY', `log readout of ${e} entries × ${registerCount} registers: ${expected} bytes expected`, {
        expected: `${expected} data bytes`,
        actual: `${data.length} data bytes`,
      });
    }
    wireEntries.push({ logId: firstLogId, records: first });
    for (let k = 1; k < e; k++) {
      wireEntries.push({ logId: firstLogId - k, records: registers.map((f) => rd.mantissaOf(f, `entry ${k} register ${f.id}`)) });
    }
  }
  rd.end();
  const flags = flagNames(info, LogInfoFlag, 16);
  return { sub, type, registerCount, firstLogId, newestLogId, info, flags, registers, entries: empty ? [] : wireEntries, wireEntries };
}

/** What the simulator sends; E = values.length. N is registers.length, or registerCount when E = 0. */
export interface LogReadoutReply {
  sub: number;
  type: number;
  firstLogId: number;
  newestLogId: number;
  info: number;
  registers: readonly LogRegisterFormat[];
  /** Per entry, newest first, one value per register (mantissa bytes or an exact value for the SIEX). */
  values: ReadonlyArray<readonly LogValue[]>;
  registerCount?: number;
}

export function encodeLogReadoutReply(r: LogReadoutReply): Uint8Array {
  checkSub(r.sub, [LoggerSub.GetLogIDPastAbs, LoggerSub.GetLogLastEntryPastAbs]);
  const n = r.values.length === 0 ? (r.registerCount ?? r.registers.length) : r.registers.length;
  if (r.values.length > 0 && r.registerCount !== undefined && r.registerCount !== n) {
    throw new KmpError('KMP_BAD_REPLY', `registerCount ${r.registerCount} but ${n} register formats`);
  }
  if ((r.info & LogInfoFlag.NO_LOG_ENTRIES) === 0 && r.values.length > 0 && r.firstLogId < r.values.length - 1) {
    throw new KmpError('KMP_BAD_REPLY', `${r.values.length} entries counting down from log id ${r.firstLogId} go below 0`);
  }
  const out = [r.sub, ...uint(r.type, 1, 'logger type', 'KMP_BAD_REPLY'), ...uint(r.values.length, 2, 'entry count', 'KMP_BAD_REPLY')];
  out.push(...uint(n, 1, 'register count', 'KMP_BAD_REPLY'));
  out.push(...uint(r.firstLogId, 4, 'first log id', 'KMP_BAD_REPLY'), ...uint(r.newestLogId, 4, 'newest log id', 'KMP_BAD_REPLY'));
  out.push(...uint(r.info, 2, 'info', 'KMP_BAD_REPLY'));
  r.values.forEach((values, k) => {
    const what = `log readout entry ${k}`;
    out.push(...(k === 0 ? firstEntryBytes(r.registers, values, what) : laterEntryBytes(r.registers, values, what)));
  });
  return Uint8Array.from(out);
}

/** The encoder's input that gives back the bytes a readout was decoded from. */
export function readoutToReply(r: LogReadout): LogReadoutReply {
  return {
    sub: r.sub,
    type: r.type,
    firstLogId: r.firstLogId,
    newestLogId: r.newestLogId,
    info: r.info,
    registers: r.registers,
    registerCount: r.registerCount,
    values: r.wireEntries.map((e) => e.records.map((rec) => rec.mantissa)),
  };
}
