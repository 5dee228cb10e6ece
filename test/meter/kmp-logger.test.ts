// The logger client against the in-process simulator (kmp-loggers.md): opening a log, paging by log id
// with the meter's shortened replies, registers cut by the meter, faults and retries, deadlines from the
// reply length at real timing, empty logs, the GetLog family, and which family a meter answers.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Cid, decodeRegisterRecords, encodeGetRegisterRequest } from '../../src/kmp/app.js';
import { formatRecord } from '../../src/kmp/format.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src/kmp/frame.js';
import { Framer } from '../../src/kmp/framer.js';
import { CID_LOGGER, LoggerSub, LoggerType, decodeLoggerRequest, encodeConfigurationReply } from '../../src/kmp/logger.js';
import { decodeLogReadoutReply, encodeLogReadoutReply } from '../../src/kmp/logger-readout.js';
import { GetLogCid } from '../../src/kmp/logger-getlog.js';
import { KmpClient } from '../../src/meter/kmp-client.js';
import { KmpLoggerClient } from '../../src/meter/kmp-logger-client.js';
import { LoggerLink } from '../../src/meter/kmp-logger-link.js';
import { openB8, openGetLog, type OpenLog } from '../../src/meter/kmp-logger-open.js';
import { Pager, readBlock, walkWindows, type Block, type LogEntryRead } from '../../src/meter/kmp-logger-walk.js';
import { transportPair } from '../../src/meter/transport.js';
import { KmpSimulator } from '../../src/simulator/kmp-meter.js';
import { LOG_START_MS } from '../../src/simulator/kmp-loggers.js';
import { REAL_METER_TIMING, type SimOptions } from '../../src/simulator/spec.js';
import { EXAMPLE_RAW } from '../kmp/support.js';
import { rejectsWith } from './support.js';

/** 2026-01-05T04:01:40Z: the hourly log holds ids 1–2309 (2025-10-01T00:00Z … 2026-01-05T04:00Z). */
const NOW = Date.UTC(2026, 0, 5, 4, 1, 40);
const HOUR = 3_600_000;
const HOURLY = [1003, 1002, 60, 63, 68, 1004, 86, 87, 74, 80, 99];

interface LinkOptions {
  timeoutMs?: number;
  retries?: number;
  baud?: number;
}

interface Rig {
  client: KmpLoggerClient;
  sim: KmpSimulator;
  /** Request frames as the meter read them. */
  requests: Frame[];
}

/** Fast by default: a small --timeout and a link fast enough that the derived deadlines stay short. */
async function withSim(o: SimOptions, fn: (rig: Rig) => Promise<void>, link: LinkOptions = {}): Promise<void> {
  const [clientSide, meterSide] = transportPair();
  const sim = new KmpSimulator({ now: () => NOW, random: () => 0.3, ...o });
  const served = sim.serve(meterSide);
  const options = { timeoutMs: link.timeoutMs ?? 150, retries: link.retries ?? 2, baud: link.baud ?? 115200, bitsPerByte: 11 };
  try {
    await fn({ client: new KmpLoggerClient(new LoggerLink(clientSide, options)), sim, requests: sim.requestLog });
  } finally {
    served.stop();
    await clientSide.close();
  }
}

async function walk(log: OpenLog, registers: readonly number[], lo = log.oldest, hi = log.newest): Promise<Block> {
  const entries: LogEntryRead[] = [];
  const missing = new Set<number>();
  await walkWindows(log.source, new Pager(), {
    lo,
    hi,
    registers,
    direction: 'up',
    pages: 8,
    onWindow: (b) => {
      entries.push(...b.entries);
      b.missing.forEach((m) => missing.add(m));
    },
  });
  return { entries, missing: [...missing] };
}

/** What register `id` read at `ms` through GetRegister — independent of the simulator's logger code. */
function registerAt(ms: number, id: number): string {
  const s = new KmpSimulator({ now: () => ms });
  const frame = encodeFrame({ direction: 'toMeter', destination: 0x3f, cid: Cid.GetRegister, data: encodeGetRegisterRequest([id]) });
  return formatRecord(decodeRegisterRecords(decodeFrame(s.reply(frame)!).data)[0]!).text;
}

/** Every entry holds what the registers read when it was logged (hourly log id k: k − 1 hours after the start). */
function assertHourly(entries: readonly LogEntryRead[], ids: readonly number[]): void {
  for (const e of entries) {
    const at = LOG_START_MS + (e.logId - 1) * HOUR;
    assert.deepEqual(
      e.records.map((r) => r.id),
      ids,
      `log id ${e.logId}: every register, in the order asked`,
    );
    for (const r of e.records) assert.equal(formatRecord(r).text, registerAt(at, r.id), `log id ${e.logId} register ${r.id}`);
  }
}

const readouts = (requests: Frame[]): Array<{ at: number; count: number; n: number }> =>
  requests
    .filter((f) => f.cid === CID_LOGGER && f.data[0] === LoggerSub.GetLogIDPastAbs)
    .map((f) => {
      const r = decodeLoggerRequest(f.data);
      if (r.sub !== LoggerSub.GetLogIDPastAbs) throw new Error('not 06');
      return { at: r.logId, count: r.count, n: r.registers.length };
    });

describe('reading a B8 log through the simulator', () => {
  test('24 hourly entries of 11 registers: configuration, range, then pages as long as the meter gives', async () => {
    await withSim({}, async ({ client, requests }) => {
      const log = await openB8(client, LoggerType.hourly);
      assert.deepEqual([log.oldest, log.newest, log.empty], [1, 2309, false]);
      assert.deepEqual(log.configuration!.registers, [60, 63, 68, 1004, 86, 87, 74, 80, 99, 1003, 1002]);
      const block = await walk(log, HOURLY, 2286, 2309);
      assert.deepEqual(
        block.entries.map((e) => e.logId),
        Array.from({ length: 24 }, (_, i) => 2286 + i),
        'in log id order, none twice, none missing',
      );
      assertHourly(block.entries, HOURLY);
      // The client's frame limit allows 9 entries of 11 registers; the meter's buffer (400 bytes) gives 7:
      // learnt, the next pages ask 7, and the last what is left.
      assert.deepEqual(readouts(requests), [
        { at: 2309, count: 9, n: 11 },
        { at: 2302, count: 7, n: 11 },
        { at: 2295, count: 7, n: 11 },
        { at: 2288, count: 3, n: 11 },
      ]);
      assert.equal(client.stats.requests, 6, 'GetConfiguration, GetLogLastEntryPastAbs, 4 pages');
      assert.equal(client.stats.attempts, 6);
    });
  });

  test('a year of daily entries in windows, whole and in order', async () => {
    await withSim({ now: () => Date.UTC(2026, 11, 3, 10) }, async ({ client }) => {
      const log = await openB8(client, LoggerType.daily);
      assert.deepEqual([log.oldest, log.newest], [1, 429]);
      const block = await walk(log, [1003, 60, 68]);
      assert.equal(block.entries.length, 429);
      block.entries.forEach((e, i) => assert.equal(e.logId, i + 1));
      const dates = block.entries.map((e) => formatRecord(e.records[0]!).text);
      assert.deepEqual([dates[0], dates[428]], ['2025-10-01', '2026-12-03']);
      const e1 = block.entries.map((e) => Number(formatRecord(e.records[1]!).text));
      assert.ok(
        e1.every((v, i) => i === 0 || v >= e1[i - 1]!),
        'E1 never decreases',
      );
    });
  });

  test('registers the meter cuts for room (TRUNCATED_REGISTERS) are read in a second pass over the same ids', async () => {
    await withSim({ loggers: { replyLimit: 80 } }, async ({ client, requests }) => {
      const log = await openB8(client, LoggerType.hourly);
      const block = await walk(log, HOURLY, 2300, 2309);
      assertHourly(block.entries, HOURLY);
      const n = [...new Set(readouts(requests).map((r) => r.n))];
      assert.deepEqual(n, [11, 7, 4], 'all 11 asked, 7 given (15 + 7 × 9 ≤ 80) and asked from then on; then the other 4');
    });
  });

  test('a register the logger does not hold is missing, the others are read', async () => {
    await withSim({}, async ({ client }) => {
      const log = await openB8(client, LoggerType.daily);
      const block = await readBlock(log.source, 95, 97, [1003, 60, 80, 68], new Pager());
      assert.deepEqual(block.missing, [80]);
      assert.deepEqual(
        block.entries.map((e) => e.records.map((r) => r.id)),
        [
          [1003, 60, 68],
          [1003, 60, 68],
          [1003, 60, 68],
        ],
      );
    });
  });

  test('an empty logger (before the logs start; a minute logger never started): NO_LOG_ENTRIES, nothing read', async () => {
    await withSim({ now: () => LOG_START_MS - 1 }, async ({ client }) => {
      const log = await openB8(client, LoggerType.hourly);
      assert.deepEqual([log.empty, log.oldest, log.newest], [true, 0, 0]);
    });
    await withSim({}, async ({ client }) => {
      assert.equal((await openB8(client, LoggerType.minute2)).empty, true);
    });
  });

  test('a log that empties while it is read is a changed log, not an empty result', async () => {
    let calls = 0;
    await withSim({ now: () => (calls++ < 2 ? NOW : LOG_START_MS - 1) }, async ({ client }) => {
      const log = await openB8(client, LoggerType.hourly);
      const e = await rejectsWith(walk(log, HOURLY, 2300, 2309), 'LOG_CHANGED', /hourly logger emptied while it was read/);
      assert.ok(e instanceof Error);
    });
  });
});

describe('faults and deadlines', () => {
  const faults: Array<[string, SimOptions, number]> = [
    ['an echoing head', { echo: true }, 0],
    ['noise before every reply', { faults: { garbage: true } }, 0],
    ['a corrupt CRC once', { faults: { corruptCrc: 'once' } }, 1],
    ['a reply cut short once', { faults: { truncate: 'once' } }, 1],
    ['the first request unanswered', { faults: { silentFirst: 1 } }, 1],
    ['a reply to another command once', { faults: { wrongCommand: 'once' } }, 1],
  ];
  for (const [name, o, extra] of faults) {
    test(`${name}: the same entries, ${extra} attempt${extra === 1 ? '' : 's'} more`, async () => {
      await withSim(o, async ({ client }) => {
        const log = await openB8(client, LoggerType.hourly);
        const block = await walk(log, HOURLY, 2290, 2309);
        assert.equal(block.entries.length, 20);
        assertHourly(block.entries, HOURLY);
        assert.equal(client.stats.attempts - client.stats.requests, extra);
      });
    });
  }

  test('a CRC that is always wrong: bounded retries, then one message naming the request', async () => {
    await withSim({ faults: { corruptCrc: 'always' } }, async ({ client, sim }) => {
      await rejectsWith(
        openB8(client, LoggerType.daily),
        'METER_BAD_REPLY',
        /^GetConfiguration \(daily logger\) to 0x3F: bad reply .*3 attempts$/,
      );
      assert.equal(sim.requestsSeen, 3);
    });
  });

  test('real timing: a 385-byte page takes 3.5 s, more than --timeout 2 s; the deadline grows with the reply', async () => {
    await withSim(
      { ...REAL_METER_TIMING },
      async ({ client }) => {
        const log = await openB8(client, LoggerType.hourly);
        const block = await readBlock(log.source, 2302, 2309, HOURLY, new Pager());
        assert.equal(block.entries.length, 8);
        assert.equal(client.stats.attempts, client.stats.requests, 'no attempt timed out');
      },
      { timeoutMs: 2000, baud: 1200 },
    );
    // The same page with the fixed 2 s of a GetRegister does not arrive in time: the test above can fail.
    const [clientSide, meterSide] = transportPair();
    const served = new KmpSimulator({ now: () => NOW, ...REAL_METER_TIMING }).serve(meterSide);
    try {
      const plain = new KmpClient(clientSide, { timeoutMs: 2000, retries: 0 });
      const data = Uint8Array.of(
        LoggerSub.GetLogIDPastAbs,
        5,
        0,
        0,
        9,
        5,
        0,
        8,
        HOURLY.length,
        ...HOURLY.flatMap((id) => [id >> 8, id & 0xff]),
      );
      await rejectsWith(
        plain.request(CID_LOGGER, data, 'page', (d) => decodeLogReadoutReply(d)),
        'METER_TIMEOUT',
      );
    } finally {
      served.stop();
      await clientSide.close();
    }
  });

  test('the deadline: --timeout plus the wire time of request and longest reply, every byte stuffed', () => {
    const [a] = transportPair();
    const link = new LoggerLink(a, { timeoutMs: 2000, retries: 2, baud: 1200, bitsPerByte: 11 });
    // GetConfiguration (3 data bytes) with the longest reply (255 registers, body 529 bytes):
    // (2 × 7 + 2) + (2 × 529 + 2) = 1076 bytes × 11 bits / 1200 baud = 9863.3 ms.
    assert.equal(link.deadlineMs(3, 529), 2000 + 9864);
    assert.equal(link.deadlineMs(0, 4), 2000 + Math.ceil(((2 * 4 + 2 + 2 * 4 + 2) * 11000) / 1200));
  });
});

describe('GetLog A2 and which family a meter answers', () => {
  test('a 601 logger module at 0x7F: records by id, at most 8 registers and 255 bytes a reply', async () => {
    await withSim({ loggers: { model: 'module' } }, async ({ client, requests }) => {
      const regs = [1003, 1002, 60, 68, 86, 87, 1004];
      const log = await openGetLog(client, 1, regs);
      assert.deepEqual([log.family, log.address, log.oldest, log.newest], ['getlog', 0x7f, 1, 2309]);
      const block = await walk(log, regs, 2280, 2309);
      assert.equal(block.entries.length, 30);
      assertHourly(block.entries, regs);
      const a2 = requests.filter((f) => f.cid === GetLogCid.GetLogIDPresent);
      assert.ok(
        a2.every((f) => f.destination === 0x7f),
        'every GetLog to 0x7F',
      );
      // APL 3 + 2m + 5 × 7 + 28m + 5 ≤ 255: 7 records of 7 registers a reply, so 30 records take 5.
      assert.equal(a2.length, 1 + 5, 'the first record (the range), then 5 pages');
    });
  });

  test('a meter that ignores B8 but has a logger module: the message says to use --logger interval', async () => {
    await withSim({ loggers: { model: 'module' } }, async ({ client }) => {
      await rejectsWith(
        openB8(client, LoggerType.daily),
        'NO_LOGGER',
        /does not answer B8, but a logger at 0x7F answers GetLog: read it with --logger interval/,
      );
    });
  });

  test('a B8 meter asked for GetLog: the message says which loggers to read instead', async () => {
    await withSim({}, async ({ client }) => {
      await rejectsWith(
        openGetLog(client, 1, [60]),
        'NO_LOGGER',
        /answers B8, not GetLog: read it with --logger hourly, daily, monthly or yearly/,
      );
    });
  });

  test('a meter that answers neither: one message, exit 3', async () => {
    await withSim({ loggers: { model: 'none' } }, async ({ client }) => {
      const e = await rejectsWith(
        openB8(client, LoggerType.hourly),
        'NO_LOGGER',
        /^the meter \(serial 19088743\) answers neither logger command/,
      );
      assert.match(e.message, /not B8 at 0x3F .* nor GetLog at 0x7F or 0xBF/);
    });
    await withSim({ loggers: { model: 'none' } }, async ({ client }) => {
      await rejectsWith(openGetLog(client, 1, [60]), 'NO_LOGGER', /answers neither logger command/);
    });
  });

  test('a meter that answers nothing at all: its own timeout, not a guess about loggers', async () => {
    await withSim({ faults: { noAnswer: true } }, async ({ client }) => {
      await rejectsWith(
        openB8(client, LoggerType.hourly),
        'METER_TIMEOUT',
        /^GetConfiguration \(hourly logger\) to 0x3F: no reply in \d+ ms, 3 attempts$/,
      );
    });
  });
});

describe('replies that do not answer the request (a hand-written meter)', () => {
  async function fake(answer: (request: Frame) => Uint8Array | undefined, fn: (c: KmpLoggerClient) => Promise<void>): Promise<void> {
    const [clientSide, meterSide] = transportPair();
    const framer = new Framer('toMeter');
    meterSide.setReceiver((chunk) => {
      for (const raw of framer.push(chunk)) {
        const reply = answer(decodeFrame(raw));
        if (reply) void meterSide.write(reply);
      }
    });
    try {
      await fn(new KmpLoggerClient(new LoggerLink(clientSide, { timeoutMs: 100, retries: 1, baud: 115200, bitsPerByte: 11 })));
    } finally {
      await clientSide.close();
    }
  }
  const fmt = { id: 60, unitCode: 3, length: 4, siex: 0x43 };
  const b8 = (data: Uint8Array): Uint8Array => encodeFrame({ direction: 'fromMeter', destination: 0x3f, cid: CID_LOGGER, data });
  const readout = (o: { first: number; registers?: (typeof fmt)[] }): Uint8Array =>
    b8(
      encodeLogReadoutReply({
        sub: 6,
        type: 4,
        firstLogId: o.first,
        newestLogId: 50,
        info: 0,
        registers: o.registers ?? [fmt],
        values: [(o.registers ?? [fmt]).map(() => Uint8Array.of(0, 0, 1, 0))],
      }),
    );

  test('a page starting at another log id than asked is a bad reply: retried, then refused', async () => {
    await fake(
      () => readout({ first: 41 }),
      async (c) => {
        await rejectsWith(
          c.readout({ sub: 6, type: 4, at: 40, count: 1, registers: [60] }),
          'METER_BAD_REPLY',
          /log readout starts at log id 41, 40 was asked/,
        );
        assert.equal(c.stats.attempts, 2);
      },
    );
  });

  test('a page holding a register not asked for is a bad reply', async () => {
    await fake(
      () => readout({ first: 40, registers: [{ ...fmt, id: 68 }] }),
      async (c) => {
        await rejectsWith(
          c.readout({ sub: 6, type: 4, at: 40, count: 1, registers: [60] }),
          'METER_BAD_REPLY',
          /register 68, which was not asked for/,
        );
      },
    );
  });

  test('a configuration of another logger is not taken for the one asked', async () => {
    const config = (type: number): Uint8Array =>
      b8(
        encodeConfigurationReply({
          type,
          depth: 5,
          registers: [60],
          raw: { ...EXAMPLE_RAW, date1: 0 },
        }),
      );
    let n = 0;
    await fake(
      () => (n++ === 0 ? Uint8Array.of(...config(2), ...config(4)) : undefined),
      async (c) => {
        const got = await c.configuration(4);
        assert.equal(got.type, 4);
        assert.equal(c.stats.attempts, 1, 'the wrong one skipped, the right one taken from the same burst');
      },
    );
  });
});
