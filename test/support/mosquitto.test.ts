// Proves the real-mosquitto harness with the real mqtt.js client.
import { after, before, describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { startMosquitto, subscribe, type Broker } from './mosquitto.js';

const T = { timeout: 10_000 };

/** connect expecting failure; returns the error (the client never reconnects) */
async function connectError(url: string, opts: IClientOptions): Promise<Error & { code?: unknown }> {
  let client: MqttClient | undefined;
  try {
    client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 4_000, ...opts }, false);
  } catch (err) {
    return err as Error & { code?: unknown };
  }
  await client.endAsync(true);
  throw new assert.AssertionError({ message: `connecting to ${url} unexpectedly succeeded` });
}

async function connectOk(url: string, opts: IClientOptions): Promise<MqttClient> {
  return connectAsync(url, { reconnectPeriod: 0, connectTimeout: 4_000, ...opts }, false);
}

describe('real mosquitto harness', () => {
  let broker: Broker;
  const clients: MqttClient[] = [];
  const track = (c: MqttClient): MqttClient => (clients.push(c), c);

  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    if (broker) {
      const dir = broker.dir;
      await broker.stop();
      assert.equal(existsSync(dir), false, 'stop() removes the temp dir');
    }
  });

  test('three distinct loopback ports, files exist, log shows mosquitto 2 running', T, () => {
    assert.equal(broker.host, '127.0.0.1');
    const ports = [broker.plainPort, broker.authPort, broker.tlsPort];
    assert.equal(new Set(ports).size, 3);
    for (const p of ports) assert.ok(Number.isInteger(p) && p > 0 && p < 65536);
    for (const f of [broker.caFile, broker.clientCertFile, broker.clientKeyFile]) assert.ok(existsSync(f), f);
    assert.equal(broker.username, 'multical');
    assert.ok(broker.password.length >= 12);
    assert.match(broker.log(), /mosquitto version 2\.\d+\.\d+ running/);
    for (const p of ports) assert.match(broker.log(), new RegExp(`listen socket on port ${p}\\b`));
  });

  test('certificates: server cert has SAN 127.0.0.1/localhost, server and client certs signed by the CA', T, () => {
    const ca = new X509Certificate(readFileSync(broker.caFile));
    assert.equal(ca.ca, true);
    const client = new X509Certificate(readFileSync(broker.clientCertFile));
    assert.equal(client.ca, false);
    assert.ok(client.checkIssued(ca) && client.verify(ca.publicKey), 'client cert signed by CA');
    assert.ok(readFileSync(broker.clientKeyFile, 'utf8').includes('PRIVATE KEY'));
    assert.ok(client.checkPrivateKey(createPrivateKey(readFileSync(broker.clientKeyFile))), 'client key matches client cert');
    const server = new X509Certificate(readFileSync(`${broker.dir}/server.crt`));
    assert.ok(server.checkIssued(ca) && server.verify(ca.publicKey), 'server cert signed by CA');
    assert.match(server.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    assert.match(server.subjectAltName ?? '', /DNS:localhost/);
    assert.equal(server.checkHost('localhost'), 'localhost');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    // that mosquitto really serves this certificate is proven by the TLS tests below
  });

  test('plain port: anonymous publish/subscribe', T, async () => {
    const url = `mqtt://${broker.host}:${broker.plainPort}`;
    const sub = await subscribe(url, {}, ['harness/plain/#']);
    try {
      const pub = track(await connectOk(url, {}));
      await pub.publishAsync('harness/plain/a', 'hello plain');
      const m = await sub.waitFor((x) => x.topic === 'harness/plain/a', 3_000);
      assert.deepEqual(m, { topic: 'harness/plain/a', payload: 'hello plain', retain: false, qos: 0 });
      assert.equal(sub.messages.length, 1);
    } finally {
      await sub.end();
    }
  });

  test('auth port: refuses anonymous and a wrong password, accepts the right one', T, async () => {
    const url = `mqtt://${broker.host}:${broker.authPort}`;
    const anon = await connectError(url, {});
    assert.match(anon.message, /Not authorized|Bad username or password/);
    assert.ok(anon.code === 5 || anon.code === 4, `connack code ${String(anon.code)}`);

    const wrong = await connectError(url, { username: broker.username, password: broker.password + 'x' });
    assert.match(wrong.message, /Not authorized|Bad username or password/);
    assert.ok(wrong.code === 5 || wrong.code === 4, `connack code ${String(wrong.code)}`);

    const unknownUser = await connectError(url, { username: 'nobody', password: broker.password });
    assert.match(unknownUser.message, /Not authorized|Bad username or password/);

    const creds = { username: broker.username, password: broker.password };
    const sub = await subscribe(url, creds, ['harness/auth']);
    try {
      const pub = track(await connectOk(url, creds));
      await pub.publishAsync('harness/auth', 'authed');
      const m = await sub.waitFor((x) => x.topic === 'harness/auth', 3_000);
      assert.equal(m.payload, 'authed');
    } finally {
      await sub.end();
    }
  });

  test('TLS port: works with the CA and the right user, for 127.0.0.1 and localhost', T, async () => {
    const ca = readFileSync(broker.caFile);
    const creds = { username: broker.username, password: broker.password };
    for (const host of ['127.0.0.1', 'localhost']) {
      const url = `mqtts://${host}:${broker.tlsPort}`;
      const sub = await subscribe(url, { ...creds, ca, rejectUnauthorized: true }, ['harness/tls']);
      try {
        const pub = track(await connectOk(url, { ...creds, ca, rejectUnauthorized: true }));
        await pub.publishAsync('harness/tls', `over tls via ${host}`);
        const m = await sub.waitFor((x) => x.payload === `over tls via ${host}`, 3_000);
        assert.equal(m.topic, 'harness/tls');
      } finally {
        await sub.end();
      }
    }
  });

  test('TLS port: a client certificate signed by the CA is accepted', T, async () => {
    const c = track(
      await connectOk(`mqtts://${broker.host}:${broker.tlsPort}`, {
        username: broker.username,
        password: broker.password,
        ca: readFileSync(broker.caFile),
        cert: readFileSync(broker.clientCertFile),
        key: readFileSync(broker.clientKeyFile),
        rejectUnauthorized: true,
      }),
    );
    assert.equal(c.connected, true);
  });

  test('TLS port: password still required', T, async () => {
    const url = `mqtts://${broker.host}:${broker.tlsPort}`;
    const err = await connectError(url, { ca: readFileSync(broker.caFile), rejectUnauthorized: true });
    assert.match(err.message, /Not authorized|Bad username or password/);
    const wrong = await connectError(url, {
      ca: readFileSync(broker.caFile),
      username: broker.username,
      password: 'wrong',
    });
    assert.match(wrong.message, /Not authorized|Bad username or password/);
  });

  test('TLS port: certificate verification fails without the CA, works with rejectUnauthorized false', T, async () => {
    const url = `mqtts://${broker.host}:${broker.tlsPort}`;
    const creds = { username: broker.username, password: broker.password };
    const err = await connectError(url, { ...creds, rejectUnauthorized: true });
    assert.match(
      String(err.code),
      /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/,
      `${err.message} (${String(err.code)})`,
    );
    const c = track(await connectOk(url, { ...creds, rejectUnauthorized: false }));
    assert.equal(c.connected, true);
  });

  test('TLS port does not speak plain MQTT, plain port does not speak TLS', T, async () => {
    const creds = { username: broker.username, password: broker.password };
    await connectError(`mqtt://${broker.host}:${broker.tlsPort}`, { ...creds, connectTimeout: 1_500 });
    await connectError(`mqtts://${broker.host}:${broker.plainPort}`, { rejectUnauthorized: false, connectTimeout: 1_500 });
  });

  test('retained message is delivered retained to a later subscriber; live one is not', T, async () => {
    const url = `mqtt://${broker.host}:${broker.plainPort}`;
    const pub = track(await connectOk(url, {}));
    await pub.publishAsync('harness/retained', 'kept', { retain: true, qos: 1 });
    const later = await subscribe(url, {}, ['harness/retained']);
    try {
      const m = await later.waitFor((x) => x.topic === 'harness/retained', 3_000);
      assert.equal(m.payload, 'kept');
      assert.equal(m.retain, true);
      await pub.publishAsync('harness/retained', 'live', { retain: true, qos: 1 });
      const live = await later.waitFor((x) => x.payload === 'live', 3_000);
      assert.equal(live.retain, false, 'a message to an existing subscriber is not flagged retained');
    } finally {
      await later.end();
    }
    // clear it
    await pub.publishAsync('harness/retained', '', { retain: true, qos: 1 });
  });

  test('QoS 1 delivery reports qos 1 (and QoS 0 reports 0)', T, async () => {
    const url = `mqtt://${broker.host}:${broker.plainPort}`;
    const sub = await subscribe(url, {}, ['harness/qos/+']);
    try {
      const pub = track(await connectOk(url, {}));
      await pub.publishAsync('harness/qos/one', 'q1', { qos: 1 });
      await pub.publishAsync('harness/qos/zero', 'q0', { qos: 0 });
      const one = await sub.waitFor((x) => x.topic === 'harness/qos/one', 3_000);
      const zero = await sub.waitFor((x) => x.topic === 'harness/qos/zero', 3_000);
      assert.equal(one.qos, 1);
      assert.equal(zero.qos, 0);
    } finally {
      await sub.end();
    }
  });

  test('waitFor rejects on timeout listing what was received', T, async () => {
    const sub = await subscribe(`mqtt://${broker.host}:${broker.plainPort}`, {}, ['harness/nothing']);
    try {
      await assert.rejects(
        sub.waitFor(() => true, 200),
        /no matching MQTT message within 200 ms/,
      );
    } finally {
      await sub.end();
    }
  });
});

describe('broker lifecycle', () => {
  test('stop() kills mosquitto (ports closed) and is idempotent; two brokers coexist', T, async (t) => {
    const [a, b] = await Promise.all([startMosquitto(), startMosquitto()]);
    t.after(() => Promise.all([a.stop(), b.stop()]));
    assert.equal(new Set([a.plainPort, a.authPort, a.tlsPort, b.plainPort, b.authPort, b.tlsPort]).size, 6);
    await a.stop();
    await a.stop();
    assert.equal(existsSync(a.dir), false);
    await assert.rejects(connectAsync(`mqtt://127.0.0.1:${a.plainPort}`, { reconnectPeriod: 0, connectTimeout: 1_000 }, false));
    // b is unaffected
    const c = await connectAsync(`mqtt://127.0.0.1:${b.plainPort}`, { reconnectPeriod: 0 }, false);
    await c.endAsync();
  });
});

/** true once nothing listens on 127.0.0.1:port */
function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 4_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new assert.AssertionError({ message: `timed out waiting for: ${what}` });
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** run a node process that starts a broker, then dies in the given way */
async function brokerInDyingProcess(how: 'SIGKILL' | 'SIGTERM' | 'throw'): Promise<{ dir: string; ports: number[] }> {
  const harness = fileURLToPath(new URL('./mosquitto.js', import.meta.url));
  const code = `
    import { startMosquitto } from ${JSON.stringify(harness)};
    const b = await startMosquitto();
    process.stdout.write(JSON.stringify({ dir: b.dir, ports: [b.plainPort, b.authPort, b.tlsPort] }) + '\\n');
    setInterval(() => {}, 1000);
    ${how === 'throw' ? "setTimeout(() => { throw new Error('test crashed'); }, 50);" : ''}
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const info = await new Promise<{ dir: string; ports: number[] }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { dir: string; ports: number[] });
    });
    child.once('exit', (c, sig) => reject(new Error(`child exited early (${c ?? sig}): ${err}`)));
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  if (how !== 'throw') child.kill(how);
  await exited;
  return info;
}

describe('no broker left behind when the test process dies', () => {
  for (const how of ['throw', 'SIGTERM', 'SIGKILL'] as const) {
    test(`test process ends by ${how}`, T, async () => {
      const { dir, ports } = await brokerInDyingProcess(how);
      assert.equal(ports.length, 3);
      for (const p of ports) await eventually(`port ${p} closed`, () => portClosed(p));
      await eventually(`${dir} removed`, () => !existsSync(dir));
    });
  }
});
