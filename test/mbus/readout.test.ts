// The public surface (src/mbus/index.ts) used the way a master uses it: the §9.3 readout through an echoing
// converter, FCB toggled per telegram until no 1F (mbus-protocol.md §2 "FCB and multi-telegram readout"), and
// the framer's counters telling a clean E5, silence and a collision apart (§2 "Wildcard search").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import * as mbus from '../../src/mbus/index.js';
import { TST_TELEGRAM_1, TST_TELEGRAM_2, cat } from './support.js';

describe('a readout through the public API', () => {
  test('§9.3: select, E5, REQ_UD2 with FCB 1 then 0, two telegrams merged, deselect', () => {
    const sent: string[] = [];
    const slave = (request: Uint8Array): Uint8Array => {
      sent.push(toHex(request));
      const f = mbus.decodeFrame(request);
      if (f.kind === 'short' && f.control === mbus.Control.SND_NKE) return new Uint8Array(0);
      if (f.kind === 'long' && f.ci === mbus.MasterCi.SELECT) {
        const mask = mbus.decodeSelection(f.data);
        const meter = { id: '31415926', manufacturer: 'TST', version: 1, medium: 4 };
        return mbus.selectionMatches(mask, meter) ? fromHex('E5') : new Uint8Array(0);
      }
      if (f.kind === 'short' && (f.control & 0xdf) === mbus.Control.REQ_UD2) return f.control & 0x20 ? TST_TELEGRAM_1 : TST_TELEGRAM_2;
      return new Uint8Array(0);
    };
    // The converter echoes every request in front of the answer.
    const exchange = (request: Uint8Array): Uint8Array[] => {
      const framer = new mbus.MbusFramer();
      const frames = [...framer.push(cat(request, slave(request))), ...framer.flush()];
      assert.equal(framer.echoes, 1, 'the echo is dropped');
      return frames;
    };

    exchange(mbus.sndNke(mbus.Address.NETWORK));
    assert.deepEqual(exchange(mbus.selectSecondary({ id: '31415926', manufacturer: 'TST' })).map(toHex), ['E5']);
    const records: mbus.MbusRecord[] = [];
    let fcb = true;
    for (let more = true; more; fcb = !fcb) {
      const [reply] = exchange(mbus.reqUd2(mbus.Address.NETWORK, fcb));
      const t = mbus.decodeTelegram(reply!);
      records.push(...t.records);
      more = t.moreFollows;
    }
    exchange(mbus.sndNke(mbus.Address.NETWORK));
    assert.deepEqual(sent, [
      '10 40 FD 3D 16',
      '68 0B 0B 68 73 FD 52 26 59 41 31 74 52 FF FF 77 16',
      '10 7B FD 78 16',
      '10 5B FD 58 16',
      '10 40 FD 3D 16',
    ]);
    assert.equal(records.length, 10);
    assert.deepEqual(
      mbus.assignRegisters(records).flatMap((r) => (r.register === undefined ? [] : [r.register])),
      [60, 64, 89, 80, 1002],
    );
  });

  test('a secondary search tells silence, one clean E5 and a collision apart', () => {
    const listen = (bytes: string): { frames: string[]; stats: mbus.FramerStats } => {
      const framer = new mbus.MbusFramer();
      const frames = [...framer.push(fromHex(bytes)), ...framer.flush()].map(toHex);
      return { frames, stats: framer.stats() };
    };
    assert.deepEqual(listen(''), { frames: [], stats: { discarded: 0, badFrames: 0, echoes: 0 } });
    assert.deepEqual(listen('E5'), { frames: ['E5'], stats: { discarded: 0, badFrames: 0, echoes: 0 } });
    const garbled = listen('E1 65');
    assert.deepEqual(garbled.frames, []);
    assert.equal(garbled.stats.discarded, 2, 'garbage: a collision');
    const two = listen('E5 E5');
    assert.equal(two.frames.length, 2, 'more than one byte: a collision');
    const bad = listen('68 4D 4D 68 08 FD 72 00');
    assert.deepEqual(bad.frames, []);
    assert.equal(bad.stats.badFrames, 1, 'a reply cut off by another: garbled, not silence');
  });

  test('the JSON of a decoded telegram, via the public API', () => {
    const json = mbus.telegramJson(mbus.decodeTelegram(TST_TELEGRAM_2));
    assert.ok(json.startsWith('{"protocol":"mbus","meter":{"id":"31415926","manufacturer":"TST"'));
    assert.ok(json.endsWith('"manufacturerData":"01 02 03"}'));
  });
});
