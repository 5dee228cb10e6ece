/**
 * KMP CID 0xB8 log readout replies, subcommands 06 GetLogIDPastAbs and 07 GetLogLastEntryPastAbs
 * (kmp-loggers.md, "Log readout reply"): header (E, N, first and newest log id, info flags), entry 0 as full
 * register records, entries 1 … E−1 as mantissas only, read with entry 0's unit, LEN and SIEX. Test
 * NO_LOG_ENTRIES before using entries: an empty logger answers E = 1 with a placeholder.
 */
import type { RegisterRecord } from './app.js';
import { KmpError } from './errors.js';
import { LogInfoFlag, LoggerSub } from './logger.js';
import {
  ByteReader,
  checkSub,
  firstEntryBytes,
  flagNames,
  formatOf,
  laterEntryBytes,
  uint,
  type LogRegisterFormat,
  type LogValue,
} from './logger-bytes.js';

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
    const expected = logReadoutDataLength(
      registers.map((f) => f.length),
      e,
    );
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
