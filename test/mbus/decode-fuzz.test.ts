// `multical decode` never shows a stack trace: 60,000 random frames with good checksums (so they reach the
// application layer: telegrams, master frames, KMP register and logger replies) decode, or fail with the
// project's own error — whose message is the one line the command prints.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Chalk } from 'chalk';
import { decodeKmp } from '../../src/cli/commands/decode-kmp.js';
import { decodeMbus } from '../../src/cli/commands/decode-mbus.js';
import type { Context } from '../../src/cli/context.js';
import { MulticalError } from '../../src/core/errors.js';
import { encodeFrame as kmpFrame } from '../../src/kmp/frame.js';
import { encodeFrame } from '../../src/mbus/index.js';
import { SEED } from './support.js';
import { rng } from '../support/random.js';

test('60,000 random frames with valid checksums: decoded, or a MulticalError — nothing else', () => {
  const r = rng(SEED);
  const ctx = { out: new Chalk({ level: 0 }) } as unknown as Context;
  const pick = <T>(xs: readonly T[]): T => r.pick(xs);
  let decoded = 0;
  for (let i = 0; i < 60_000; i++) {
    const data = r.bytes(r.int(48));
    let frame: Uint8Array;
    if (i % 3 === 0) {
      const ci = pick([0x72, 0x76, 0x78, 0x7a, 0x70, 0x50, 0x51, 0x52, 0xb8, 0xbd, r.int(256)]);
      frame = encodeFrame({ kind: 'long', control: pick([0x08, 0x18, 0x53, 0x73, r.int(256)]), address: r.int(256), ci, data });
    } else if (i % 3 === 1) {
      frame = encodeFrame({ kind: 'short', control: r.int(256), address: r.int(256) });
    } else {
      const cid = pick([0x01, 0x02, 0x10, 0xb8, 0xa0, 0xa1, 0xa2, 0xa3, 0x11]);
      const apl = r.int(2) === 0 ? data : Uint8Array.of(pick([5, 6, 7]), ...data);
      frame = kmpFrame({ direction: r.int(2) === 0 ? 'toMeter' : 'fromMeter', destination: pick([0x3f, 0x7f]), cid, data: apl });
    }
    try {
      const d = (frame[0] === 0x40 || frame[0] === 0x80 ? decodeKmp : decodeMbus)(frame, ctx);
      assert.equal(typeof d.text, 'string');
      decoded++;
    } catch (e) {
      if (!(e instanceof MulticalError)) assert.fail(`seed ${SEED}, frame ${Buffer.from(frame).toString('hex')}: ${String(e)}`);
      assert.ok(!e.message.includes('\n'), 'one line');
    }
  }
  assert.ok(decoded > 10_000, `${decoded} decoded: the loop reaches the application layer`);
});
