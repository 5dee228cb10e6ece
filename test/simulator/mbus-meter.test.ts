// The simulated M-Bus: the Kamstrup module's records (mbus-protocol.md §7, §9.2), the slave's FCB and
// selection behaviour (§2), a bus where two answers superimpose (§1 "Collisions"), the faults, the sim words
// and the wire pacing at 2400 baud.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors.js';
import { fromHex, toHex } from '../../src/core/hex.js';
import { decodeFrame, decodeTelegram, reqUd2, selectSecondary, sndNke, MbusError, Address } from '../../src/mbus/index.js';
import { transportPair } from '../../src/meter/transport.js';
import { MbusBusSimulator, superimpose } from '../../src/simulator/mbus-bus.js';
import { MbusSlave, type MbusSlaveOptions } from '../../src/simulator/mbus-meter.js';
import { addressFromId, REAL_MBUS_TIMING } from '../../src/simulator/mbus-spec.js';
import { primaryTarget, secondaryTarget } from '../../src/meter/mbus-target.js';
import { parseSimSpec } from '../../src/simulator/spec.js';
import { MC403_REPLY } from '../mbus/support.js';
import { NOW } from '../meter/mbus-rig.js';

const SLAVE: MbusSlaveOptions = {
  id: '12345678',
  address: 78,
  model: '403',
  telegrams: 1,
  energyUnit: 'kWh',
  serialNo: 19088743,
  omit: [],
  implausible: false,
};
const slave = (o: Partial<MbusSlaveOptions> = {}): MbusSlave => new MbusSlave({ ...SLAVE, ...o }, () => NOW);
const ask = (s: MbusSlave, bytes: Uint8Array): string | null => {
  const r = s.answer(decodeFrame(bytes));
  return r === null ? null : toHex(r);
};

describe('the records of a simulated Kamstrup module', () => {
  test('MULTICAL 403: the 20 records of §9.2, DIF and VIF for DIF and VIF, in that order; version 0x34, medium 0x0C', () => {
    const t = decodeTelegram(fromHex(ask(slave(), reqUd2(78, true))!));
    const doc = decodeTelegram(MC403_REPLY);
    assert.deepEqual(
      t.records.map((r) => `${r.dif} ${r.vif}`),
      doc.records.map((r) => `${r.dif} ${r.vif}`),
    );
    assert.deepEqual(
      t.records.map((r) => r.register),
      doc.records.map((r) => r.register),
    );
    assert.deepEqual([t.header!.id, t.header!.manufacturer, t.header!.version, t.header!.medium.code], ['12345678', 'KAM', 0x34, 0x0c]);
    assert.equal(t.address, 78);
    assert.deepEqual(t.problems, []);
    assert.deepEqual(t.records[16]!.value, { kind: 'datetime', text: '2026-01-05T04:01', summerTime: false });
    assert.deepEqual(t.records[19]!.value, { kind: 'date', text: '2026-01-01' }, 'the target date: the first of the month');
  });

  test('MULTICAL 603: version 0x35, also the tariff registers, pulse inputs and more target-date values; one frame', () => {
    const bytes = fromHex(ask(slave({ model: '603' }), reqUd2(78, true))!);
    const t = decodeTelegram(bytes);
    assert.equal(t.header!.version, 0x35);
    assert.deepEqual(t.problems, []);
    for (const id of [64, 65, 84, 85])
      assert.ok(
        t.records.some((r) => r.register === id),
        `register ${id}`,
      );
    assert.equal(t.records.length, 29);
    assert.ok(bytes.length <= 261 && bytes.length > 180, `${bytes.length} bytes`);
  });

  for (const [unit, vif, e3] of [
    ['kWh', '06', '86 3C'],
    ['GJ', '0F', '8F 3C'],
    ['MWh', 'FB 00', 'FB 80 3C'],
  ] as const) {
    test(`energy in ${unit}: E1 as ${vif}, E3 as ${e3}; both map to their registers`, () => {
      const t = decodeTelegram(fromHex(ask(slave({ energyUnit: unit }), reqUd2(78, true))!));
      const e1 = t.records.find((r) => r.register === 60)!;
      const e3r = t.records.find((r) => r.register === 63)!;
      assert.deepEqual([e1.vif, e1.unit], [vif, unit]);
      assert.deepEqual([e3r.vif, e3r.unit], [e3, unit]);
    });
  }

  test('omit and implausible: records left out by register; T1 reads 1000.0 °C', () => {
    const t = decodeTelegram(fromHex(ask(slave({ omit: [68, 86], implausible: false }), reqUd2(78, true))!));
    assert.ok(!t.records.some((r) => r.register === 68 || r.register === 86));
    const hot = decodeTelegram(fromHex(ask(slave({ implausible: true }), reqUd2(78, true))!));
    const t1 = hot.records.find((r) => r.register === 86)!;
    assert.deepEqual([t1.value.kind === 'number' && t1.value.value.toString(), t1.unit], ['1000.0', '°C']);
  });
});

describe('the slave (mbus-protocol.md §2)', () => {
  test('SND_NKE → E5 at its address and at FE; nothing at FD, FF or another address', () => {
    const s = slave();
    assert.equal(ask(s, sndNke(78)), 'E5');
    assert.equal(ask(s, sndNke(Address.BROADCAST_REPLY)), 'E5');
    assert.equal(ask(s, sndNke(Address.NETWORK)), null);
    assert.equal(ask(s, sndNke(Address.BROADCAST)), null);
    assert.equal(ask(s, sndNke(77)), null);
    assert.equal(ask(s, reqUd2(77, true)), null);
  });

  test('FCB: the same FCB gets the same telegram again; a toggled one the next; SND_NKE starts over', () => {
    const s = slave({ telegrams: 2 });
    ask(s, sndNke(78));
    const t1 = ask(s, reqUd2(78, true))!;
    assert.equal(ask(s, reqUd2(78, true)), t1, 'lost: repeated byte for byte');
    const t2 = ask(s, reqUd2(78, false))!;
    const d1 = decodeTelegram(fromHex(t1));
    const d2 = decodeTelegram(fromHex(t2));
    assert.deepEqual([d1.moreFollows, d2.moreFollows], [true, false]);
    assert.deepEqual([d1.header!.accessNumber, d2.header!.accessNumber], [1, 2]);
    const again = decodeTelegram(fromHex(ask(s, reqUd2(78, true))!));
    assert.equal(again.moreFollows, true, 'toggled after the last: the cycle starts again');
    ask(s, sndNke(78));
    assert.equal(decodeTelegram(fromHex(ask(s, reqUd2(78, false))!)).moreFollows, true, 'after SND_NKE: telegram 1 whatever the FCB');
  });

  test('selection: a matching mask gets E5 and the meter answers at FD; another mask deselects it; SND_NKE to FD too', () => {
    const s = slave();
    assert.equal(ask(s, reqUd2(Address.NETWORK, true)), null, 'not selected');
    assert.equal(ask(s, selectSecondary({ id: '1234FFFF', manufacturer: 'KAM' })), 'E5');
    assert.equal(decodeTelegram(fromHex(ask(s, reqUd2(Address.NETWORK, true))!)).header!.id, '12345678');
    assert.equal(ask(s, selectSecondary({ id: '9FFFFFFF' })), null);
    assert.equal(ask(s, reqUd2(Address.NETWORK, true)), null, 'deselected by another selection');
    assert.equal(ask(s, selectSecondary({ id: 'FFFFFFFF', version: 0x34, medium: 0x0c })), 'E5');
    assert.equal(ask(s, sndNke(Address.NETWORK)), null);
    assert.equal(ask(s, reqUd2(Address.NETWORK, true)), null, 'deselected by SND_NKE to FD');
    assert.equal(ask(s, selectSecondary({ id: 'FFFFFFFF', manufacturer: 'ABC' })), null);
  });

  test('the default primary address follows Kamstrup: the last 3 digits of the ID if ≤ 250, else the last 2', () => {
    assert.equal(addressFromId('12345678'), 78);
    assert.equal(addressFromId('58300187'), 187);
    assert.equal(addressFromId('00000250'), 250);
    assert.equal(addressFromId('00000251'), 51);
  });
});

describe('the bus: answers superimpose, faults reach the master', () => {
  test('two E5 make one clean E5; two telegrams make garbage that fails its checks', () => {
    assert.equal(toHex(superimpose([fromHex('E5'), fromHex('E5')])), 'E5');
    const a = fromHex(ask(slave(), reqUd2(Address.BROADCAST_REPLY, true))!);
    const b = fromHex(ask(slave({ id: '87654321', address: 21 }), reqUd2(Address.BROADCAST_REPLY, true))!);
    assert.throws(() => decodeFrame(superimpose([a, b])), MbusError);
  });

  test('a bus of three: each answers at its address; at FE all three answer at once', () => {
    const bus = new MbusBusSimulator({ ...parseSimSpec('sim:bus=11111111@1+22222222@2+33333333@3', 'mbus'), now: () => NOW });
    for (const a of [1, 2, 3]) assert.equal(decodeTelegram(bus.reply(reqUd2(a, true))!).address, a);
    assert.equal(bus.reply(reqUd2(4, true)), null);
    assert.equal(toHex(bus.reply(sndNke(Address.BROADCAST_REPLY))!), 'E5');
    assert.throws(() => decodeFrame(bus.reply(reqUd2(Address.BROADCAST_REPLY, false))!), MbusError);
  });

  test('faults: crc-once, truncate-once and collide-once spoil one telegram; silent-first the first frame; garbage adds no start byte', () => {
    const bus = (w: string): MbusBusSimulator =>
      new MbusBusSimulator({ ...parseSimSpec(`sim:${w}`, 'mbus'), now: () => NOW, random: () => 0.5 });
    for (const w of ['crc-once', 'truncate-once', 'collide-once']) {
      const b = bus(w);
      assert.equal(toHex(b.reply(sndNke(78))!), 'E5', `${w}: an E5 has nothing to spoil`);
      assert.throws(() => decodeFrame(b.reply(reqUd2(78, true))!), MbusError, w);
      assert.doesNotThrow(() => decodeTelegram(b.reply(reqUd2(78, true))!), w);
    }
    const silent = bus('silent-first=2');
    assert.deepEqual([silent.reply(sndNke(78)), silent.reply(sndNke(78))], [null, null]);
    assert.equal(toHex(silent.reply(sndNke(78))!), 'E5');
    const noisy = bus('garbage').reply(sndNke(78))!;
    assert.equal(noisy[noisy.length - 1], 0xe5);
    assert.ok(noisy.subarray(0, -1).every((x) => ![0x68, 0x10, 0xe5, 0x16].includes(x)));
    assert.equal(bus('').reply(fromHex('10 40 4E 8F 16')), null, 'a frame with a bad checksum is not heard');
  });

  test('served at 2400 baud the reply trickles in byte by byte after the latency (wire.ts pacing), within a generous bound', async () => {
    const [master, meter] = transportPair();
    const bus = new MbusBusSimulator({ ...parseSimSpec('sim:real-timing', 'mbus'), now: () => NOW });
    const served = bus.serve(meter);
    const chunks: Uint8Array[] = [];
    master.setReceiver((c) => chunks.push(c));
    const t0 = performance.now();
    await master.write(reqUd2(78, true));
    while (chunks.reduce((n, c) => n + c.length, 0) < 137 && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
    served.stop();
    await master.close();
    assert.equal(
      chunks.reduce((n, c) => n + c.length, 0),
      137,
    );
    assert.ok(chunks.length > 20, `${chunks.length} chunks: paced, not one burst`);
    assert.ok(performance.now() - t0 < 10_000);
    assert.deepEqual(REAL_MBUS_TIMING, { baud: 2400, latencyMs: 50 });
  });
});

describe('sim words and the protocol', () => {
  test('M-Bus words: model, address, id, telegrams, bus, collide; real-timing is 2400 baud, 50 ms', () => {
    const o = parseSimSpec('sim:model=603,address=5,id=87654321,telegrams=2,collide-once,real-timing', 'mbus');
    assert.deepEqual(o.mbus, { model: '603', address: 5, id: '87654321', telegrams: 2 });
    assert.equal(o.faults!.collide, 'once');
    assert.deepEqual([o.baud, o.latencyMs, o.protocol], [2400, 50, 'mbus']);
    assert.deepEqual(parseSimSpec('sim:bus=11111111@1+22222222@250', 'mbus').mbus!.bus, [
      { id: '11111111', address: 1 },
      { id: '22222222', address: 250 },
    ]);
    assert.deepEqual([parseSimSpec('sim:real-timing').baud, parseSimSpec('sim:real-timing').latencyMs], [1200, 250], 'KMP unchanged');
  });

  for (const [spec, protocol, message] of [
    ['sim:nonsense=huge', 'mbus', /"nonsense=huge" is for KMP meters only/],
    ['sim:wrong-command', 'mbus', /"wrong-command" is for KMP meters only/],
    ['sim:model=603', 'kmp', /"model=603" is for M-Bus meters only/],
    ['sim:telegrams=2', 'kmp', /for M-Bus meters only/],
    ['sim:model=402', 'mbus', /model must be 403 or 603/],
    ['sim:address=251', 'mbus', /primary address 0–250/],
    ['sim:id=1234', 'mbus', /8-digit ID/],
    ['sim:telegrams=0', 'mbus', /from 1 to 16/],
    ['sim:bus=11111111', 'mbus', /ID@ADDRESS/],
  ] as const) {
    test(`${spec} with ${protocol}: refused before anything runs`, () => {
      assert.throws(
        () => parseSimSpec(spec, protocol),
        (e: Error) => e instanceof UsageError && message.test(e.message),
      );
    });
  }

  test('20,000 random words and addresses: parsed, or a UsageError — nothing else', () => {
    let seed = 0x5eed;
    const rnd = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const pieces = [
      'model=',
      '403',
      '603',
      'address=',
      'id=',
      '12345678',
      'F',
      'telegrams=',
      'bus=',
      '@',
      '+',
      ',',
      '=',
      'collide',
      '-1',
      '251',
      'x',
      ' ',
    ];
    const parsers: Array<(s: string) => unknown> = [
      (s) => parseSimSpec(`sim:${s}`, 'mbus'),
      (s) => secondaryTarget(s),
      (s) => primaryTarget(Number(s)),
    ];
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      for (let n = Math.floor(rnd() * 6); n > 0; n--) s += pieces[Math.floor(rnd() * pieces.length)];
      for (const parse of parsers) {
        try {
          parse(s);
        } catch (e) {
          assert.ok(e instanceof UsageError, `${JSON.stringify(s)}: ${String(e)}`);
        }
      }
    }
  });
});
