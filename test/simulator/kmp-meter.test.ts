// The simulated MULTICAL: its replies (kmp-protocol.md, "Vectors", "Application layer", "The registers users
// read most") and its faults, first without a transport, then through KMP with the client.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors.js';
import { Decimal } from '../../src/core/decimal.js';
import { Cid, decodeRegisterRecords, encodeGetRegisterRequest, type RegisterRecord } from '../../src/kmp/app.js';
import { KmpError } from '../../src/kmp/errors.js';
import { formatRecord } from '../../src/kmp/format.js';
import { decodeFrame, encodeFrame } from '../../src/kmp/frame.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { CLASSIC_TEST_REGISTERS, unitSymbol } from '../../src/kmp/registers.js';
import { KmpClient } from '../../src/meter/kmp-client.js';
import { KmpSimulator } from '../../src/simulator/kmp-meter.js';
import { REAL_METER_TIMING, parseSimSpec, type SimOptions } from '../../src/simulator/spec.js';
import { transportPair } from '../../src/meter/transport.js';
import { rng } from '../support/random.js';

/** The simulator counts its totals from 2026-01-01T00:00:00Z. */
const T0_MS = Date.UTC(2026, 0, 1);
/** 100 hours and 100 seconds later: 2026-01-05T04:01:40Z. */
const NOW = T0_MS + 360_100_000;
const DAY_MS = 86_400_000;

const getRegisterRequest = (ids: number[], destination = 0x3f): Uint8Array =>
  encodeFrame({ direction: 'toMeter', destination, cid: Cid.GetRegister, data: encodeGetRegisterRequest(ids) });

function sim(options: SimOptions = {}): KmpSimulator {
  return new KmpSimulator({ now: () => NOW, random: () => 0.5, ...options });
}

/** Asks the simulator directly (no transport) and decodes its reply. */
function read(s: KmpSimulator, ids: number[]): Map<number, RegisterRecord> {
  const reply = s.reply(getRegisterRequest(ids));
  assert.ok(reply, 'the simulator answers');
  const frame = decodeFrame(reply);
  assert.equal(frame.direction, 'fromMeter');
  assert.equal(frame.cid, Cid.GetRegister);
  return new Map(decodeRegisterRecords(frame.data).map((r) => [r.id, r]));
}

function value(s: KmpSimulator, id: number): RegisterRecord {
  const r = read(s, [id]).get(id);
  assert.ok(r, `register ${id}`);
  return r;
}

describe('simulator replies, byte for byte', () => {
  test('GetType and GetSerialNo answer with the vectors of kmp-protocol.md', () => {
    const s = sim();
    // kmp-protocol.md, "Vectors": GetType request → reply; GetSerialNo request → reply
    assert.equal(toHex(s.reply(fromHex('80 3F 01 05 8A 0D'))!), '40 3F 01 00 04 1B F9 01 26 99 0D');
    assert.equal(toHex(s.reply(fromHex('80 3F 02 35 E9 0D'))!), '40 3F 02 01 23 45 67 E9 56 0D');
    assert.equal(s.requestsSeen, 2);
  });

  test('serialNo and meterType options', () => {
    const s = sim({ serialNo: 4294967295, meterType: 0x1234 });
    assert.equal(toHex(decodeFrame(s.reply(fromHex('80 3F 02 35 E9 0D'))!).data), 'FF FF FF FF');
    assert.equal(toHex(decodeFrame(s.reply(fromHex('80 3F 01 05 8A 0D'))!).data), '12 34 06 01');
    assert.equal(value(s, 1001).value.toString(), '4294967295');
  });

  test('only unknown registers: the empty reply 40 3F 10 07 9A 0D', () => {
    // kmp-protocol.md, "Application layer": An empty reply (40 3F 10 07 9A 0D) means none was recognised.
    const s = sim();
    assert.equal(s.knows(9999), false);
    assert.equal(toHex(s.reply(getRegisterRequest([9999, 0, 65535]))!), '40 3F 10 07 9A 0D');
  });

  test('unknown registers are left out, the others come in request order', () => {
    const s = sim();
    const reply = s.reply(getRegisterRequest([87, 9999, 60, 2, 86]))!;
    assert.deepEqual(
      decodeRegisterRecords(decodeFrame(reply).data).map((r) => r.id),
      [87, 60, 86],
    );
  });

  test('the request vectors for 60 and 1002 are understood', () => {
    const s = sim();
    // kmp-protocol.md, "Vectors": GetRegister request for 60, for 1002
    const r60 = decodeRegisterRecords(decodeFrame(s.reply(fromHex('80 3F 10 01 00 3C B2 5F 0D'))!).data);
    assert.deepEqual(
      r60.map((r) => r.id),
      [60],
    );
    const r1002 = decodeRegisterRecords(decodeFrame(s.reply(fromHex('80 3F 10 01 03 EA 4C B7 0D'))!).data);
    assert.deepEqual(
      r1002.map((r) => [r.id, r.unitCode]),
      [[1002, 0x2f]],
    );
  });

  test('it knows all 31 classic test registers', () => {
    const s = sim();
    for (const id of CLASSIC_TEST_REGISTERS) assert.ok(s.knows(id), `register ${id}`);
    const all = new Map([...read(s, CLASSIC_TEST_REGISTERS.slice(0, 8)), ...read(s, CLASSIC_TEST_REGISTERS.slice(8, 16))]);
    assert.equal(all.size, 16);
  });

  test('what a real meter ignores gets no reply: a broken frame, another address', () => {
    const s = sim();
    assert.equal(s.reply(fromHex('80 3F 01 05 8B 0D')), null, 'bad CRC');
    assert.equal(s.reply(fromHex('80 3F 01 05')), null, 'no stop byte');
    assert.equal(s.requestsSeen, 0, 'frames it could not read are not counted');
    assert.equal(s.reply(getRegisterRequest([60], 0x7f)), null, 'a logger module address');
    assert.equal(s.requestsSeen, 1);
  });
});

describe('simulator values', () => {
  test('energy in MWh (default), GJ or kWh, exact', () => {
    // E1 = 55006 kWh + 12.3 kW × 100.03 h = 56236 kWh (whole kWh)
    const mwh = value(sim(), 60);
    assert.equal(mwh.unitCode, 0x03);
    assert.equal(unitSymbol(mwh.unitCode), 'MWh');
    assert.equal(mwh.value.toString(), '56.236');
    const gj = value(sim({ energyUnit: 'GJ' }), 60);
    assert.equal(gj.unitCode, 0x08);
    assert.equal(unitSymbol(gj.unitCode), 'GJ');
    assert.equal(gj.value.toString(), '202.4496', '1 kWh = 0.0036 GJ exactly');
    const kwh = value(sim({ energyUnit: 'kWh' }), 60);
    assert.equal(kwh.unitCode, 0x02);
    assert.equal(kwh.value.toString(), '56236');
    assert.ok(gj.value.equals(kwh.value.mul(Decimal.of(36, -4))));
    assert.ok(mwh.value.equals(kwh.value.shift(-3)));
  });

  test('E1 high resolution (266, Wh) agrees with E1', () => {
    const s = sim({ energyUnit: 'kWh' });
    const records = read(s, [60, 266]);
    assert.equal(unitSymbol(records.get(266)!.unitCode), 'Wh');
    assert.equal(records.get(266)!.value.toString(), '56236341');
    assert.ok(records.get(266)!.value.div(Decimal.of(1000), 0).floor().equals(records.get(60)!.value));
  });

  test('energy, volume and counters grow over time, and never decrease', () => {
    let now = NOW;
    const s = new KmpSimulator({ now: () => now });
    const ids = [60, 61, 68, 239, 266, 97, 110, 1004];
    const before = read(s, ids);
    now += DAY_MS;
    const after = read(s, ids);
    for (const id of ids) {
      const a = before.get(id)!.value;
      const b = after.get(id)!.value;
      assert.equal(b.compare(a), 1, `register ${id} grew: ${a.toString()} → ${b.toString()}`);
    }
    // One day at 12.3 kW average is 295.2 kWh; the hour counter counts 24 more hours.
    assert.equal(after.get(60)!.value.sub(before.get(60)!.value).toString(), '0.295');
    assert.equal(after.get(1004)!.value.sub(before.get(1004)!.value).toString(), '24');
    assert.equal(before.get(68)!.value.toString(), '1280.17');
    assert.equal(unitSymbol(before.get(68)!.unitCode), 'm³');
    assert.equal(before.get(1004)!.value.toString(), '21532');
    assert.equal(unitSymbol(before.get(1004)!.unitCode), 'h');
  });

  test('temperatures in °C with two decimals; Tempdiff = Temp1 − Temp2 exactly, in K', () => {
    let now = NOW;
    const s = new KmpSimulator({ now: () => now });
    for (let i = 0; i < 200; i++) {
      now = NOW + i * 37_000;
      const r = read(s, [86, 87, 89]);
      const t1 = r.get(86)!;
      const t2 = r.get(87)!;
      const diff = r.get(89)!;
      assert.equal(unitSymbol(t1.unitCode), '°C');
      assert.equal(unitSymbol(t2.unitCode), '°C');
      assert.equal(unitSymbol(diff.unitCode), 'K');
      assert.equal(t1.value.exponent, -2);
      assert.ok(t1.value.compare(Decimal.of(6293, -2)) >= 0 && t1.value.compare(Decimal.of(6793, -2)) <= 0, t1.value.toString());
      assert.ok(t2.value.compare(Decimal.of(3901, -2)) >= 0 && t2.value.compare(Decimal.of(4141, -2)) <= 0, t2.value.toString());
      assert.equal(diff.value.toString(), t1.value.sub(t2.value).toString(), `at ${i}`);
    }
  });

  test('temperatures move with time', () => {
    let now = NOW;
    const s = new KmpSimulator({ now: () => now });
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      now = NOW + i * 60_000;
      seen.add(value(s, 86).value.toString());
    }
    assert.ok(seen.size > 5, `${seen.size} different Temp1 values in 20 minutes`);
  });

  test('date and time registers show the pinned clock', () => {
    const r = read(sim(), [1002, 1003, 140]);
    assert.deepEqual(formatRecord(r.get(1003)!), { text: '2026-01-05', numeric: false, unit: 'yy:mm:dd' });
    assert.deepEqual(formatRecord(r.get(1002)!), { text: '04:01:40', numeric: false, unit: 'hh:mm:ss' });
    assert.equal(formatRecord(r.get(140)!).text, '2026-01-02', 'MinFlowDate_M: 3 days before');
  });
});

describe('simulator faults, reply by reply', () => {
  const request = getRegisterRequest([60, 86]);

  test('corruptCrc once: the first reply fails its check, the next does not', () => {
    const s = sim({ faults: { corruptCrc: 'once' } });
    assert.throws(() => decodeFrame(s.reply(request)!), KmpError);
    assert.deepEqual(
      decodeRegisterRecords(decodeFrame(s.reply(request)!).data).map((r) => r.id),
      [60, 86],
    );
  });

  test('corruptCrc always: every reply fails', () => {
    const s = sim({ faults: { corruptCrc: 'always' } });
    for (let i = 0; i < 3; i++) assert.throws(() => decodeFrame(s.reply(request)!), KmpError);
  });

  test('truncate: the reply is cut off before its stop byte', () => {
    const good = sim().reply(request)!;
    const s = sim({ faults: { truncate: 'once' } });
    const cut = s.reply(request)!;
    assert.ok(cut.length < good.length);
    assert.equal(toHex(cut), toHex(good.subarray(0, cut.length)));
    assert.ok(!cut.includes(0x0d), 'no stop byte');
    assert.equal(toHex(s.reply(request)!), toHex(good));
  });

  test('garbage: noise without start bytes, then the whole reply', () => {
    const good = sim().reply(request)!;
    const s = sim({ faults: { garbage: true }, random: rng(1).next });
    for (let i = 0; i < 20; i++) {
      const bytes = s.reply(request)!;
      const noise = bytes.subarray(0, bytes.length - good.length);
      assert.ok(noise.length >= 3 && noise.length <= 10, `${noise.length} bytes of noise`);
      assert.ok(!noise.includes(0x40) && !noise.includes(0x80));
      assert.equal(toHex(bytes.subarray(noise.length)), toHex(good));
    }
  });

  test('wrongCommand once: a GetType reply to a GetRegister request, then the right one', () => {
    const s = sim({ faults: { wrongCommand: 'once' } });
    assert.equal(decodeFrame(s.reply(request)!).cid, Cid.GetType);
    assert.equal(decodeFrame(s.reply(request)!).cid, Cid.GetRegister);
  });

  test('noAnswer and silentFirst: silence, but the requests are counted', () => {
    const mute = sim({ faults: { noAnswer: true } });
    assert.equal(mute.reply(request), null);
    assert.equal(mute.reply(request), null);
    assert.equal(mute.requestsSeen, 2);
    const sleepy = sim({ faults: { silentFirst: 2 } });
    assert.equal(sleepy.reply(request), null);
    assert.equal(sleepy.reply(request), null);
    assert.notEqual(sleepy.reply(request), null);
    assert.equal(sleepy.requestLog.length, 3);
  });

  test('omit: the register is left out as if unknown', () => {
    const r = read(sim({ faults: { omit: [86] } }), [60, 86, 87]);
    assert.deepEqual([...r.keys()], [60, 87]);
  });
});

describe('simulator served over a transport', () => {
  test('energy grows between two reads through KMP', async () => {
    let now = NOW;
    const [clientSide, meterSide] = transportPair();
    const server = new KmpSimulator({ now: () => now, energyUnit: 'kWh' }).serve(meterSide);
    try {
      const client = new KmpClient(clientSide, { timeoutMs: 500 });
      const first = (await client.readRegisters([60])).records.get(60)!.value;
      now += 10 * DAY_MS;
      const second = (await client.readRegisters([60])).records.get(60)!.value;
      assert.equal(first.toString(), '56236');
      assert.equal(second.sub(first).toString(), '2952');
    } finally {
      server.stop();
      await clientSide.close();
    }
  });

  test('echo: the request comes back before the reply', async () => {
    const [clientSide, meterSide] = transportPair();
    const chunks: number[] = [];
    clientSide.setReceiver((c) => chunks.push(...c));
    const server = sim({ echo: true }).serve(meterSide);
    try {
      const request = fromHex('80 3F 01 05 8A 0D');
      await clientSide.write(request);
      for (let i = 0; i < 1000 && chunks.length < 17; i++) await new Promise((r) => setImmediate(r));
      assert.equal(toHex(Uint8Array.from(chunks)), '80 3F 01 05 8A 0D 40 3F 01 00 04 1B F9 01 26 99 0D');
    } finally {
      server.stop();
      await clientSide.close();
    }
  });

  test('vanishAfter: the meter closes the link and stops serving', async () => {
    const [clientSide, meterSide] = transportPair();
    let lost: Error | undefined;
    clientSide.onLost((e) => (lost = e));
    clientSide.setReceiver(() => {});
    const server = sim({ faults: { vanishAfter: 1 } }).serve(meterSide);
    await clientSide.write(fromHex('80 3F 01 05 8A 0D'));
    await server.done;
    for (let i = 0; i < 1000 && !lost; i++) await new Promise((r) => setImmediate(r));
    assert.ok(lost, 'the client side learnt that the link went away');
    await clientSide.close();
  });
});

describe('parseSimSpec', () => {
  test('the words of multical simulate --fault', () => {
    assert.deepEqual(parseSimSpec('sim'), { faults: {} });
    assert.deepEqual(parseSimSpec('sim:echo,real-timing,crc-once,omit=86+87,energy=GJ,silent-first,vanish-after=3'), {
      echo: true,
      baud: REAL_METER_TIMING.baud,
      latencyMs: REAL_METER_TIMING.latencyMs,
      energyUnit: 'GJ',
      faults: { corruptCrc: 'once', omit: [86, 87], silentFirst: 1, vanishAfter: 3 },
    });
    assert.deepEqual(
      parseSimSpec('sim:no-answer,garbage,truncate-always,wrong-command,crc-always,silent-first=2,latency=5,baud=9600').faults,
      {
        noAnswer: true,
        garbage: true,
        truncate: 'always',
        wrongCommand: 'always',
        corruptCrc: 'always',
        silentFirst: 2,
      },
    );
  });

  test('bad words are usage errors', () => {
    for (const spec of ['sim:nonsense', 'sim:energy=Wh', 'sim:omit=abc', 'sim:omit=70000', 'sim:latency=-1', 'sim:vanish-after=x']) {
      assert.throws(() => parseSimSpec(spec), UsageError, spec);
    }
  });
});
