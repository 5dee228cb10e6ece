// The KMP client against the in-process simulator: faults, batching, deadlines (kmp-protocol.md,
// "Physical layer": echo, battery, timeouts; "Application layer": GetRegister; style.md habit 5).
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Decimal } from '../../src/core/decimal.js';
import { Cid, decodeGetRegisterRequest, encodeGetTypeReply, encodeRegisterRecord } from '../../src/kmp/app.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src/kmp/frame.js';
import { Framer } from '../../src/kmp/framer.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { CLASSIC_TEST_REGISTERS } from '../../src/kmp/registers.js';
import { KmpError } from '../../src/kmp/errors.js';
import { KmpClient, type ClientOptions } from '../../src/meter/kmp-client.js';
import { KmpSimulator } from '../../src/simulator/kmp-meter.js';
import { REAL_METER_TIMING, type SimOptions } from '../../src/simulator/spec.js';
import { transportPair, type Transport } from '../../src/meter/transport.js';
import { rng } from '../support/random.js';
import { rejectsWith } from './support.js';

/** 2026-01-05T04:01:40Z, 360100 s after the simulator's T0: values are pinned to it. */
const NOW = Date.UTC(2026, 0, 5, 4, 1, 40);

interface Rig {
  client: KmpClient;
  sim: KmpSimulator;
  clientSide: Transport;
  tx: Uint8Array[];
  rx: Uint8Array[];
}

/** Client and simulator over an in-process transport pair; closed after fn, whatever happens. */
async function withSim(sim: SimOptions, client: ClientOptions, fn: (rig: Rig) => Promise<void>): Promise<void> {
  const [clientSide, meterSide] = transportPair();
  const simulator = new KmpSimulator({ now: () => NOW, random: rng(42).next, ...sim });
  const server = simulator.serve(meterSide);
  const tx: Uint8Array[] = [];
  const rx: Uint8Array[] = [];
  const c = new KmpClient(clientSide, {
    timeoutMs: 200,
    retries: 2,
    log: (dir, bytes) => (dir === 'tx' ? tx : rx).push(Uint8Array.from(bytes)),
    ...client,
  });
  try {
    await fn({ client: c, sim: simulator, clientSide, tx, rx });
  } finally {
    server.stop();
    await clientSide.close();
  }
}

/** Client and a hand-written meter (for replies the simulator cannot be made to give). */
async function withFakeMeter(
  answer: (request: Frame, n: number) => Uint8Array[],
  client: ClientOptions,
  fn: (client: KmpClient) => Promise<void>,
): Promise<void> {
  const [clientSide, meterSide] = transportPair();
  const framer = new Framer('toMeter');
  let n = 0;
  meterSide.setReceiver((chunk) => {
    for (const raw of framer.push(chunk)) for (const reply of answer(decodeFrame(raw), n++)) void meterSide.write(reply);
  });
  try {
    await fn(new KmpClient(clientSide, { timeoutMs: 100, retries: 1, ...client }));
  } finally {
    await clientSide.close();
  }
}

const hexAll = (chunks: Uint8Array[]): string => toHex(Uint8Array.from(chunks.flatMap((c) => [...c])));
const bytesOf = (chunks: Uint8Array[]): number => chunks.reduce((n, c) => n + c.length, 0);
const reply = (cid: number, data: Uint8Array, destination = 0x3f): Uint8Array =>
  encodeFrame({ direction: 'fromMeter', destination, cid, data });

/** Waits for a condition the event loop will bring about (no clock involved). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 100_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'condition reached');
}

describe('client and simulator: the vectors on the wire', () => {
  test('GetType and GetSerialNo: the request and reply bytes are the vectors of kmp-protocol.md', async () => {
    await withSim({}, {}, async ({ client, tx, rx }) => {
      assert.deepEqual(await client.getType(), { type: 0x0004, revision: 'F1' });
      // kmp-protocol.md, "Vectors": GetType request and reply
      assert.equal(hexAll(tx), '80 3F 01 05 8A 0D');
      assert.equal(hexAll(rx), '40 3F 01 00 04 1B F9 01 26 99 0D');
      tx.length = 0;
      rx.length = 0;
      assert.equal(await client.getSerialNo(), 19088743);
      // kmp-protocol.md, "Vectors": GetSerialNo request and reply
      assert.equal(hexAll(tx), '80 3F 02 35 E9 0D');
      assert.equal(hexAll(rx), '40 3F 02 01 23 45 67 E9 56 0D');
      assert.deepEqual(client.stats, { requests: 2, attempts: 2, bytesSent: 12, bytesReceived: 21 });
    });
  });

  test('8 registers 60 68 74 80 86 87 89 266 go in ONE request, byte for byte the vector', async () => {
    await withSim({}, {}, async ({ client, sim, tx }) => {
      const ids = [60, 68, 74, 80, 86, 87, 89, 266];
      const result = await client.readRegisters(ids);
      // kmp-protocol.md, "Vectors": 8 registers 60 68 74 80 86 87 89 266
      assert.equal(hexAll(tx), '80 3F 10 08 00 3C 00 44 00 4A 00 50 00 56 00 57 00 59 01 0A 9E 82 0D');
      assert.equal(client.stats.requests, 1);
      assert.equal(sim.requestsSeen, 1);
      assert.deepEqual([...result.records.keys()], ids);
      assert.deepEqual(result.missing, []);
      assert.deepEqual(result.failed, []);
    });
  });
});

describe('batching (kmp-protocol.md, "Battery": up to 8 per request)', () => {
  for (const n of [0, 1, 7, 8, 9, 15, 16, 17, 24, 25, 31]) {
    test(`${n} distinct registers take exactly ceil(${n}/8) = ${Math.ceil(n / 8)} requests`, async () => {
      await withSim({}, {}, async ({ client, sim }) => {
        const ids = CLASSIC_TEST_REGISTERS.slice(0, n);
        const result = await client.readRegisters(ids);
        const expected = Math.ceil(n / 8);
        assert.equal(client.stats.requests, expected);
        assert.equal(client.stats.attempts, expected);
        assert.equal(sim.requestsSeen, expected);
        const asked = sim.requestLog.map((f) => decodeGetRegisterRequest(f.data));
        for (const batch of asked) assert.ok(batch.length >= 1 && batch.length <= 8);
        assert.deepEqual(asked.flat(), ids, 'every id asked once, in order');
        assert.equal(result.records.size, n);
        assert.deepEqual(result.missing, []);
      });
    });
  }

  test('duplicates are read once', async () => {
    await withSim({}, {}, async ({ client, sim }) => {
      const result = await client.readRegisters([60, 68, 60, 86, 68, 60]);
      assert.equal(client.stats.requests, 1);
      assert.equal(sim.requestsSeen, 1);
      assert.deepEqual(decodeGetRegisterRequest(sim.requestLog[0]!.data), [60, 68, 86]);
      assert.deepEqual([...result.records.keys()], [60, 68, 86]);
    });
  });

  test('9 ids with duplicates, 8 distinct: still one request', async () => {
    await withSim({}, {}, async ({ sim, client }) => {
      await client.readRegisters([60, 68, 74, 80, 86, 87, 89, 266, 60]);
      assert.equal(sim.requestsSeen, 1);
      assert.equal(client.stats.requests, 1);
    });
  });

  test('getRegisters refuses more than 8 without sending anything', async () => {
    await withSim({}, {}, async ({ client, sim }) => {
      await assert.rejects(
        client.getRegisters([1, 2, 3, 4, 5, 6, 7, 8, 9]),
        (e: unknown) => e instanceof KmpError && e.code === 'KMP_BAD_REQUEST',
      );
      assert.equal(sim.requestsSeen, 0);
      assert.equal(client.stats.attempts, 0);
    });
  });
});

describe('faults', () => {
  test('echo: the IR head returns the request first; it is skipped', async () => {
    await withSim({ echo: true }, {}, async ({ client, tx, rx }) => {
      const result = await client.readRegisters([60, 86]);
      assert.deepEqual([...result.records.keys()], [60, 86]);
      assert.ok(hexAll(rx).startsWith(hexAll(tx)), 'the echo really came');
      assert.equal(client.stats.attempts, 1);
      assert.deepEqual(await client.getType(), { type: 4, revision: 'F1' });
      assert.equal(client.stats.attempts, 2);
    });
  });

  test('garbage before the reply', async () => {
    await withSim({ faults: { garbage: true } }, {}, async ({ client, rx }) => {
      const result = await client.readRegisters([60, 86, 87]);
      assert.deepEqual([...result.records.keys()], [60, 86, 87]);
      assert.notEqual(rx[0]![0], 0x40, 'noise came before the start byte');
      assert.equal(client.stats.attempts, 1);
    });
  });

  test('garbage and echo together', async () => {
    await withSim({ echo: true, faults: { garbage: true } }, {}, async ({ client }) => {
      assert.equal(await client.getSerialNo(), 19088743);
      assert.equal(client.stats.attempts, 1);
    });
  });

  test('silentFirst=1: the sleeping IR port answers the 2nd attempt, which is counted', async () => {
    await withSim({ faults: { silentFirst: 1 } }, { timeoutMs: 150 }, async ({ client, sim }) => {
      const result = await client.readRegisters([60]);
      assert.ok(result.records.has(60));
      assert.deepEqual(result.failed, []);
      assert.equal(client.stats.attempts, 2);
      assert.equal(client.stats.requests, 1);
      assert.equal(sim.requestsSeen, 2);
    });
  });

  test('silentFirst beyond the retries: METER_TIMEOUT after retries+1 attempts', async () => {
    await withSim({ faults: { silentFirst: 3 } }, { timeoutMs: 30, retries: 2 }, async ({ client, sim }) => {
      const e = await rejectsWith(client.getType(), 'METER_TIMEOUT');
      assert.equal(e.fields['attempts'], 3);
      assert.equal(sim.requestsSeen, 3);
    });
  });

  test('corruptCrc once: success on the retry', async () => {
    await withSim({ faults: { corruptCrc: 'once' } }, {}, async ({ client, sim }) => {
      const result = await client.readRegisters([60, 68]);
      assert.deepEqual([...result.records.keys()], [60, 68]);
      assert.equal(client.stats.attempts, 2);
      assert.equal(sim.requestsSeen, 2);
    });
  });

  for (const retries of [0, 1, 3]) {
    test(`corruptCrc always, retries=${retries}: METER_BAD_REPLY after exactly ${retries + 1} attempts`, async () => {
      await withSim({ faults: { corruptCrc: 'always' } }, { retries }, async ({ client, sim }) => {
        const e = await rejectsWith(client.getRegisters([60, 68]), 'METER_BAD_REPLY');
        assert.equal(client.stats.attempts, retries + 1);
        assert.equal(sim.requestsSeen, retries + 1);
        assert.equal(e.fields['attempts'], retries + 1);
        assert.ok(e.cause instanceof KmpError, 'the protocol error is the cause');
        assert.match(e.message, /^GetRegister 60, 68 to 0x3F: bad reply \(.+\), \d attempts?$/);
        assert.ok(e.message.endsWith(`, ${retries + 1} attempt${retries === 0 ? '' : 's'}`));
      });
    });
  }

  test('truncate once: success on the retry', async () => {
    await withSim({ faults: { truncate: 'once' } }, { timeoutMs: 150 }, async ({ client, sim }) => {
      assert.equal(await client.getSerialNo(), 19088743);
      assert.equal(client.stats.attempts, 2);
      assert.equal(sim.requestsSeen, 2);
    });
  });

  test('truncate always: METER_TIMEOUT that mentions the unfinished reply', async () => {
    await withSim({ faults: { truncate: 'always' } }, { timeoutMs: 40, retries: 1 }, async ({ client, sim }) => {
      const e = await rejectsWith(client.getRegisters([60]), 'METER_TIMEOUT');
      assert.match(e.message, /^GetRegister 60 to 0x3F: no reply in 40 ms \(\d+ bytes of an unfinished reply\), 2 attempts$/);
      assert.equal(client.stats.attempts, 2);
      assert.equal(sim.requestsSeen, 2);
    });
  });

  test('wrongCommand once: the reply to another command is ignored, the retry succeeds', async () => {
    await withSim({ faults: { wrongCommand: 'once' } }, { timeoutMs: 150 }, async ({ client }) => {
      const records = await client.getRegisters([86, 87]);
      assert.deepEqual(
        records.map((r) => r.id),
        [86, 87],
      );
      assert.equal(client.stats.attempts, 2);
    });
  });

  test('wrongCommand always: METER_TIMEOUT that says what came instead', async () => {
    await withSim({ faults: { wrongCommand: 'always' } }, { timeoutMs: 100, retries: 2 }, async ({ client, sim }) => {
      const e = await rejectsWith(client.getRegisters([86]), 'METER_TIMEOUT');
      assert.equal(e.message, 'GetRegister 86 to 0x3F: no reply in 100 ms (a GetType reply came instead), 3 attempts');
      assert.equal(sim.requestsSeen, 3);
      // The fault is for GetRegister only: GetType still works.
      assert.deepEqual(await client.getType(), { type: 4, revision: 'F1' });
    });
  });

  test('omit: the register is in missing, not a zero', async () => {
    await withSim({ faults: { omit: [86, 1004] } }, {}, async ({ client }) => {
      const result = await client.readRegisters([60, 86, 87, 1004]);
      assert.deepEqual([...result.records.keys()], [60, 87]);
      assert.equal(result.records.get(86), undefined);
      assert.deepEqual(result.missing, [86, 1004]);
      assert.deepEqual(result.failed, []);
      assert.equal(client.stats.attempts, 1);
    });
  });

  test('a register the meter does not know is missing', async () => {
    await withSim({}, {}, async ({ client }) => {
      const result = await client.readRegisters([9999, 60, 40000]);
      assert.deepEqual([...result.records.keys()], [60]);
      assert.deepEqual(result.missing, [9999, 40000]);
    });
  });

  test('noAnswer: METER_TIMEOUT whose message names what was awaited', async () => {
    await withSim({ faults: { noAnswer: true } }, { timeoutMs: 30, retries: 2 }, async ({ client, sim }) => {
      const e = await rejectsWith(client.getRegisters([60, 68]), 'METER_TIMEOUT');
      assert.equal(e.message, 'GetRegister 60, 68 to 0x3F: no reply in 30 ms, 3 attempts');
      assert.equal(e.fields['attempts'], 3);
      assert.equal(e.fields['timeoutMs'], 30);
      assert.equal(sim.requestsSeen, 3);
      const t = await rejectsWith(client.getType(), 'METER_TIMEOUT');
      assert.equal(t.message, 'GetType to 0x3F: no reply in 30 ms, 3 attempts');
    });
  });

  test('noAnswer: after a timeout, later batches are not sent', async () => {
    await withSim({ faults: { noAnswer: true } }, { timeoutMs: 30, retries: 1 }, async ({ client, sim }) => {
      const ids = CLASSIC_TEST_REGISTERS.slice(0, 20);
      const result = await client.readRegisters(ids);
      assert.equal(sim.requestsSeen, 2, 'only the first batch, twice');
      assert.equal(client.stats.requests, 1);
      assert.equal(client.stats.attempts, 2);
      assert.equal(result.records.size, 0);
      assert.deepEqual(result.missing, []);
      assert.deepEqual(
        result.failed.map((f) => f.ids),
        [ids.slice(0, 8), ids.slice(8, 16), ids.slice(16)],
      );
      for (const f of result.failed) assert.equal(f.error.code, 'METER_TIMEOUT');
    });
  });

  test('a bad reply does not stop later batches', async () => {
    await withSim({ faults: { corruptCrc: 'always' } }, { retries: 0 }, async ({ client, sim }) => {
      const result = await client.readRegisters(CLASSIC_TEST_REGISTERS.slice(0, 17));
      assert.equal(sim.requestsSeen, 3);
      assert.deepEqual(
        result.failed.map((f) => f.error.code),
        ['METER_BAD_REPLY', 'METER_BAD_REPLY', 'METER_BAD_REPLY'],
      );
    });
  });

  test('vanishAfter: the link closes, the next request is METER_LOST', async () => {
    await withSim({ faults: { vanishAfter: 1 } }, {}, async ({ client, sim }) => {
      assert.deepEqual(await client.getType(), { type: 4, revision: 'F1' });
      const e = await rejectsWith(client.getSerialNo(), 'METER_LOST');
      assert.match(e.message, /^GetSerialNo to 0x3F: sim went away \(sim: the other end closed the link\)/);
      assert.equal(sim.requestsSeen, 1);
      // And it stays lost, at once.
      await rejectsWith(client.getType(), 'METER_LOST');
    });
  });

  test('vanishAfter in readRegisters: the first batch is read, the rest fail as METER_LOST', async () => {
    await withSim({ faults: { vanishAfter: 1 } }, {}, async ({ client, sim }) => {
      const ids = CLASSIC_TEST_REGISTERS.slice(0, 17);
      const result = await client.readRegisters(ids);
      assert.deepEqual([...result.records.keys()], ids.slice(0, 8));
      assert.deepEqual(
        result.failed.map((f) => [f.ids, f.error.code]),
        [
          [ids.slice(8, 16), 'METER_LOST'],
          [ids.slice(16), 'METER_LOST'],
        ],
      );
      assert.equal(sim.requestsSeen, 1);
    });
  });

  test('batches after a lost link carry the lost-link error, not an earlier bad reply', async () => {
    // Batch 1 gets only corrupt replies (and counts as answered), then the meter vanishes.
    await withSim({ faults: { corruptCrc: 'always', vanishAfter: 2 } }, { retries: 1 }, async ({ client }) => {
      const ids = CLASSIC_TEST_REGISTERS.slice(0, 24);
      const result = await client.readRegisters(ids);
      assert.deepEqual(
        result.failed.map((f) => [f.ids, f.error.code]),
        [
          [ids.slice(0, 8), 'METER_BAD_REPLY'],
          [ids.slice(8, 16), 'METER_LOST'],
          [ids.slice(16), 'METER_LOST'],
        ],
      );
    });
  });

  test('abort: METER_ABORTED at once, no retry, even with a long deadline', { timeout: 30_000 }, async () => {
    const ac = new AbortController();
    await withSim({ faults: { noAnswer: true } }, { timeoutMs: 60_000, retries: 5, signal: ac.signal }, async ({ client, sim }) => {
      const p = client.getRegisters([60]);
      await until(() => sim.requestsSeen === 1);
      const reason = new Error('SIGINT');
      ac.abort(reason);
      const e = await rejectsWith(p, 'METER_ABORTED');
      assert.match(e.message, /GetRegister 60 to 0x3F/, 'says what was awaited');
      assert.equal(e.cause, reason);
      assert.equal(client.stats.attempts, 1);
      // An aborted client sends nothing more.
      await rejectsWith(client.getType(), 'METER_ABORTED');
      assert.equal(client.stats.attempts, 1);
      assert.equal(sim.requestsSeen, 1);
    });
  });

  test('abort during readRegisters is thrown, not reported as a failed batch', { timeout: 30_000 }, async () => {
    const ac = new AbortController();
    await withSim({ faults: { noAnswer: true } }, { timeoutMs: 60_000, signal: ac.signal }, async ({ client, sim }) => {
      const p = client.readRegisters(CLASSIC_TEST_REGISTERS);
      await until(() => sim.requestsSeen === 1);
      ac.abort('deadline');
      const e = await rejectsWith(p, 'METER_ABORTED');
      assert.match(e.message, /GetRegister 60, 80, 86, 87, 89, 74, 68, 141 to 0x3F/);
      assert.equal(e.cause, 'deadline');
      assert.equal(sim.requestsSeen, 1);
    });
  });
});

describe('reply matching (style.md habit 5: matched by content)', () => {
  const record = (id: number, value: number): Uint8Array => encodeRegisterRecord({ id, unitCode: 0x02, value: Decimal.of(value) });

  test('records for ids not asked for are rejected; the client keeps waiting', async () => {
    await withFakeMeter(
      () => [reply(Cid.GetRegister, record(61, 5))],
      { timeoutMs: 100, retries: 1 },
      async (client) => {
        const e = await rejectsWith(client.getRegisters([60]), 'METER_TIMEOUT');
        assert.equal(e.message, 'GetRegister 60 to 0x3F: no reply in 100 ms (register 0x003D was not asked for), 2 attempts');
      },
    );
  });

  test('a reply mixing asked and not-asked ids is rejected too', async () => {
    await withFakeMeter(
      () => [reply(Cid.GetRegister, Uint8Array.of(...record(60, 1), ...record(61, 2)))],
      { timeoutMs: 40, retries: 0 },
      async (client) => {
        await rejectsWith(client.getRegisters([60]), 'METER_TIMEOUT');
      },
    );
  });

  test('after a stranger and a reply to another command, the real answer is taken', async () => {
    await withFakeMeter(
      () => [
        reply(Cid.GetRegister, record(61, 5)),
        reply(Cid.GetType, encodeGetTypeReply({ type: 4, letter: 1, number: 0 })),
        reply(Cid.GetRegister, record(60, 7)),
      ],
      { timeoutMs: 1000, retries: 0 },
      async (client) => {
        const records = await client.getRegisters([60]);
        assert.deepEqual(
          records.map((r) => [r.id, r.value.toString()]),
          [[60, '7']],
        );
        assert.equal(client.stats.attempts, 1);
      },
    );
  });

  test('the empty reply 40 3F 10 07 9A 0D: every register missing', async () => {
    // kmp-protocol.md, "Application layer": an empty reply means none was recognised
    await withFakeMeter(
      () => [fromHex('40 3F 10 07 9A 0D')],
      {},
      async (client) => {
        const result = await client.readRegisters([60, 68]);
        assert.equal(result.records.size, 0);
        assert.deepEqual(result.missing, [60, 68]);
        assert.deepEqual(result.failed, []);
      },
    );
  });

  test('a malformed record in a good frame is a bad reply, with the KmpError as cause', async () => {
    await withFakeMeter(
      () => [reply(Cid.GetRegister, fromHex('00 3C 02 04 00 00 01'))],
      { retries: 1 },
      async (client) => {
        const e = await rejectsWith(client.getRegisters([60]), 'METER_BAD_REPLY');
        assert.ok(e.cause instanceof KmpError);
        assert.equal(e.cause.code, 'KMP_BAD_RECORD');
        assert.equal(client.stats.attempts, 2);
      },
    );
  });
});

describe('real timing (kmp-protocol.md, "Physical layer": 1200 baud 8N2, ~0.25 s latency)', () => {
  test('one request for 8 registers takes at least the physical floor', async () => {
    await withSim({ ...REAL_METER_TIMING }, { timeoutMs: 5000 }, async ({ client, sim, tx, rx }) => {
      const started = performance.now();
      const records = await client.getRegisters([60, 68, 74, 80, 86, 87, 89, 266]);
      const elapsedMs = performance.now() - started;
      assert.equal(records.length, 8);
      assert.equal(sim.requestsSeen, 1);
      const bytes = bytesOf(tx) + bytesOf(rx);
      assert.equal(bytesOf(tx), 23);
      // Every byte is 11 bits on the wire (8N2), in both directions, plus the meter's latency.
      const floorMs = (bytes * 11 * 1000) / 1200 + REAL_METER_TIMING.latencyMs;
      // Node's timers are millisecond-grained and may fire up to ~1 ms early; two plain sleeps
      // (request on the wire, latency) allow 2 ms of slack. A byte time is 9.2 ms.
      assert.ok(elapsedMs >= floorMs - 2, `took ${elapsedMs.toFixed(1)} ms, the wire needs ${floorMs.toFixed(1)} ms for ${bytes} bytes`);
    });
  });
});
