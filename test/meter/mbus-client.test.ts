// The M-Bus master (MbusClient, the readout, MbusMeter) against hand-written slaves and the simulated bus:
// the master frames of mbus-protocol.md §9.1 as the client sends them, the §9.3 secondary readout byte for
// byte with its FCB order, the deadlines of §1, and every simulator fault with its retries and message.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import { Address, encodeTelegram, selectSecondary, sndNke } from '../../src/mbus/index.js';
import { MbusMeter } from '../../src/meter/mbus-meter.js';
import { readout, MAX_TELEGRAMS } from '../../src/meter/mbus-readout.js';
import { DEFAULT_TARGET, primaryTarget, replyDeadlineMs, secondaryTarget } from '../../src/meter/mbus-target.js';
import { buildRegisters } from '../../src/simulator/kmp-registers.js';
import { MC403_REPLY, TST_TELEGRAM_1, TST_TELEGRAM_2, cat } from '../mbus/support.js';
import { NOW, withBus, withSlave } from './mbus-rig.js';
import { rejectsWith } from './support.js';

const E5 = fromHex('E5');
const DESELECT = '10 40 FD 3D 16';
const SELECT_TST = '68 0B 0B 68 73 FD 52 26 59 41 31 74 52 FF FF 77 16';

/** The §9.3 slave: TST 31415926 behind FD, telegram 1 for FCB 1 and telegram 2 for FCB 0. */
function tstSlave(opts: { echo?: boolean; loseFirstTelegram?: boolean } = {}): (frame: string, n: number) => Uint8Array | null {
  let selected = false;
  let telegramsAsked = 0;
  return (frame) => {
    const back = (reply: Uint8Array | null): Uint8Array | null => (opts.echo ? cat(fromHex(frame), reply ?? new Uint8Array(0)) : reply);
    if (frame === DESELECT) {
      selected = false;
      return back(null);
    }
    if (frame === SELECT_TST) {
      selected = true;
      return back(E5);
    }
    if (selected && (frame === '10 7B FD 78 16' || frame === '10 5B FD 58 16')) {
      telegramsAsked++;
      if (opts.loseFirstTelegram && telegramsAsked === 1) return back(TST_TELEGRAM_1.slice(0, 30)); // cut off by noise
      return back(frame === '10 7B FD 78 16' ? TST_TELEGRAM_1 : TST_TELEGRAM_2);
    }
    return back(null);
  };
}

describe('the master frames on the wire (mbus-protocol.md §9.1)', () => {
  test('SND_NKE, REQ_UD2 with FCB 1 and 0, to 187 and to FE; select 3141FFFF; SND_NKE to FD and FF', async () => {
    const answer = (frame: string): Uint8Array | null => (frame.startsWith('10 40 BB') ? E5 : frame.startsWith('10') ? MC403_REPLY : null);
    await withSlave(answer, {}, async ({ client, tx }) => {
      await client.reset(187);
      await client.requestTelegram(187, true);
      await client.requestTelegram(187, false);
      await client.requestTelegram(0xfe, false);
      await client.sendNoReply(sndNke(Address.NETWORK), 'deselect', 0);
      await client.sendNoReply(sndNke(Address.BROADCAST), 'broadcast', 0);
      await rejectsWith(client.select({ id: '3141FFFF' }), 'METER_TIMEOUT');
      assert.deepEqual(tx, [
        '10 40 BB FB 16',
        '10 7B BB 36 16',
        '10 5B BB 16 16',
        '10 5B FE 59 16',
        '10 40 FD 3D 16',
        '10 40 FF 3F 16',
        '68 0B 0B 68 73 FD 52 FF FF 41 31 FF FF FF FF 2E 16',
        '68 0B 0B 68 73 FD 52 FF FF 41 31 FF FF FF FF 2E 16',
        '68 0B 0B 68 73 FD 52 FF FF 41 31 FF FF FF FF 2E 16',
      ]);
      assert.equal(toHex(selectSecondary({ id: '3141FFFF' })), tx[6]);
    });
  });

  test('a readout by primary address: SND_NKE → E5, then REQ_UD2 with FCB 1; the §9.2 telegram maps to registers', async () => {
    const answer = (frame: string): Uint8Array | null =>
      frame === '10 40 BB FB 16' ? E5 : frame === '10 7B BB 36 16' ? MC403_REPLY : null;
    await withSlave(answer, {}, async ({ client, tx }) => {
      const meter = new MbusMeter(client, primaryTarget(187));
      const r = await meter.read([60, 63, 68, 86, 89, 80, 74, 1001, 1002, 1003, 98, 99, 9999]);
      assert.deepEqual(tx, ['10 40 BB FB 16', '10 7B BB 36 16']);
      const text = (id: number): string => `${r.readings.get(id)!.text} ${r.readings.get(id)!.unit}`.trim();
      assert.equal(text(60), '16503 kWh');
      assert.equal(text(63), '214 kWh');
      assert.equal(text(68), '412.37 m³');
      assert.equal(text(86), '67.81 °C');
      assert.equal(text(89), '26.75 K');
      assert.equal(text(80), '3.2 kW');
      assert.equal(text(74), '103 l/h');
      assert.equal(text(1001), '71234567');
      assert.equal(text(1002), '2024-03-15T14:37');
      assert.equal(text(1003), '2024-03-15 yy:mm:dd', 'the date of the date-and-time record');
      assert.equal(text(98), '2024-03-01 yy:mm:dd');
      assert.equal(text(99), '0');
      assert.deepEqual(r.missing, [9999]);
      assert.deepEqual(r.failed, []);
      assert.equal(r.all.length, 20, 'every record, in order');
      assert.deepEqual(
        r.all.slice(17, 19).map((x) => [x.register, x.name, x.text, x.storage]),
        [
          [undefined, 'energy, storage 1', '15880', 1],
          [undefined, 'volume, storage 1', '398.02', 1],
        ],
      );
      const before = { ...meter.stats };
      const id = await meter.identify();
      assert.deepEqual(meter.stats, before, 'identify() asks nothing: the header was read');
      assert.equal(id.serial, '71234567');
      assert.equal(id.model, 'MULTICAL 403');
      assert.deepEqual(
        id.facts.filter((f) => ['id', 'address', 'medium'].includes(f.key)).map((f) => f.value),
        ['58300187', 'heat (inlet)', 187],
      );
      assert.deepEqual(meter.stats, { requests: 2, attempts: 2, bytesSent: 10, bytesReceived: 138 });
    });
  });
});

describe('the §9.3 readout by secondary address, through the client', () => {
  for (const echo of [false, true]) {
    test(`deselect, select, REQ_UD2 FCB 1 then 0, deselect — byte for byte${echo ? ', through an echoing converter' : ''}`, async () => {
      await withSlave(tstSlave({ echo }), {}, async ({ client, tx }) => {
        const meter = new MbusMeter(client, secondaryTarget('314159267452FFFF'));
        const r = await meter.read([60, 64, 89, 80, 1002, 1003, 9999]);
        assert.deepEqual(tx, [DESELECT, SELECT_TST, '10 7B FD 78 16', '10 5B FD 58 16', DESELECT]);
        assert.equal(r.all.length, 10, 'the records of both telegrams');
        const text = (id: number): string => `${r.readings.get(id)!.text} ${r.readings.get(id)!.unit}`;
        assert.equal(text(60), '123.456 GJ');
        assert.equal(text(64), '532.1 MWh');
        assert.equal(text(89), '-3.25 K');
        assert.equal(text(80), '-0.125 kW');
        assert.equal(text(1002), '2026-07-04T23:59 ');
        assert.equal(text(1003), '2026-07-04 yy:mm:dd');
        assert.deepEqual(r.missing, [9999]);
        const echoBytes = echo ? 5 + 17 + 5 + 5 + 5 : 0;
        assert.deepEqual(meter.stats, { requests: 5, attempts: 5, bytesSent: 37, bytesReceived: 1 + 71 + 40 + echoBytes });
      });
    });
  }

  test('a telegram lost on the way is asked for again with the SAME FCB (10 7B FD 78 16 twice), then FCB 0', async () => {
    await withSlave(tstSlave({ loseFirstTelegram: true }), {}, async ({ client, tx }) => {
      const r = await readout(client, secondaryTarget('314159267452FFFF'));
      assert.deepEqual(tx, [DESELECT, SELECT_TST, '10 7B FD 78 16', '10 7B FD 78 16', '10 5B FD 58 16', DESELECT]);
      assert.equal(r.telegrams.length, 2);
      assert.equal(r.records.length, 10);
    });
  });

  test('a selection nobody answers: retried, then "no reply", and every meter is deselected after it', async () => {
    await withSlave(
      () => null,
      {},
      async ({ client, tx }) => {
        const e = await rejectsWith(readout(client, secondaryTarget('99999999')), 'METER_TIMEOUT');
        assert.match(e.message, /^select 99999999: no reply in 250 ms, 3 attempts$/);
        assert.deepEqual(tx, [DESELECT, ...Array<string>(3).fill(toHex(selectSecondary({ id: '99999999' }))), DESELECT]);
      },
    );
  });

  test('a selected meter whose header is another ID is a bad reply, not a reading', async () => {
    const answer = (frame: string): Uint8Array | null => (frame.startsWith('68') ? E5 : frame.startsWith('10 7B') ? TST_TELEGRAM_2 : null);
    await withSlave(answer, { retries: 0 }, async ({ client }) => {
      const e = await rejectsWith(readout(client, secondaryTarget('12345678')), 'METER_BAD_REPLY');
      assert.match(e.message, /the answer is from ID 31415926 TST, which 12345678 does not select/);
    });
  });
});

describe('deadlines from the baud rate and the frame length (mbus-protocol.md §1)', () => {
  test('first byte ≤ 330 bit times + 50 ms, then the wire time of the longest answer, + 150 ms', () => {
    assert.equal(replyDeadlineMs(2400, 1), 343);
    assert.equal(replyDeadlineMs(2400, 261), 1534);
    assert.equal(replyDeadlineMs(9600, 1), 236);
    assert.equal(replyDeadlineMs(9600, 261), 534);
    assert.equal(replyDeadlineMs(300, 261), 10_870);
  });

  test('without --timeout the client waits the derived deadline: 343 ms for an E5 at 2400 Bd, 534 ms for a telegram at 9600', async () => {
    await withBus('no-answer', { timeoutMs: undefined, baud: 2400, retries: 0 }, async ({ client }) => {
      const t0 = performance.now();
      const e = await rejectsWith(client.reset(5), 'METER_TIMEOUT');
      assert.equal(e.message, 'SND_NKE to address 5: no reply in 343 ms, 1 attempt');
      assert.ok(performance.now() - t0 < 5000, 'bounded');
    });
    const answer = (frame: string): Uint8Array | null => (frame === '10 40 05 45 16' ? E5 : null);
    await withSlave(answer, { timeoutMs: undefined, baud: 9600, retries: 1 }, async ({ client }) => {
      const e = await rejectsWith(readout(client, primaryTarget(5)), 'METER_TIMEOUT');
      assert.equal(e.message, 'REQ_UD2 to address 5 (FCB 1): no reply in 534 ms, 2 attempts');
    });
  });
});

describe('faults of the simulated bus: retries, messages, exit code 3', () => {
  const ids = [60, 68, 86];
  const good = async (words: string, frames: string[]): Promise<void> => {
    await withBus(words, {}, async ({ client, tx }) => {
      const r = await new MbusMeter(client, DEFAULT_TARGET).read(ids);
      assert.deepEqual([...r.readings.keys()], ids, `${words}: every register read`);
      assert.deepEqual(r.failed, []);
      assert.deepEqual(tx, frames, `${words}: the frames sent`);
    });
  };
  const NKE = '10 40 FE 3E 16';
  const REQ1 = '10 7B FE 79 16';

  test('echo, garbage (noise before every reply): one SND_NKE and one REQ_UD2', async () => {
    await good('echo', [NKE, REQ1]);
    await good('garbage', [NKE, REQ1]);
    await good('echo,garbage', [NKE, REQ1]);
  });

  test('crc-once, truncate-once, collide-once: the REQ_UD2 is repeated with the same FCB', async () => {
    for (const w of ['crc-once', 'truncate-once', 'collide-once', 'echo,crc-once']) await good(w, [NKE, REQ1, REQ1]);
  });

  test('silent-first: the SND_NKE is repeated', async () => {
    await good('silent-first', [NKE, NKE, REQ1]);
    await good('silent-first=2', [NKE, NKE, NKE, REQ1]);
  });

  for (const [words, code, message] of [
    [
      'crc-always',
      'METER_BAD_REPLY',
      /^REQ_UD2 to 254 \(any meter\) \(FCB 1\): garbled reply \(a frame with a bad checksum or stop byte, or cut off\): two meters answering at once, or noise on the bus, 3 attempts$/,
    ],
    ['truncate-always', 'METER_BAD_REPLY', /^REQ_UD2 to 254 \(any meter\) \(FCB 1\): garbled reply .*, 3 attempts$/],
    ['collide', 'METER_BAD_REPLY', /^REQ_UD2 to 254 \(any meter\) \(FCB 1\): garbled reply .*, 3 attempts$/],
    ['no-answer', 'METER_TIMEOUT', /^SND_NKE to 254 \(any meter\): no reply in 250 ms, 3 attempts$/],
    ['silent-first=3', 'METER_TIMEOUT', /^SND_NKE to 254 \(any meter\): no reply in 250 ms, 3 attempts$/],
    ['vanish-after=1', 'METER_LOST', /^REQ_UD2 to 254 \(any meter\) \(FCB 1\): sim went away/],
  ] as const) {
    test(`${words}: every id failed with ${code}; read() does not throw; the error exits 3`, async () => {
      await withBus(words, {}, async ({ client, tx }) => {
        const r = await new MbusMeter(client, DEFAULT_TARGET).read(ids);
        assert.equal(r.readings.size, 0);
        assert.equal(r.failed.length, 1);
        assert.deepEqual(r.failed[0]!.registers, ids);
        assert.equal(r.failed[0]!.error.code, code);
        assert.match(r.failed[0]!.error.message, message);
        const expected = words === 'vanish-after=1' ? 2 : code === 'METER_TIMEOUT' ? 3 : 4;
        assert.equal(tx.length, expected, `${words}: frames sent ${tx.join(' | ')}`);
        await rejectsWith(Promise.reject(r.failed[0]!.error), code);
      });
    });
  }

  test('two meters at one primary address: their E5s superimpose into one, their telegrams into garbage: retried, then reported', async () => {
    await withBus('bus=11111111@5+22222222@5', {}, async ({ client, tx }) => {
      const e = await rejectsWith(readout(client, primaryTarget(5)), 'METER_BAD_REPLY');
      assert.match(e.message, /^REQ_UD2 to address 5 \(FCB 1\): garbled reply .*two meters answering at once.*, 3 attempts$/);
      assert.deepEqual(tx, ['10 40 05 45 16', '10 7B 05 80 16', '10 7B 05 80 16', '10 7B 05 80 16']);
    });
  });

  test('a reply from another address is not taken: the wait goes on and says what came', async () => {
    const other = encodeTelegram({
      address: 5,
      header: { id: '12345678', manufacturer: 'KAM', version: 0x34, medium: 4, accessNumber: 1 },
      records: [],
    });
    await withSlave(
      (f) => (f.startsWith('10 40') ? E5 : other),
      { retries: 0 },
      async ({ client }) => {
        const e = await rejectsWith(readout(client, primaryTarget(187)), 'METER_TIMEOUT');
        assert.equal(e.message, 'REQ_UD2 to address 187 (FCB 1): no reply in 250 ms (a reply from address 5 came instead), 1 attempt');
      },
    );
  });

  test('an application error (CI 70) is a bad reply, named', async () => {
    const appError = fromHex('68 04 04 68 08 BB 70 08 3B 16');
    await withSlave(
      (f) => (f.startsWith('10 40') ? E5 : appError),
      { retries: 0 },
      async ({ client }) => {
        const e = await rejectsWith(readout(client, primaryTarget(187)), 'METER_BAD_REPLY');
        assert.match(e.message, /application error: application busy/);
      },
    );
  });

  test('stopped while waiting (deadline, SIGINT): METER_ABORTED is thrown, not turned into a failed read', async () => {
    const stop = new AbortController();
    await withBus('no-answer', { signal: stop.signal, timeoutMs: 5000 }, async ({ client }) => {
      setTimeout(() => stop.abort(), 30);
      await assert.rejects(new MbusMeter(client, DEFAULT_TARGET).read([60]), (e: Error & { code?: string }) => e.code === 'METER_ABORTED');
    });
  });
});

describe('multi-telegram readout (DIF 1F)', () => {
  test('three telegrams: FCB 1, 0, 1; every record merged in order, each register once', async () => {
    await withBus('telegrams=3', {}, async ({ client, tx, bus }) => {
      const r = await readout(client, DEFAULT_TARGET);
      assert.deepEqual(tx, ['10 40 FE 3E 16', '10 7B FE 79 16', '10 5B FE 59 16', '10 7B FE 79 16']);
      assert.equal(r.telegrams.length, 3);
      assert.deepEqual(
        r.telegrams.map((t) => t.moreFollows),
        [true, true, false],
      );
      assert.equal(r.records.length, bus.slaves[0]!.records.count);
      const regs = r.records.flatMap((x) => (x.register === undefined ? [] : [x.register]));
      assert.equal(new Set(regs).size, regs.length);
      assert.deepEqual(
        r.telegrams.map((t) => t.header!.accessNumber),
        [1, 2, 3],
      );
    });
  });

  test(`a meter that always has more: stopped after ${MAX_TELEGRAMS} telegrams; what came is kept, the rest failed`, async () => {
    const more = encodeTelegram({
      address: 187,
      header: { id: '58300187', manufacturer: 'KAM', version: 0x34, medium: 0x0c, accessNumber: 1 },
      records: [{ dif: '04', vif: '06', value: { kind: 'number', value: (await import('../../src/core/decimal.js')).Decimal.of(16503) } }],
      moreFollows: true,
    });
    await withSlave(
      (f) => (f.startsWith('10 40') ? E5 : more),
      {},
      async ({ client, tx }) => {
        const r = await new MbusMeter(client, primaryTarget(187)).read([60, 68]);
        assert.equal(tx.length, 1 + MAX_TELEGRAMS);
        assert.equal(r.readings.get(60)!.text, '16503');
        assert.deepEqual(r.missing, []);
        assert.deepEqual(r.failed[0]!.registers, [68]);
        assert.match(r.failed[0]!.error.message, /still had more to send after 8 telegrams/);
      },
    );
  });
});

describe('the simulated module reads like the KMP simulator (same clock, same curves)', () => {
  for (const model of ['403', '603']) {
    test(`MULTICAL ${model}: every register both simulators have, equal`, async () => {
      await withBus(`model=${model}`, {}, async ({ client }) => {
        const meter = new MbusMeter(client, DEFAULT_TARGET);
        const kmp = buildRegisters('kWh', 19088743);
        const ids = [60, 63, 68, 74, 80, 86, 87, 89, 97, 110, 99, 139, 143, 175, 1001, 1004];
        const r = await meter.read(ids);
        for (const id of ids) {
          const want = kmp.get(id)!(NOW / 1000);
          const got = r.readings.get(id)!;
          assert.ok(got.value!.equals(want.value), `register ${id}: M-Bus ${got.text}, KMP ${want.value.toString()}`);
          assert.equal(got.unit, want.unit, `register ${id}: unit`);
        }
        const id = await meter.identify();
        assert.equal(id.model, `MULTICAL ${model}`);
        assert.equal(id.serial, '19088743');
      });
    });
  }
});
