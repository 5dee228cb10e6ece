// A valid reply right behind a corrupt frame in the same burst is the answer (issue "Trust"): the client
// keeps scanning after a bad frame instead of throwing the burst away and asking again.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromHex } from '../../src/core/hex.js';
import { KmpClient } from '../../src/meter/kmp-client.js';
import { transportPair } from '../../src/meter/transport.js';

// kmp-protocol.md, "Vectors": GetType reply, and the same frame with one CRC bit flipped.
const GOOD = fromHex('40 3F 01 00 04 1B F9 01 26 99 0D');
const CORRUPT = fromHex('40 3F 01 00 04 1B F9 01 26 98 0D');

async function askType(burst: Uint8Array[]): Promise<{ type: number | undefined; attempts: number; error?: string }> {
  const [clientSide, meterSide] = transportPair();
  meterSide.setReceiver(() => void meterSide.write(Uint8Array.from(burst.flatMap((b) => [...b]))));
  const client = new KmpClient(clientSide, { timeoutMs: 300, retries: 0 });
  try {
    const t = await client.getType();
    return { type: t.type, attempts: client.stats.attempts };
  } catch (e) {
    return { type: undefined, attempts: client.stats.attempts, error: (e as Error).message };
  } finally {
    await clientSide.close();
  }
}

test('a corrupt frame, then the valid reply in the same burst: the valid reply is taken, no retry', async () => {
  assert.deepEqual(await askType([CORRUPT, GOOD]), { type: 4, attempts: 1 });
});

test('a corrupt frame alone is still a bad reply (the grace does not turn it into silence)', async () => {
  const r = await askType([CORRUPT]);
  assert.equal(r.type, undefined);
  assert.match(r.error ?? '', /bad reply .*CRC/);
});
