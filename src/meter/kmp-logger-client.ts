/**
 * The logger requests of KMP as one request and one reply each (kmp-loggers.md): CID 0xB8 GetConfiguration,
 * GetLogIDPastAbs and GetLogLastEntryPastAbs to the meter at 0x3F, and GetLog A2 (by record id) to a 601
 * logger module or an 801 logger at 0x7F/0xBF. Each gets a deadline from the longest reply it can bring
 * (the count asked, the register lengths known or guessed), bounded retries, and the checks that a reply
 * answers this request: subcommand, logger type, registers asked, log id asked.
 */
import { HEAT_METER_ADDRESS } from '../kmp/frame.js';
import { KmpError } from '../kmp/errors.js';
import { CID_LOGGER, LoggerSub, decodeConfigurationReply, encodeLoggerRequest, type LoggerConfiguration } from '../kmp/logger.js';
import { decodeLogReadoutReply, logReadoutDataLength, type LogReadout } from '../kmp/logger-readout.js';
import { GetLogCid, decodeGetLogReply, encodeGetLogRequest, type GetLogReply } from '../kmp/logger-getlog.js';
import type { ReadStats } from '../core/reading.js';
import type { LoggerLink } from './kmp-logger-link.js';

/** The B8 logger types by the names the CLI takes. */
export const B8_LOGGERS = { yearly: 2, monthly: 3, daily: 4, hourly: 5 } as const;
export type B8LoggerName = keyof typeof B8_LOGGERS;

export function loggerLabel(type: number): string {
  const name = Object.keys(B8_LOGGERS).find((k) => B8_LOGGERS[k as B8LoggerName] === type);
  return name ? `${name} logger` : `logger type ${type}`;
}

/** Mantissa bytes assumed for a register not seen yet: 4 as on every MULTICAL, 7 for date and time (348). */
export function guessLength(id: number): number {
  return id === 348 ? 7 : 4;
}

/** GetConfiguration's longest reply: the register count byte allows 255 registers (body: DST CID … CRC). */
const CONFIG_REPLY_BODY = 2 + 15 + 2 * 255 + 2;

export interface ReadoutRequest {
  sub: typeof LoggerSub.GetLogIDPastAbs | typeof LoggerSub.GetLogLastEntryPastAbs;
  type: number;
  /** The log id (06) or the offset from the newest entry (07). */
  at: number;
  count: number;
  registers: readonly number[];
  /** Mantissa lengths by register id, as replies showed them; guessed for the others. */
  lengths?: ReadonlyMap<number, number>;
}

export interface GetLogIdRequest {
  address: number;
  lid: number;
  registers: readonly number[];
  recordId: number;
  records: number;
  /** MaxL: the longest reply APL accepted (one byte). */
  maxLength: number;
}

export class KmpLoggerClient {
  constructor(readonly link: LoggerLink) {}

  get stats(): ReadStats {
    return this.link.stats;
  }

  /** GetSerialNo at 0x3F with the plain --timeout: who the meter is (the key of its history). */
  serialNo(retries?: number): Promise<number> {
    return this.link.client(HEAT_METER_ADDRESS, this.link.options.timeoutMs, retries).getSerialNo();
  }

  configuration(type: number, retries?: number): Promise<LoggerConfiguration> {
    const data = encodeLoggerRequest({ sub: LoggerSub.GetConfiguration, type });
    const client = this.link.client(HEAT_METER_ADDRESS, this.link.deadlineMs(data.length, CONFIG_REPLY_BODY), retries);
    return client.request(CID_LOGGER, data, `GetConfiguration (${loggerLabel(type)})`, (reply) => {
      if (reply[0] !== LoggerSub.GetConfiguration) return { ignore: 'a reply to another logger request came' };
      const c = decodeConfigurationReply(reply);
      return c.type === type ? c : { ignore: `a configuration of ${loggerLabel(c.type)} came` };
    });
  }

  /** One log readout: entries from `at` towards the past, as many as the meter's reply buffer holds. */
  readout(r: ReadoutRequest): Promise<LogReadout> {
    const data = encodeLoggerRequest(
      r.sub === LoggerSub.GetLogIDPastAbs
        ? { sub: r.sub, type: r.type, logId: r.at, count: r.count, registers: r.registers }
        : { sub: r.sub, type: r.type, offset: r.at, count: r.count, registers: r.registers },
    );
    const lengths = r.registers.map((id) => r.lengths?.get(id) ?? guessLength(id));
    const client = this.link.client(HEAT_METER_ADDRESS, this.link.deadlineMs(data.length, 4 + logReadoutDataLength(lengths, r.count)));
    return client.request(CID_LOGGER, data, readoutLabel(r), (reply) => {
      if (reply[0] !== r.sub || reply[1] !== r.type) return { ignore: 'a reply to another logger request came' };
      return checkReadout(decodeLogReadoutReply(reply), r);
    });
  }

  /** GetLog A2: records from `recordId` towards the present, as many as fit MaxL. */
  getLogById(r: GetLogIdRequest, retries?: number): Promise<GetLogReply> {
    const cid = GetLogCid.GetLogIDPresent;
    const data = encodeGetLogRequest({
      cid,
      lid: r.lid,
      registers: r.registers,
      records: r.records,
      maxLength: r.maxLength,
      recordId: r.recordId,
    });
    const client = this.link.client(r.address, this.link.deadlineMs(data.length, 1 + r.maxLength + 2), retries);
    const what = `GetLog A2 (log ${r.lid}, from record ${r.recordId}, ${r.registers.length} register${r.registers.length === 1 ? '' : 's'})`;
    return client.request(cid, data, what, (reply) => {
      const d = decodeGetLogReply(cid, reply);
      if (d.body !== undefined && d.body.lid !== r.lid) return { ignore: `a reply for log ${d.body.lid} came` };
      const stranger = d.body?.registers.find((f) => !r.registers.includes(f.id));
      if (stranger) throw new KmpError('KMP_BAD_REPLY', `GetLog reply holds register ${stranger.id}, which was not asked for`);
      const before = d.body?.records.find((rec) => rec.recordId < r.recordId);
      if (before) throw new KmpError('KMP_BAD_REPLY', `GetLog reply holds record ${before.recordId}, before record ${r.recordId} asked`);
      return d;
    });
  }
}

function readoutLabel(r: ReadoutRequest): string {
  const regs = `${r.registers.length} register${r.registers.length === 1 ? '' : 's'}`;
  if (r.sub === LoggerSub.GetLogLastEntryPastAbs) return `GetLogLastEntryPastAbs (${loggerLabel(r.type)}, offset ${r.at}, ${regs})`;
  const ids = r.count === 1 ? `log id ${r.at}` : `log ids ${Math.max(0, r.at - r.count + 1)}–${r.at}`;
  return `GetLogIDPastAbs (${loggerLabel(r.type)}, ${ids}, ${regs})`;
}

/** A readout answers this request: only registers asked, and (06) entries counting down from the log id asked. */
function checkReadout(d: LogReadout, r: ReadoutRequest): LogReadout {
  const stranger = d.registers.find((f) => !r.registers.includes(f.id));
  if (stranger) throw new KmpError('KMP_BAD_REPLY', `log readout holds register ${stranger.id}, which was not asked for`);
  if (d.entries.length > r.count)
    throw new KmpError('KMP_BAD_REPLY', `log readout holds ${d.entries.length} entries, ${r.count} were asked`);
  if (r.sub === LoggerSub.GetLogIDPastAbs && d.entries.length > 0 && d.firstLogId !== r.at) {
    throw new KmpError('KMP_BAD_REPLY', `log readout starts at log id ${d.firstLogId}, ${r.at} was asked`, {
      expected: String(r.at),
      actual: String(d.firstLogId),
    });
  }
  if (d.entries.length > 0 && d.firstLogId > d.newestLogId) {
    throw new KmpError('KMP_BAD_REPLY', `log readout starts at log id ${d.firstLogId}, past the newest, ${d.newestLogId}`);
  }
  return d;
}
