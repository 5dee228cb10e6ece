/**
 * The simulated MULTICAL's own memory (kmp-loggers.md): yearly, monthly, daily and hourly loggers answered
 * with CID 0xB8 (GetConfiguration, GetLogIDPastAbs, GetLogLastEntryPastAbs) as a MULTICAL 603 would, or a
 * MULTICAL 601 logger top module at 0x7F answering GetLog A2 by record id. An entry is the register values
 * at the moment it was logged, from the same clock-driven generators as the current registers, so the
 * newest entry matches the registers of that moment and totals never decrease. The logs start at one
 * moment (log id 1 is the first interval boundary from there); moving that moment is a log reset.
 * A reply longer than the meter's buffer is cut to whole entries (TRUNCATED_ENTRIES), so clients page.
 */
import type { Decimal } from '../core/decimal.js';
import { LogInfoFlag, LoggerSub, LoggerType, decodeLoggerRequest, encodeConfigurationReply, type LoggerRequest } from '../kmp/logger.js';
import type { LogRegisterFormat, LogValue } from '../kmp/logger-bytes.js';
import { maxGetLogRecords } from '../kmp/logger-budget.js';
import { GetLogCid, GetLogInfoFlag, decodeGetLogRequest, encodeGetLogReply } from '../kmp/logger-getlog.js';
import { encodeLogReadoutReply } from '../kmp/logger-readout.js';
import { unitCode } from '../kmp/registers.js';
import { encodeValue } from '../kmp/value.js';
import type { Generator } from './kmp-registers.js';

export type LoggerModel = 'b8' | 'module' | 'none';

export interface LoggerSimOptions {
  /** b8 (default): a MULTICAL 603, CID 0xB8 at 0x3F; module: a 601 whose logger top module answers GetLog A2 at 0x7F; none. */
  model?: LoggerModel;
  /** The longest B8 log readout reply, in data bytes after the CID: the meter's reply buffer. */
  replyLimit?: number;
  /** When the logs started (ms since the epoch). */
  startMs?: number;
}

/** 2025-10-01T00:00:00Z: the simulated meter's logs start here (all its totals are positive from then on). */
export const LOG_START_MS = Date.UTC(2025, 9, 1);
export const DEFAULT_LOG_REPLY_LIMIT = 400;
export const LOGGER_MODULE_ADDRESS = 0x7f;
/** The GetLog log id of the module's interval log (5512-447 shows only LID 01). */
export const MODULE_LID = 1;
const DATETIME = 348;

/** Interval boundaries as whole indices: `floor(t)` is the last boundary at or before t (seconds). */
interface Calendar {
  floor(t: number): number;
  time(k: number): number;
}
const every = (s: number): Calendar => ({ floor: (t) => Math.floor(t / s), time: (k) => k * s });
const MONTHS: Calendar = {
  floor: (t) => {
    const d = new Date(t * 1000);
    return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
  },
  time: (k) => Date.UTC(1970, k, 1) / 1000,
};
const YEARS: Calendar = { floor: (t) => new Date(t * 1000).getUTCFullYear() - 1970, time: (k) => Date.UTC(1970 + k, 0, 1) / 1000 };

interface LoggerDef {
  type: number;
  calendar: Calendar;
  depth: number;
  registers: readonly number[];
  /** GetConfiguration's date1 (month, day of the target date); 0 when none. */
  date1: number;
  /** Configured but never started (the captured minute logger 2): always NO_LOG_ENTRIES. */
  idle?: boolean;
}

const LONG = [60, 61, 62, 63, 68, 97, 110, 1004, 175, 99, 123, 124, 127, 128, DATETIME, 1003, 1002];
/** The loggers of the simulated 603: what each stores and how deep (a year of hourly values). */
export const SIM_LOGGERS: readonly LoggerDef[] = [
  { type: LoggerType.yearly, calendar: YEARS, depth: 20, registers: LONG, date1: 0x0101 },
  { type: LoggerType.monthly, calendar: MONTHS, depth: 36, registers: LONG, date1: 0x0001 },
  {
    type: LoggerType.daily,
    calendar: every(86400),
    depth: 460,
    registers: [60, 63, 68, 97, 110, 1004, 175, 99, 86, 87, 1003, 1002],
    date1: 0,
  },
  { type: LoggerType.hourly, calendar: every(3600), depth: 8784, registers: [60, 63, 68, 1004, 86, 87, 74, 80, 99, 1003, 1002], date1: 0 },
  { type: LoggerType.minute1, calendar: every(60), depth: 1440, registers: [60, 68, 1002], date1: 0, idle: true },
  { type: LoggerType.minute2, calendar: every(60), depth: 1440, registers: [1002], date1: 0, idle: true },
];
/** What the 601 logger module's interval log (LID 1, hourly) stores; NoB is always 4 there. */
export const MODULE_REGISTERS: readonly number[] = [60, 68, 86, 87, 1004, 1003, 1002];

type Answer = { cid: number; data: Uint8Array } | null;

export class SimLoggers {
  readonly model: LoggerModel;
  readonly replyLimit: number;
  readonly startMs: number;
  private readonly formats = new Map<number, LogRegisterFormat>();

  constructor(
    private readonly registers: ReadonlyMap<number, Generator>,
    private readonly now: () => number,
    o: LoggerSimOptions = {},
  ) {
    this.model = o.model ?? 'b8';
    this.replyLimit = o.replyLimit ?? DEFAULT_LOG_REPLY_LIMIT;
    this.startMs = o.startMs ?? LOG_START_MS;
  }

  /** Log ids held now: oldest … newest (both 0 when empty). */
  range(def: LoggerDef): { oldest: number; newest: number } {
    const start = def.calendar.floor(Math.ceil(this.startMs / 1000) - 1) + 1;
    const newest = def.idle ? 0 : Math.max(0, def.calendar.floor(this.now() / 1000) - start + 1);
    return { oldest: newest === 0 ? 0 : Math.max(1, newest - def.depth + 1), newest };
  }

  /** When entry `logId` was logged (seconds since the epoch). */
  timeOf(def: LoggerDef, logId: number): number {
    return def.calendar.time(def.calendar.floor(Math.ceil(this.startMs / 1000) - 1) + logId);
  }

  /** The value register `id` had at `t`, in the form the log stores it: unit-79 bytes for 348. */
  valueAt(id: number, t: number): Decimal | Uint8Array {
    if (id === DATETIME) {
      const d = new Date(t * 1000);
      return Uint8Array.of(
        0,
        d.getUTCFullYear() - 2000,
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
      );
    }
    return this.registers.get(id)!(t).value;
  }

  /** Unit, LEN and SIEX of a logged register: the generator's, with 4 mantissa bytes (7 for unit 79). */
  formatOf(id: number): LogRegisterFormat {
    let f = this.formats.get(id);
    if (f === undefined) {
      if (id === DATETIME) f = { id, unitCode: 79, length: 7, siex: 0 };
      else {
        const v = this.registers.get(id)!(this.startMs / 1000);
        f = { id, unitCode: unitCode(v.unit), length: 4, siex: encodeValue(v.value, 4).siex };
      }
      this.formats.set(id, f);
    }
    return f;
  }

  answersAt(address: number): boolean {
    return this.model === 'module' && address === LOGGER_MODULE_ADDRESS;
  }

  /** The reply to a CID 0xB8 frame to 0x3F, or null (silence: no B8 on this meter, or a request it cannot read). */
  answerB8(cid: number, data: Uint8Array): Answer {
    if (this.model !== 'b8') return null;
    let req: LoggerRequest;
    try {
      req = decodeLoggerRequest(data);
    } catch {
      return null;
    }
    const def = SIM_LOGGERS.find((d) => d.type === req.type);
    if (def === undefined) return null;
    if (req.sub === LoggerSub.GetConfiguration) {
      const raw = { date1Format: 1, date1: def.date1, date2Format: 1, date2: 0, maxIntervalRecordsFormat: 1 };
      const reply = { type: def.type, depth: def.depth, registers: [...def.registers] };
      return { cid, data: encodeConfigurationReply({ ...reply, raw: { ...raw, maxIntervalRecords: 0, intervalFormat: 1, interval: 0 } }) };
    }
    return { cid, data: this.readout(def, req) };
  }

  private readout(def: LoggerDef, req: Exclude<LoggerRequest, { sub: typeof LoggerSub.GetConfiguration }>): Uint8Array {
    const { oldest, newest } = this.range(def);
    const logged = req.registers.filter((id, i) => def.registers.includes(id) && req.registers.indexOf(id) === i);
    const base = { sub: req.sub, type: def.type, newestLogId: newest };
    let info = logged.length < req.registers.length ? LogInfoFlag.UNSUPPORTED_REGISTER : 0;
    if (newest === 0) {
      // As captured from an empty logger: one placeholder entry of zeros, log ids 0, NO_LOG_ENTRIES.
      const formats = logged.map((id) => this.formatOf(id));
      const values = [formats.map((f) => new Uint8Array(f.length))];
      return encodeLogReadoutReply({ ...base, firstLogId: 0, info: info | LogInfoFlag.NO_LOG_ENTRIES, registers: formats, values });
    }
    const top = req.sub === LoggerSub.GetLogIDPastAbs ? req.logId : Math.max(oldest, newest - req.offset);
    if (top > newest || top < oldest || logged.length === 0) {
      const flag = logged.length === 0 ? 0 : LogInfoFlag.OUT_OF_RANGE;
      return encodeLogReadoutReply({ ...base, firstLogId: 0, info: info | flag, registers: [], values: [], registerCount: 0 });
    }
    const fit = this.fit(logged);
    if (fit.formats.length < logged.length) info |= LogInfoFlag.TRUNCATED_REGISTERS;
    const want = Math.min(req.count, top - oldest + 1);
    const entries = Math.min(want, fit.entries);
    if (entries < want) info |= LogInfoFlag.TRUNCATED_ENTRIES;
    if (top === newest) info |= LogInfoFlag.HEAD_INCLUDED;
    if (top - entries + 1 === oldest) info |= LogInfoFlag.TAIL_INCLUDED;
    const values: LogValue[][] = [];
    for (let k = 0; k < entries; k++) values.push(fit.formats.map((f) => this.valueAt(f.id, this.timeOf(def, top - k))));
    return encodeLogReadoutReply({ ...base, firstLogId: top, info, registers: fit.formats, values });
  }

  /** The registers and entries that fit the reply buffer: 15 + Σ(5 + LEN) + (E − 1)·ΣLEN data bytes; always one of each. */
  private fit(ids: readonly number[]): { formats: LogRegisterFormat[]; entries: number } {
    const formats: LogRegisterFormat[] = [];
    let first = 15;
    for (const id of ids) {
      const f = this.formatOf(id);
      if (formats.length > 0 && first + 5 + f.length > this.replyLimit) break;
      formats.push(f);
      first += 5 + f.length;
    }
    const per = formats.reduce((a, f) => a + f.length, 0);
    return { formats, entries: Math.max(1, 1 + Math.floor((this.replyLimit - first) / per)) };
  }

  /** The 601 logger module's reply to GetLog A2 (by record id); A0, A1, A3 and other commands get no answer. */
  answerModule(cid: number, data: Uint8Array): Answer {
    if (cid !== GetLogCid.GetLogIDPresent) return null;
    let req;
    try {
      req = decodeGetLogRequest(cid, data);
    } catch {
      return null;
    }
    if (req.cid !== GetLogCid.GetLogIDPresent) return null;
    const def = SIM_LOGGERS.find((d) => d.type === LoggerType.hourly)!;
    const { oldest, newest } = this.range(def);
    const none = (info: number): Answer => ({
      cid,
      data: encodeGetLogReply({
        lid: req.lid,
        registers: [],
        records: [],
        lastRecordId: 0,
        newestRecordId: newest,
        info,
        registerCount: 0,
      }),
    });
    if (req.lid !== MODULE_LID) return none(GetLogInfoFlag.OUT_OF_RANGE);
    if (newest === 0) return none(GetLogInfoFlag.LOG_EMPTY);
    if (req.recordId > newest) return none(GetLogInfoFlag.OUT_OF_RANGE);
    const formats = req.registers
      .filter((id, i) => MODULE_REGISTERS.includes(id) && req.registers.indexOf(id) === i)
      .map((id) => ({ ...this.formatOf(id), length: 4 }));
    if (formats.length === 0) return none(0);
    const from = Math.max(req.recordId, oldest);
    const want = Math.min(req.records, newest - from + 1);
    const count = Math.min(
      want,
      maxGetLogRecords(
        formats.map((f) => f.length),
        req.maxLength,
      ),
    );
    let info = count < want ? GetLogInfoFlag.MAX_LENGTH_REACHED : 0;
    if (want < req.records) info |= GetLogInfoFlag.END_OF_LOG_REACHED;
    const records = Array.from({ length: count }, (_, k) => ({
      recordId: from + k,
      values: formats.map((f) => this.valueAt(f.id, this.timeOf(def, from + k))),
    }));
    const lastRecordId = count > 0 ? from + count - 1 : 0;
    return { cid, data: encodeGetLogReply({ lid: req.lid, registers: formats, records, lastRecordId, newestRecordId: newest, info }) };
  }
}
