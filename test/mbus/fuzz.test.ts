// Fuzzing the M-Bus layers (style.md habit 3): 100,000 random and mutated frames — from the §9 vectors and
// random telegrams, with bytes flipped, inserted, deleted, cut, and the checksum fixed or left broken — must
// decode or throw MbusError, never anything else; and a decoded telegram is never a silent partial result.
// Seeded: FUZZ_SEED=n replays a run.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { toHex } from '../../src/core/hex.js';
import { encodeTelegram } from '../../src/mbus/encode.js';
import { MbusError } from '../../src/mbus/errors.js';
import { MbusFramer } from '../../src/mbus/framer.js';
import { telegramJson } from '../../src/mbus/json.js';
import { decodeFrame, isFromMaster } from '../../src/mbus/link.js';
import { decodeRecords } from '../../src/mbus/records.js';
import { decodeTelegram, type MbusTelegram } from '../../src/mbus/telegram.js';
import { randomHeader, randomRecord } from './generate.js';
import { MC403_REPLY, SEED, TST_TELEGRAM_1, TST_TELEGRAM_2 } from './support.js';
import { rng, type Rng } from '../support/random.js';

/** Start and stop bytes, C and CI fields, special DIFs, extension VIFs, LVAR forms, date VIFs. */
const INTERESTING = [
  0x68, 0x16, 0x10, 0xe5, 0x08, 0x72, 0x76, 0x78, 0x7a, 0x70, 0x0f, 0x1f, 0x2f, 0x7f, 0xff, 0x80, 0xfb, 0xfd, 0x7c, 0xfc, 0x0d, 0xc0, 0xca,
  0xf6, 0x6c, 0x6d,
];

function fail(what: string, input: Uint8Array, e: unknown): never {
  const name = e instanceof Error ? `${e.constructor.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
  assert.fail(`${what} threw ${name} for ${toHex(input)} (FUZZ_SEED=${SEED})`);
}

function randomTelegram(r: Rng): Uint8Array {
  const records: Uint8Array[] = [];
  let size = 0;
  for (let k = r.int(14); k > 0; k--) {
    const rec = randomRecord(r);
    if (size + rec.length > 220) break;
    records.push(rec);
    size += rec.length;
  }
  const ci = r.pick([0x72, 0x72, 0x72, 0x76, 0x78, 0x7a]);
  const header = randomHeader(r);
  const moreFollows = r.next() < 0.1;
  return encodeTelegram({ address: r.int(256), ci, header, shortHeader: header, manufacturer: header.manufacturer, records, moreFollows });
}

function mutate(r: Rng, seed: Uint8Array): Uint8Array {
  const b = [...seed];
  for (let k = 1 + r.int(4); k > 0; k--) {
    const i = r.int(b.length + 1);
    switch (r.int(6)) {
      case 0:
        if (i < b.length) b[i] = b[i]! ^ (1 << r.int(8));
        break;
      case 1:
        b.splice(i, 0, ...r.bytes(1 + r.int(3)));
        break;
      case 2:
        b.splice(i, 1 + r.int(3));
        break;
      case 3:
        if (i < b.length) b[i] = r.pick(INTERESTING);
        break;
      case 4:
        b.length = Math.min(b.length, i);
        break;
      default:
        if (i < b.length) b[i] = r.int(256);
    }
  }
  return Uint8Array.from(b);
}

/** Makes the link layer right again (start bytes, both L, checksum, stop byte) so the data reaches the decoder. */
function fixFrame(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 9 || bytes.length > 261) return bytes;
  const out = Uint8Array.from(bytes);
  const l = out.length - 6;
  out[0] = 0x68;
  out[1] = l;
  out[2] = l;
  out[3] = 0x68;
  out[4] = out[4]! & 0xbf; // a slave's C field
  let cs = 0;
  for (let i = 4; i < out.length - 2; i++) cs += out[i]!;
  out[out.length - 2] = cs & 0xff;
  out[out.length - 1] = 0x16;
  return out;
}

const HEADER_LENGTH: Readonly<Record<number, number>> = { 0x72: 12, 0x76: 12, 0x78: 0, 0x7a: 4 };

/** With no problems, the records, fillers and manufacturer data account for every data byte, in order. */
function checkNothingSilentlyLost(t: MbusTelegram, bytes: Uint8Array): void {
  if (t.problems.length > 0) return;
  const f = decodeFrame(bytes);
  const data = f.kind === 'long' ? f.data : new Uint8Array(0);
  if (t.ci === 0x70) return assert.ok(data.length === 1, `${toHex(bytes)}: an application error without problems has its one byte`);
  let p = HEADER_LENGTH[t.ci] ?? 0;
  let k = 0;
  while (p < data.length) {
    const raw = t.records[k]?.raw;
    const n = raw === undefined ? 0 : (raw.length + 1) / 3;
    if (raw !== undefined && toHex(data.subarray(p, p + n)) === raw) {
      p += n;
      k++;
    } else if (data[p] === 0x2f) p++;
    else if (data[p] === 0x0f || data[p] === 0x1f) {
      assert.equal(t.moreFollows, data[p] === 0x1f);
      const rest = data.subarray(p + 1);
      assert.equal(t.manufacturerData ? toHex(t.manufacturerData) : '', toHex(rest));
      p = data.length;
    } else assert.fail(`data byte ${p} of ${toHex(bytes)} is not accounted for, and no problem says so (FUZZ_SEED=${SEED})`);
  }
  assert.equal(k, t.records.length, `${toHex(bytes)}: every record was found in the data`);
}

describe(`fuzz (FUZZ_SEED=${SEED})`, () => {
  test('100,000 random and mutated frames: a telegram or an MbusError, never anything else', (t) => {
    const r = rng(SEED);
    const seeds = [MC403_REPLY, TST_TELEGRAM_1, TST_TELEGRAM_2];
    for (let n = 0; n < 60; n++) seeds.push(randomTelegram(r));
    const counts = { telegrams: 0, refused: 0, withProblems: 0, records: 0 };
    const started = Date.now();
    for (let n = 0; n < 100_000; n++) {
      const kind = r.next();
      let input: Uint8Array;
      if (kind < 0.1) input = r.bytes(r.int(300));
      else if (kind < 0.2) {
        const ci = r.pick([0x72, 0x76, 0x78, 0x7a, 0x70]);
        input = fixFrame(Uint8Array.from([0x68, 0, 0, 0x68, 0x08, r.int(256), ci, ...r.bytes(r.int(60)), 0, 0]));
      } else {
        const m = mutate(r, r.pick(seeds));
        input = r.next() < 0.7 ? fixFrame(m) : m;
      }
      let telegram: MbusTelegram;
      try {
        telegram = decodeTelegram(input);
      } catch (e) {
        if (!(e instanceof MbusError)) fail('decodeTelegram', input, e);
        assert.ok(e.message.length > 0 && e.code.startsWith('MBUS_'));
        counts.refused++;
        continue;
      }
      counts.telegrams++;
      counts.records += telegram.records.length;
      if (telegram.problems.length > 0) counts.withProblems++;
      let json = '';
      try {
        json = telegramJson(telegram);
      } catch (e) {
        fail('telegramJson', input, e);
      }
      assert.ok(json.startsWith('{"protocol":"mbus"'));
      checkNothingSilentlyLost(telegram, input);
      const ids = telegram.records.flatMap((x) => (x.register === undefined ? [] : [x.register]));
      assert.equal(new Set(ids).size, ids.length, 'one record per register');
    }
    const ms = Date.now() - started;
    t.diagnostic(`${JSON.stringify(counts)} in ${ms} ms`);
    assert.ok(counts.telegrams > 40_000, `enough frames reach the record decoder (${counts.telegrams})`);
    assert.ok(counts.withProblems > 5_000 && counts.telegrams - counts.withProblems > 5_000, 'both clean and flagged telegrams');
  });

  test('random record data: decodeRecords never throws', () => {
    const r = rng(SEED ^ 0xd1f);
    for (let n = 0; n < 30_000; n++) {
      const biased = (): number => (r.next() < 0.4 ? r.pick(INTERESTING) : r.int(256));
      const data = n % 2 === 0 ? r.bytes(r.int(80)) : Uint8Array.from({ length: r.int(60) }, biased);
      try {
        const out = decodeRecords(data, { manufacturer: r.next() < 0.5 ? 'KAM' : undefined, msbFirst: r.next() < 0.2 });
        for (const rec of out.records) assert.ok(rec.raw.length > 0);
      } catch (e) {
        fail('decodeRecords', data, e);
      }
    }
  });

  test('the framer, fed noise, echoes and mutated frames in random chunks, yields only correct slave frames', () => {
    const r = rng(SEED ^ 0xf4a);
    const seeds = [MC403_REPLY, TST_TELEGRAM_1, TST_TELEGRAM_2, Uint8Array.of(0xe5), Uint8Array.of(0x10, 0x7b, 0xbb, 0x36, 0x16)];
    for (let n = 0; n < 3_000; n++) {
      const parts: number[] = [];
      const good: string[] = [];
      for (let k = 1 + r.int(4); k > 0; k--) {
        const s = r.pick(seeds);
        const m = r.next() < 0.5 ? s : mutate(r, s);
        parts.push(...m);
      }
      const stream = Uint8Array.from(parts);
      const framer = new MbusFramer();
      const frames: Uint8Array[] = [];
      for (let i = 0; i < stream.length;) {
        const k = 1 + r.int(50);
        frames.push(...framer.push(stream.subarray(i, i + k)));
        i += k;
      }
      frames.push(...framer.flush());
      assert.equal(framer.pending(), 0);
      for (const f of frames) {
        const frame = decodeFrame(f); // never throws: the framer checked it
        if (frame.kind !== 'ack') assert.ok(!isFromMaster(frame.control), `an echo passed: ${toHex(f)}`);
        good.push(toHex(f));
      }
      // Whole-stream framing gives the same frames as chunked framing.
      const whole = new MbusFramer();
      assert.deepEqual([...whole.push(stream), ...whole.flush()].map(toHex), good, `chunking changed ${toHex(stream)} (FUZZ_SEED=${SEED})`);
      // Every byte is either in a frame or counted as discarded.
      const inFrames = frames.reduce((s, f) => s + f.length, 0);
      assert.equal(inFrames + framer.discarded, stream.length);
    }
  });
});
