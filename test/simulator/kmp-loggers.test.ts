// The simulated MULTICAL's loggers (kmp-loggers.md): CID B8 replies byte for byte where the document has
// a capture, a year of entries consistent with the clock-driven registers, the reply buffer, empty and
// reset logs, and the 601 logger module's GetLog A2 at 0x7F. Asked through reply(), without a transport.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { Cid, decodeRegisterRecords, encodeGetRegisterRequest, type RegisterRecord } from '../../src/kmp/app.js';
import { formatRecord } from '../../src/kmp/format.js';
import { decodeFrame, encodeFrame } from '../../src/kmp/frame.js';
import {
  CID_LOGGER,
  LogInfoFlag,
  LoggerType,
  decodeConfigurationReply,
  encodeGetConfigurationRequest,
  encodeGetLogIdPastAbsRequest,
  encodeGetLogLastEntryPastAbsRequest,
} from '../../src/kmp/logger.js';
import { GetLogCid, GetLogInfoFlag, decodeGetLogReply, encodeGetLogRequest, type GetLogRequest } from '../../src/kmp/logger-getlog.js';
import { decodeLogReadoutReply, type LogReadout } from '../../src/kmp/logger-readout.js';
import { entryTimestamp } from '../../src/kmp/logger-time.js';
import { KmpSimulator } from '../../src/simulator/kmp-meter.js';
import { DEFAULT_LOG_REPLY_LIMIT, LOG_START_MS, SIM_LOGGERS } from '../../src/simulator/kmp-loggers.js';
import { parseSimSpec, type SimOptions } from '../../src/simulator/spec.js';

/** 2026-01-05T04:01:40Z; the logs start 2025-10-01T00:00Z, so the hourly log holds ids 1–2309. */
const NOW = Date.UTC(2026, 0, 5, 4, 1, 40);
const HOUR = 3_600_000;

// Loaded once, as the first logger request of a served meter does: every simulator below then has them.
await new KmpSimulator().loadLoggers();

function sim(o: SimOptions = {}): KmpSimulator {
  return new KmpSimulator({ now: () => NOW, random: () => 0.5, ...o });
}

function ask(s: KmpSimulator, data: Uint8Array, destination = 0x3f, cid = CID_LOGGER): Uint8Array | undefined {
  const reply = s.reply(encodeFrame({ direction: 'toMeter', destination, cid, data }));
  if (reply === null) return undefined;
  const f = decodeFrame(reply);
  assert.equal(f.cid, cid, 'the reply echoes the command');
  assert.equal(f.destination, destination, 'the reply comes from the address asked');
  return f.data;
}

function readout(s: KmpSimulator, r: { type: number; logId: number; count: number; registers: number[] }): LogReadout {
  return decodeLogReadoutReply(ask(s, encodeGetLogIdPastAbsRequest(r))!);
}

function range(s: KmpSimulator, type: number): LogReadout {
  return decodeLogReadoutReply(ask(s, encodeGetLogLastEntryPastAbsRequest({ type, offset: 0xffff, count: 1, registers: [1002] }))!);
}

function getRegisters(s: KmpSimulator, ids: number[]): Map<number, RegisterRecord> {
  const data = ask(s, encodeGetRegisterRequest(ids), 0x3f, Cid.GetRegister)!;
  return new Map(decodeRegisterRecords(data).map((r) => [r.id, r]));
}

const text = (r: RegisterRecord | undefined): string => (r === undefined ? 'absent' : formatRecord(r).text);

describe('simulated loggers, byte for byte', () => {
  test('an empty logger answers as the captured minute logger 2 did (kmp-loggers.md, worked example 2)', () => {
    // Request 80 3F B8 07 07 FF FF 00 01 01 03 EA B8 5E 0D → the captured reply, byte for byte.
    const reply = sim().reply(fromHex('80 3F B8 07 07 FF FF 00 01 01 03 EA B8 5E 0D'));
    assert.equal(toHex(reply!), '40 3F B8 07 07 00 01 01 00 00 00 00 00 00 00 00 00 01 03 EA 2F 04 00 00 00 00 00 1F 2F 0D');
  });

  test('the captured GetLogIDPastAbs request is understood (worked example 3: `06` stuffed as 1B F9)', () => {
    // 80 3F B8 1B F9 02 00 00 00 02 00 02 01 03 EB 75 07 0D: yearly, from log id 2, 2 entries of 1003.
    // In mid-2027 the simulated yearly log holds two entries, as the captured one did.
    const s = sim({ now: () => Date.UTC(2027, 5, 1) });
    const d = decodeLogReadoutReply(decodeFrame(s.reply(fromHex('80 3F B8 1B F9 02 00 00 00 02 00 02 01 03 EB 75 07 0D'))!).data);
    assert.deepEqual(d.flags, ['TAIL_INCLUDED', 'HEAD_INCLUDED'], 'both yearly entries, newest and oldest: as in the capture');
    assert.deepEqual(
      d.entries.map((e) => [e.logId, text(e.records[0])]),
      [
        [2, '2027-01-01'],
        [1, '2026-01-01'],
      ],
    );
    assert.equal(d.registers[0]!.unitCode, 48, 'unit 48 yy:mm:dd, LEN 4, SIEX 0 as captured');
  });

  test('GetConfiguration: the captured layout, each logger with its depth and registers; other types are not answered', () => {
    const s = sim();
    for (const def of SIM_LOGGERS) {
      const c = decodeConfigurationReply(ask(s, encodeGetConfigurationRequest(def.type))!);
      assert.equal(c.type, def.type);
      assert.equal(c.depth, def.depth);
      assert.deepEqual(c.registers, def.registers);
    }
    const yearly = decodeConfigurationReply(ask(s, encodeGetConfigurationRequest(LoggerType.yearly))!);
    assert.deepEqual([yearly.raw.date1Format, yearly.raw.date1], [1, 0x0101], 'target date 01-01 as in the capture');
    for (const type of [0, 1, 8, 9, 10, 255]) assert.equal(ask(s, encodeGetConfigurationRequest(type)), undefined, `type ${type}`);
    assert.equal(ask(s, Uint8Array.of(0x08, 5)), undefined, 'subcommand 08 has no known layout: silence');
  });
});

describe('a year of entries, consistent with the registers', () => {
  test('the newest entry of every logger holds what the registers read at that moment', () => {
    for (const def of SIM_LOGGERS.filter((d) => d.type >= LoggerType.yearly && d.type <= LoggerType.hourly)) {
      const newest = range(sim(), def.type).newestLogId;
      const entry = readout(sim(), { type: def.type, logId: newest, count: 1, registers: [...def.registers] }).entries[0]!;
      const at = Date.parse(entryTimestamp(entry.records)!.local + 'Z');
      // The registers, read with the clock at the moment the entry was logged.
      const then = sim({ now: () => at });
      const ids = def.registers.filter((id) => id !== 348);
      for (let i = 0; i < ids.length; i += 8) {
        const regs = getRegisters(then, ids.slice(i, i + 8));
        for (const id of ids.slice(i, i + 8)) {
          assert.equal(text(entry.records.find((r) => r.id === id)), text(regs.get(id)), `logger ${def.type} register ${id}`);
        }
      }
    }
  });

  test('a year of hourly entries: one an hour, totals never decrease, temperatures plausible', () => {
    const now = Date.UTC(2026, 11, 3, 10, 30);
    const s = sim({ now: () => now, loggers: { replyLimit: 65535 } });
    const r = range(s, LoggerType.hourly);
    assert.equal(r.newestLogId - r.firstLogId + 1, 8784, 'as deep as the configuration says');
    const regs = [1003, 1002, 60, 68, 1004, 86, 87];
    let id = r.newestLogId;
    const all: Array<{ logId: number; records: RegisterRecord[] }> = [];
    while (id >= r.firstLogId) {
      const page = readout(s, { type: LoggerType.hourly, logId: id, count: 0xffff, registers: regs });
      all.push(...page.entries);
      id -= page.entries.length;
    }
    all.reverse();
    assert.equal(all.length, 8784);
    let previous: { at: number; totals: bigint[] } | undefined;
    for (const e of all) {
      const at = Date.parse(entryTimestamp(e.records)!.local + 'Z');
      const totals = e.records.filter((x) => [60, 68, 1004].includes(x.id)).map((x) => x.value.coefficient);
      if (previous) {
        assert.equal(at - previous.at, HOUR, `log id ${e.logId} an hour after the one before`);
        totals.forEach((t, i) => assert.ok(t >= previous!.totals[i]!, `log id ${e.logId}: totals never decrease`));
      }
      for (const temp of e.records.filter((x) => x.id === 86 || x.id === 87)) {
        const c = Number(temp.value.toString());
        assert.ok(c > 20 && c < 90, `log id ${e.logId}: ${c} °C`);
      }
      previous = { at, totals };
    }
    assert.equal(new Date(previous!.at).toISOString(), '2026-12-03T10:00:00.000Z', 'the newest is the last full hour');
  });

  test('daily entries at midnight, monthly on the 1st, yearly on 1 January, stamped 00:00 (MC403 TD §3.5)', () => {
    const s = sim({ now: () => Date.UTC(2026, 2, 15, 12) });
    const stamp = (type: number, registers: number[]): string[] => {
      const r = range(s, type);
      return readout(s, { type, logId: r.newestLogId, count: 3, registers }).entries.map((e) => entryTimestamp(e.records)!.local);
    };
    assert.deepEqual(stamp(LoggerType.daily, [1003, 1002]), ['2026-03-15T00:00:00', '2026-03-14T00:00:00', '2026-03-13T00:00:00']);
    assert.deepEqual(stamp(LoggerType.monthly, [348]), ['2026-03-01T00:00:00', '2026-02-01T00:00:00', '2026-01-01T00:00:00']);
    assert.deepEqual(stamp(LoggerType.yearly, [348]), ['2026-01-01T00:00:00']);
    const dt = readout(s, { type: LoggerType.yearly, logId: 1, count: 1, registers: [348] }).entries[0]!.records[0]!;
    assert.equal(toHex(dt.mantissa), '00 1A 01 01 00 00 00', 'unit 79: no summer time, 2026-01-01 00:00:00');
  });
});

describe('the reply buffer, flags and ranges', () => {
  test('a reply is cut to whole entries within the buffer (TRUNCATED_ENTRIES); head and tail flagged', () => {
    const s = sim();
    const regs = [1003, 1002, 60, 68, 86, 87, 74, 80, 1004, 99];
    const newest = range(s, LoggerType.hourly).newestLogId;
    const d = readout(s, { type: LoggerType.hourly, logId: newest, count: 100, registers: regs });
    assert.equal(d.entries.length, 8, '15 + 10 × 9 + 7 × 40 = 385 ≤ 400 < 425');
    assert.deepEqual(d.flags, ['TRUNCATED_ENTRIES', 'HEAD_INCLUDED']);
    const tail = readout(s, { type: LoggerType.hourly, logId: 3, count: 5, registers: [60] });
    assert.deepEqual(
      tail.entries.map((e) => e.logId),
      [3, 2, 1],
    );
    assert.deepEqual(tail.flags, ['TAIL_INCLUDED']);
    const small = readout(sim({ loggers: { replyLimit: 60 } }), { type: LoggerType.hourly, logId: newest, count: 4, registers: regs });
    assert.deepEqual(
      small.registers.map((f) => f.id),
      [1003, 1002, 60, 68, 86],
      'registers cut: 15 + 5 × 9 = 60',
    );
    assert.ok(small.info & LogInfoFlag.TRUNCATED_REGISTERS);
    assert.equal(DEFAULT_LOG_REPLY_LIMIT, 400);
  });

  test('a register the logger does not hold is left out and flagged; one id out of range gets none', () => {
    const s = sim();
    const d = readout(s, { type: LoggerType.daily, logId: 50, count: 2, registers: [60, 80, 68] });
    assert.deepEqual(
      d.registers.map((f) => f.id),
      [60, 68],
    );
    assert.ok(d.info & LogInfoFlag.UNSUPPORTED_REGISTER);
    const past = readout(s, { type: LoggerType.daily, logId: 5000, count: 2, registers: [60] });
    assert.equal(past.entries.length, 0);
    assert.deepEqual(past.flags, ['OUT_OF_RANGE']);
  });

  test('GetLogLastEntryPastAbs: offset 0xFFFF lands on the oldest entry, 0 on the newest', () => {
    const s = sim();
    const oldest = range(s, LoggerType.daily);
    assert.deepEqual([oldest.firstLogId, oldest.newestLogId], [1, 97], '2025-10-01 … 2026-01-05');
    const newest = decodeLogReadoutReply(
      ask(s, encodeGetLogLastEntryPastAbsRequest({ type: LoggerType.daily, offset: 0, count: 2, registers: [1003] }))!,
    );
    assert.deepEqual(
      newest.entries.map((e) => [e.logId, text(e.records[0])]),
      [
        [97, '2026-01-05'],
        [96, '2026-01-04'],
      ],
    );
  });

  test('before the logs start every logger is empty; a later start renumbers them (a reset)', () => {
    const early = sim({ now: () => LOG_START_MS - 1000 });
    for (const type of [2, 3, 4, 5]) assert.deepEqual(range(early, type).flags, ['NO_LOG_ENTRIES']);
    const reset = sim({ loggers: { startMs: Date.UTC(2026, 0, 4, 12) } });
    const r = range(reset, LoggerType.hourly);
    assert.deepEqual([r.firstLogId, r.newestLogId], [1, 17], 'the first entry at 12:00 on the 4th, the newest at 04:00 on the 5th');
  });
});

describe('a MULTICAL 601 logger module (logger=module)', () => {
  const a2 = (r: Partial<GetLogRequest> & { recordId: number }): Uint8Array =>
    encodeGetLogRequest({
      cid: GetLogCid.GetLogIDPresent,
      lid: 1,
      registers: [60, 68],
      records: 3,
      maxLength: 0x80,
      ...r,
    } as GetLogRequest);

  test('A2 at 0x7F: records from the id asked, ascending, each with its id; B8 at 0x3F is silent', () => {
    const s = sim({ loggers: { model: 'module' } });
    const d = decodeGetLogReply(GetLogCid.GetLogIDPresent, ask(s, a2({ recordId: 100 }), 0x7f, GetLogCid.GetLogIDPresent)!);
    assert.equal(d.info, 0);
    assert.deepEqual(
      d.body!.records.map((r) => r.recordId),
      [100, 101, 102],
    );
    assert.deepEqual([d.body!.lastRecordId, d.body!.newestRecordId], [102, 2309]);
    assert.ok(
      d.body!.registers.every((f) => f.length === 4),
      'NoB is always 4 on the 601',
    );
    assert.equal(ask(s, encodeGetConfigurationRequest(LoggerType.daily)), undefined, 'no B8');
    assert.equal(ask(s, a2({ recordId: 100 }), 0xbf, GetLogCid.GetLogIDPresent), undefined, 'no base module');
    for (const cid of [GetLogCid.GetLogTimePresent, GetLogCid.GetLogLastPresent, GetLogCid.GetLogTimePast]) {
      assert.equal(ask(s, a2({ recordId: 100 }), 0x7f, cid), undefined, `CID ${cid.toString(16)} is not simulated`);
    }
    const values = getRegisters(s, [60]);
    assert.ok(values.has(60), 'the calculator at 0x3F still answers GetRegister');
  });

  test('MaxL, the end of the log, an id before the oldest, an empty log', () => {
    const s = sim({ loggers: { model: 'module' } });
    const reply = (r: Partial<GetLogRequest> & { recordId: number }): ReturnType<typeof decodeGetLogReply> =>
      decodeGetLogReply(GetLogCid.GetLogIDPresent, ask(s, a2(r), 0x7f, GetLogCid.GetLogIDPresent)!);
    const cut = reply({ recordId: 1, records: 50, maxLength: 40 });
    assert.deepEqual(cut.flags, ['MAX_LENGTH_REACHED']);
    assert.equal(cut.body!.records.length, 2, '3 + 2m + 10 + 8m + 5 ≤ 40');
    const end = reply({ recordId: 2308, records: 5 });
    assert.deepEqual(end.flags, ['END_OF_LOG_REACHED']);
    assert.deepEqual(
      end.body!.records.map((r) => r.recordId),
      [2308, 2309],
    );
    assert.deepEqual(reply({ recordId: 9000 }).flags, ['OUT_OF_RANGE']);
    const empty = sim({ loggers: { model: 'module' }, now: () => LOG_START_MS - 1 });
    const d = decodeGetLogReply(GetLogCid.GetLogIDPresent, ask(empty, a2({ recordId: 0 }), 0x7f, GetLogCid.GetLogIDPresent)!);
    assert.equal(d.info, GetLogInfoFlag.LOG_EMPTY);
  });

  test('logger=none answers neither family', () => {
    const s = sim({ loggers: { model: 'none' } });
    assert.equal(ask(s, encodeGetConfigurationRequest(LoggerType.hourly)), undefined);
    assert.equal(ask(s, a2({ recordId: 1 }), 0x7f, GetLogCid.GetLogIDPresent), undefined);
  });
});

describe('sim words for the loggers', () => {
  test('now=, logger=, log-reply=, log-start=', () => {
    const o = parseSimSpec('sim:now=2026-03-01T12:00:00Z,logger=module,log-reply=300,log-start=2026-01-01');
    assert.equal(o.now!(), Date.UTC(2026, 2, 1, 12));
    assert.deepEqual(o.loggers, { model: 'module', replyLimit: 300, startMs: Date.UTC(2026, 0, 1) });
    assert.equal(parseSimSpec('sim:now=2026-03-01T12:00').now!(), Date.UTC(2026, 2, 1, 12));
    assert.deepEqual(parseSimSpec('sim'), { faults: {} }, 'nothing added when no logger word is given');
  });

  test('bad values are usage errors', () => {
    for (const spec of [
      'sim:now=yesterday',
      'sim:now=2026-02-30',
      'sim:now=2026-01-01T25:00',
      'sim:logger=b9',
      'sim:log-reply=10',
      'sim:log-start=',
    ]) {
      assert.throws(() => parseSimSpec(spec), UsageError, spec);
    }
  });
});
