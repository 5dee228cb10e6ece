/**
 * Opening a meter's log (kmp-loggers.md, "Which meters have which logger commands"): two families.
 * - B8 (MULTICAL 303/403/603/803 generation, at 0x3F): GetConfiguration gives the registers and depth,
 *   GetLogLastEntryPastAbs(offset 0xFFFF, count 1) the oldest and newest log ids, as the PyKMP fork does;
 *   pages are GetLogIDPastAbs from a log id towards the past.
 * - GetLog (MULTICAL 601 logger modules at 0x7F or 0xBF, the 801's logger at 0x7F): A2 by record id, which
 *   needs no time stamp (the byte order of A0/A3's time is not settled); its first reply gives the oldest
 *   and newest record ids. There is no configuration: the registers are the caller's, at most 8 a request.
 * A meter that ignores one family is asked (once each) whether it answers the other or at all, so the one
 * message says which: the meter is silent, it answers the other family, or it answers neither.
 */
import { MeterError } from './errors.js';
import { HEAT_METER_ADDRESS } from '../kmp/frame.js';
import { LogInfoFlag, LoggerSub, type LoggerConfiguration } from '../kmp/logger.js';
import { GetLogInfoFlag, MAX_GETLOG_REGISTERS } from '../kmp/logger-getlog.js';
import { MAX_LOG_COUNT, getLogReplyBodyLength, logReadoutBodyLength } from '../kmp/logger-budget.js';
import { B8_LOGGERS, loggerLabel, type KmpLoggerClient } from './kmp-logger-client.js';
import { HistoryError } from './kmp-logger-errors.js';
import type { LogSource, Page, Pager } from './kmp-logger-walk.js';

/** KmpClient's framer drops a frame over 1024 bytes: a reply stuffed in full must stay under it. */
const MAX_B8_REPLY_BODY = 511;
/** GetLog's MaxL is one byte; DST + APL + CRC stuffed in full is 518 bytes. */
const GETLOG_MAX_LENGTH = 255;
export const LOGGER_MODULE_ADDRESSES = [0x7f, 0xbf] as const;
const CLOCK = 1002;

export interface OpenLog {
  source: LogSource;
  family: 'b8' | 'getlog';
  address: number;
  /** B8: the logger's configuration (its registers and depth). */
  configuration?: LoggerConfiguration;
  /** Oldest and newest log ids (GetLog: record ids); both 0 when the log is empty. */
  oldest: number;
  newest: number;
  empty: boolean;
}

class B8Source implements LogSource {
  readonly maxRegisters = 0xff;
  readonly maxReplyBody = MAX_B8_REPLY_BODY;
  readonly maxEntries = MAX_LOG_COUNT;
  readonly label: string;

  constructor(
    private readonly client: KmpLoggerClient,
    readonly type: number,
  ) {
    this.label = loggerLabel(type);
  }

  replyBody(lengths: readonly number[], entries: number): number {
    return logReadoutBodyLength(lengths, entries);
  }

  async page(lo: number, hi: number, registers: readonly number[], pager: Pager): Promise<Page> {
    const count = pager.ask(this, registers, hi - lo + 1);
    const r = await this.client.readout({
      sub: LoggerSub.GetLogIDPastAbs,
      type: this.type,
      at: hi,
      count,
      registers,
      lengths: pager.lengths,
    });
    if (r.info & LogInfoFlag.NO_LOG_ENTRIES) throw new HistoryError('LOG_CHANGED', `the ${this.label} emptied while it was read (reset?)`);
    if (r.registerCount === 0) return { entries: [], from: hi, to: hi, registers: [], truncatedRegisters: false };
    if (r.entries.length === 0) {
      throw new HistoryError('LOG_UNREADABLE', `the ${this.label} gave no entries for log id ${hi} (${r.flags.join(', ') || 'no flags'})`);
    }
    pager.learn(registers, count, r.entries.length, r.registers);
    const truncatedRegisters = (r.info & LogInfoFlag.TRUNCATED_REGISTERS) !== 0;
    return { entries: r.entries, from: hi - r.entries.length + 1, to: hi, registers: r.registers.map((f) => f.id), truncatedRegisters };
  }
}

class GetLogSource implements LogSource {
  readonly maxRegisters = MAX_GETLOG_REGISTERS;
  readonly maxReplyBody = 1 + GETLOG_MAX_LENGTH + 2;
  readonly maxEntries = 255;
  readonly label: string;

  constructor(
    private readonly client: KmpLoggerClient,
    readonly address: number,
    readonly lid: number,
  ) {
    this.label = `interval log (LID ${lid}) at 0x${address.toString(16).toUpperCase()}`;
  }

  replyBody(lengths: readonly number[], records: number): number {
    return getLogReplyBodyLength(lengths, records);
  }

  async page(lo: number, hi: number, registers: readonly number[], pager: Pager): Promise<Page> {
    const records = pager.ask(this, registers, hi - lo + 1);
    const r = await this.client.getLogById({
      address: this.address,
      lid: this.lid,
      registers,
      recordId: lo,
      records,
      maxLength: GETLOG_MAX_LENGTH,
    });
    if (r.info & GetLogInfoFlag.LOG_EMPTY) throw new HistoryError('LOG_CHANGED', `the ${this.label} emptied while it was read (reset?)`);
    if (r.body?.registerCount === 0) return { entries: [], from: lo, to: lo, registers: [], truncatedRegisters: false };
    const got = (r.body?.records ?? []).filter((rec) => rec.recordId <= hi);
    if (r.body === undefined || got.length === 0) {
      throw new HistoryError('LOG_UNREADABLE', `the ${this.label} gave no records from record ${lo} (${r.flags.join(', ') || 'no flags'})`);
    }
    pager.learn(registers, records, got.length, r.body.registers);
    const entries = got.map((rec) => ({ logId: rec.recordId, records: rec.records }));
    return {
      entries,
      from: lo,
      to: got[got.length - 1]!.recordId,
      registers: r.body.registers.map((f) => f.id),
      truncatedRegisters: false,
    };
  }
}

/** The B8 logger `type`: its configuration, then its range. */
export async function openB8(client: KmpLoggerClient, type: number): Promise<OpenLog> {
  let configuration: LoggerConfiguration;
  try {
    configuration = await client.configuration(type);
  } catch (e) {
    throw await diagnose(client, 'b8', e);
  }
  const source = new B8Source(client, type);
  const base = { source, family: 'b8' as const, address: HEAT_METER_ADDRESS, configuration };
  if (configuration.registers.length === 0) return { ...base, oldest: 0, newest: 0, empty: true };
  const probe = configuration.registers.includes(CLOCK) ? CLOCK : configuration.registers[0]!;
  const r = await client.readout({ sub: LoggerSub.GetLogLastEntryPastAbs, type, at: 0xffff, count: 1, registers: [probe] });
  if (r.info & LogInfoFlag.NO_LOG_ENTRIES) return { ...base, oldest: 0, newest: 0, empty: true };
  if (r.entries.length === 0 || r.firstLogId > r.newestLogId) {
    throw new HistoryError(
      'LOG_UNREADABLE',
      `the ${source.label} did not say which log ids it holds (${r.flags.join(', ') || 'no flags'})`,
    );
  }
  return { ...base, oldest: r.firstLogId, newest: r.newestLogId, empty: false };
}

/** The GetLog log `lid` at 0x7F, else at 0xBF: its first record and the newest record id. */
export async function openGetLog(client: KmpLoggerClient, lid: number, registers: readonly number[]): Promise<OpenLog> {
  let last: unknown;
  for (const address of LOGGER_MODULE_ADDRESSES) {
    try {
      return await openGetLogAt(client, address, lid, registers);
    } catch (e) {
      if (!isSilence(e)) throw e;
      last = e;
    }
  }
  throw await diagnose(client, 'getlog', last);
}

async function openGetLogAt(client: KmpLoggerClient, address: number, lid: number, registers: readonly number[]): Promise<OpenLog> {
  const source = new GetLogSource(client, address, lid);
  const asked = registers.slice(0, MAX_GETLOG_REGISTERS);
  const r = await client.getLogById({ address, lid, registers: asked, recordId: 0, records: 1, maxLength: GETLOG_MAX_LENGTH });
  const base = { source, family: 'getlog' as const, address };
  if (r.info & GetLogInfoFlag.LOG_EMPTY) return { ...base, oldest: 0, newest: 0, empty: true };
  const first = r.body?.records[0];
  if (r.body === undefined || first === undefined) {
    const why = r.body?.registerCount === 0 ? 'it holds none of the registers asked' : r.flags.join(', ') || 'no records';
    throw new HistoryError('LOG_UNREADABLE', `the ${source.label} did not say which records it holds (${why})`);
  }
  return { ...base, oldest: first.recordId, newest: r.body.newestRecordId, empty: false };
}

function isSilence(e: unknown): boolean {
  return e instanceof MeterError && e.code === 'METER_TIMEOUT';
}

const NEITHER =
  'answers neither logger command: not B8 at 0x3F (MULTICAL 303/403/603/803 generation) nor GetLog at 0x7F or 0xBF ' +
  '(MULTICAL 601 logger modules, the 801); its history cannot be read over KMP';

/**
 * The error for a log command that got no reply: the meter's own if it answers nothing at all (asleep,
 * wrong port), else which logger family it does answer, or that it answers neither.
 */
async function diagnose(client: KmpLoggerClient, tried: 'b8' | 'getlog', cause: unknown): Promise<unknown> {
  if (!isSilence(cause)) return cause;
  let serial: number;
  try {
    serial = await client.serialNo(0);
  } catch (e) {
    return isSilence(e) ? cause : e;
  }
  const meter = `the meter (serial ${serial})`;
  if (tried === 'b8') {
    for (const address of LOGGER_MODULE_ADDRESSES) {
      if (
        await answers(() =>
          client.getLogById({ address, lid: 1, registers: [CLOCK], recordId: 0, records: 1, maxLength: GETLOG_MAX_LENGTH }, 0),
        )
      ) {
        const at = `0x${address.toString(16).toUpperCase()}`;
        return new HistoryError(
          'NO_LOGGER',
          `${meter} does not answer B8, but a logger at ${at} answers GetLog: read it with --logger interval`,
        );
      }
    }
  } else if (await answers(() => client.configuration(B8_LOGGERS.daily, 0))) {
    return new HistoryError('NO_LOGGER', `${meter} answers B8, not GetLog: read it with --logger hourly, daily, monthly or yearly`);
  }
  return new HistoryError('NO_LOGGER', `${meter} ${NEITHER}`, { cause });
}

async function answers(ask: () => Promise<unknown>): Promise<boolean> {
  try {
    await ask();
    return true;
  } catch (e) {
    if (e instanceof MeterError && (e.code === 'METER_ABORTED' || e.code === 'METER_LOST')) throw e;
    return !isSilence(e);
  }
}
