// Finding meters on the simulated bus (mbus-protocol.md §2 "Wildcard search with collision detection"):
// a primary scan and a wildcard secondary scan over several meters, two of them colliding at one primary
// address, two needing recursion to the last ID digit, and two sharing an ID that no search can separate.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { toHex } from '../../src/core/hex.js';
import { selectSecondary } from '../../src/mbus/index.js';
import { classify, scanPrimary, scanSecondary } from '../../src/meter/mbus-scan.js';
import { withBus } from './mbus-rig.js';

const BUS = 'bus=12345678@5+12345679@6+22222222@7+31415926@7+55555555@9+55555555@10';

describe('classify what one probe heard', () => {
  const e5 = Uint8Array.of(0xe5);
  test('silence, one clean E5, and everything else is a collision', () => {
    assert.deepEqual(classify({ frames: [], noise: 0, badFrames: 0 }), { kind: 'none' });
    assert.deepEqual(classify({ frames: [e5], noise: 0, badFrames: 0 }), { kind: 'ack' });
    assert.deepEqual(classify({ frames: [e5, e5], noise: 0, badFrames: 0 }), { kind: 'collision', why: '2 frames' });
    assert.deepEqual(classify({ frames: [], noise: 3, badFrames: 0 }), { kind: 'collision', why: '3 bytes of garbage' });
    assert.deepEqual(classify({ frames: [e5], noise: 0, badFrames: 1 }), { kind: 'collision', why: '1 frame, 1 broken' });
  });
});

describe('scan', () => {
  test('primary: SND_NKE to every address; the ones answering E5 give their header; two at address 7 collide', async () => {
    await withBus(BUS, { timeoutMs: 50 }, async ({ client, tx }) => {
      const said: string[] = [];
      const r = await scanPrimary(client, 0, 12, (t) => said.push(t));
      assert.deepEqual(
        r.meters.map((m) => [m.address, m.id, m.manufacturer, m.version, m.medium.name]),
        [
          [5, '12345678', 'KAM', 0x34, 'heat (inlet)'],
          [6, '12345679', 'KAM', 0x34, 'heat (inlet)'],
          [9, '55555555', 'KAM', 0x34, 'heat (inlet)'],
          [10, '55555555', 'KAM', 0x34, 'heat (inlet)'],
        ],
      );
      assert.equal(r.collisions.length, 1);
      assert.equal(r.collisions[0]!.at, 'address 7');
      assert.match(r.collisions[0]!.why, /^E5, then REQ_UD2 to address 7 \(FCB 1\): garbled reply/);
      assert.equal(tx.filter((f) => f.startsWith('10 40')).length, 13, 'one SND_NKE per address, silence not retried');
      assert.equal(tx.filter((f) => f.startsWith('10 7B')).length, 5, 'one REQ_UD2 for each address that answered');
      assert.ok(said.some((s) => s.includes('found 12345678')));
    });
  });

  test('secondary: a wildcard search finds every meter, recursing to the last digit; two with one ID are a collision', async () => {
    await withBus(BUS, { timeoutMs: 50 }, async ({ client, tx }) => {
      const r = await scanSecondary(client);
      assert.deepEqual(r.meters.map((m) => [m.id, m.address]).sort(), [
        ['12345678', 5],
        ['12345679', 6],
        ['22222222', 7],
        ['31415926', 7],
      ]);
      assert.deepEqual(r.collisions, [{ at: '55555555', why: 'one E5, then a garbled telegram: two or more meters share this ID' }]);
      assert.deepEqual(tx.slice(0, 2), ['10 40 FD 3D 16', '10 40 FF 3F 16'], 'deselect all, reset all');
      assert.equal(tx[tx.length - 1], '10 40 FD 3D 16', 'deselect at the end');
      const selects = tx.filter((f) => f.startsWith('68'));
      assert.deepEqual(
        selects.slice(0, 2),
        [toHex(selectSecondary({ id: '0FFFFFFF' })), toHex(selectSecondary({ id: '1FFFFFFF' }))],
        'the most significant digit first',
      );
      assert.ok(selects.includes(toHex(selectSecondary({ id: '1234567F' }))), 'recursed to the 8th digit for 1234567x');
      assert.ok(selects.includes(toHex(selectSecondary({ id: '12345679' }))));
      assert.ok(!selects.includes(toHex(selectSecondary({ id: '22FFFFFF' }))), 'one meter under 2: found without recursing');
      assert.equal(r.probes, tx.length - 1);
    });
  });
});
