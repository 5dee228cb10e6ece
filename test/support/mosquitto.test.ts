// The broker the MQTT tests publish to is a real one: it checks passwords and certificates. (What it
// delivers is what test/mqtt/mqtt-cli.test.ts asserts on.)
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectAsync, type IClientOptions } from 'mqtt';
import { makeCerts } from './certs.js';
import { startMosquitto, type Broker } from './mosquitto.js';

/** Connects and disconnects; the error when the broker or TLS refuses. */
async function refusal(url: string, opts: IClientOptions): Promise<Error | undefined> {
  try {
    const client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 4_000, ...opts }, false);
    await client.endAsync();
    return undefined;
  } catch (e) {
    return e as Error;
  }
}

describe('the mosquitto harness', () => {
  let broker: Broker;
  let otherCa: string;
  before(async () => {
    otherCa = mkdtempSync(join(tmpdir(), 'multical-other-ca-'));
    [broker] = await Promise.all([startMosquitto(), makeCerts(otherCa)]);
  });
  after(async () => {
    await broker?.stop();
    rmSync(otherCa, { recursive: true, force: true });
  });

  test('the password listener refuses a wrong password and no login, and lets the right one in', async () => {
    const url = `mqtt://127.0.0.1:${broker.authPort}`;
    assert.match(String(await refusal(url, { username: broker.username, password: `${broker.password}x` })), /Not authorized/);
    assert.match(String(await refusal(url, {})), /Not authorized/);
    assert.equal(await refusal(url, { username: broker.username, password: broker.password }), undefined);
  });

  test('the TLS listener is refused by a client that trusts another CA, and accepted with its own', async () => {
    const url = `mqtts://127.0.0.1:${broker.tlsPort}`;
    const login = { username: broker.username, password: broker.password, rejectUnauthorized: true };
    const other = await refusal(url, { ...login, ca: readFileSync(join(otherCa, 'ca.crt')) });
    assert.equal((other as { code?: unknown } | undefined)?.code, 'SELF_SIGNED_CERT_IN_CHAIN', String(other));
    assert.equal(await refusal(url, { ...login, ca: readFileSync(broker.caFile) }), undefined);
  });
});
