// A real mosquitto (2.x) for the MQTT tests on three free loopback ports: plain (anonymous), auth (user
// `multical` with a random password) and TLS (the same login, certificates from certs.ts); a real mqtt.js
// subscriber, and what a broker holds retained as a fresh one sees it. The test that starts a broker ends
// it in its own cleanup: `after(() => broker.stop())` or `t.after(...)`. Started under
// `setpriv --pdeathsig KILL`, a broker also dies with a test process that is killed before its cleanup
// could run.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectAsync, type IClientOptions } from 'mqtt';
import { makeCerts, type Certs } from './certs.js';

// read-domoticz.test.ts takes its HTTPS certificates from here; certs.ts is where they are made.
export { makeCerts };

export interface Broker {
  plainPort: number;
  authPort: number;
  tlsPort: number;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  username: string;
  password: string;
  /** mosquitto's log so far (log_type all: every packet, with client ids). */
  log(): string;
  /** Ends mosquitto and removes its folder; idempotent. */
  stop(): Promise<void>;
}

// Debian installs mosquitto in /usr/sbin, which is not on a normal user's PATH.
const MOSQUITTO = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto';
const USER = 'multical';
const execFileAsync = promisify(execFile);

/** `n` distinct loopback ports free a moment ago (held open together, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = Array.from({ length: n }, () => createServer());
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function config(dir: string, [plain, auth, tls]: number[], certs: Certs): string {
  const passwords = `password_file ${join(dir, 'passwd')}`;
  return [
    // Started as root, mosquitto would become user `mosquitto`, who cannot read this 0700 folder.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'per_listener_settings true',
    'persistence false',
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type all',
    `listener ${plain} 127.0.0.1`,
    'allow_anonymous true',
    `listener ${auth} 127.0.0.1`,
    'allow_anonymous false',
    passwords,
    `listener ${tls} 127.0.0.1`,
    'allow_anonymous false',
    passwords,
    `cafile ${certs.ca}`,
    `certfile ${certs.serverCert}`,
    `keyfile ${certs.serverKey}`,
    '',
  ].join('\n');
}

/** Starts mosquitto; resolves once it logs that it runs (every listener is open by then). */
async function launch(dir: string, conf: string): Promise<ChildProcess> {
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', MOSQUITTO, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.once('error', (e) => (stderr += `${String(e)}\n`)); // setpriv or mosquitto not installed
  for (let waited = 0; ; waited += 25) {
    const log = readLog(dir) + stderr;
    if (/mosquitto version \S+ running/.test(log)) return child;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
      throw new Error(`mosquitto ended as it started: ${log}`);
    if (waited > 10_000) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start in 10 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'mosquitto.log'), 'utf8');
  } catch {
    return '';
  }
}

export async function startMosquitto(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'multical-mosquitto-'));
  try {
    const password = randomBytes(12).toString('base64url');
    const passwd = join(dir, 'passwd');
    const [certs] = await Promise.all([makeCerts(dir), execFileAsync('mosquitto_passwd', ['-b', '-c', passwd, USER, password])]);
    chmodSync(passwd, 0o600);
    // Another process may take a port between freePorts() and mosquitto's bind: try new ports then.
    for (let attempt = 1; ; attempt++) {
      const ports = await freePorts(3);
      const conf = join(dir, 'mosquitto.conf');
      writeFileSync(conf, config(dir, ports, certs));
      try {
        const child = await launch(dir, conf);
        return broker(dir, child, ports, certs, password);
      } catch (e) {
        if (attempt === 3 || !/address already in use/i.test(String(e))) throw e;
        rmSync(join(dir, 'mosquitto.log'), { force: true });
      }
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function broker(dir: string, child: ChildProcess, [plainPort, authPort, tlsPort]: number[], certs: Certs, password: string): Broker {
  // A forgotten stop() cannot keep the test process alive; --pdeathsig ends the broker with it.
  child.unref();
  (child.stderr as Socket | null)?.unref();
  let stopping: Promise<void> | undefined;
  return {
    plainPort: plainPort!,
    authPort: authPort!,
    tlsPort: tlsPort!,
    caFile: certs.ca,
    clientCertFile: certs.clientCert,
    clientKeyFile: certs.clientKey,
    username: USER,
    password,
    log: () => readLog(dir),
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const ended = new Promise((r) => child.once('exit', r));
          child.ref(); // the wait for its exit keeps the test process alive
          child.kill('SIGTERM');
          await ended;
        }
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

export interface ReceivedMessage {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
}

export interface Subscription {
  /** Every message received so far, in arrival order. */
  messages: ReceivedMessage[];
  /** The first message (received or to come) that matches; rejects after `timeoutMs`, listing what came. */
  waitFor(match: (m: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
  end(): Promise<void>;
}

/** A real mqtt.js client subscribed to `topics` with QoS 2, so a message arrives with the QoS it was published with. */
export async function subscribe(url: string, opts: IClientOptions, topics: string[]): Promise<Subscription> {
  const client = await connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
  client.on('error', () => {}); // a lost connection shows as a waitFor that times out
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<(m: ReceivedMessage) => void>();
  client.on('message', (topic, payload, packet) => {
    const m = { topic, payload: payload.toString('utf8'), retain: packet.retain, qos: packet.qos };
    messages.push(m);
    for (const w of waiters) w(m);
  });
  await client.subscribeAsync(topics, { qos: 2 });
  return {
    messages,
    waitFor: (match, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const found = messages.find(match);
        if (found) return resolve(found);
        const received = (): string => messages.map((m) => `  ${m.topic}: ${m.payload}`).join('\n') || '  (nothing)';
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching message on ${topics.join(', ')} in ${timeoutMs} ms; received:\n${received()}`));
        }, timeoutMs);
        const waiter = (m: ReceivedMessage): void => {
          if (!match(m)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(m);
        };
        waiters.add(waiter);
      }),
    end: () => client.endAsync(),
  };
}

/** What the broker at `url` holds retained under `filter`, seen by a fresh subscriber after `settleMs`. */
export async function retained(url: string, filter: string, settleMs = 300): Promise<ReceivedMessage[]> {
  const s = await subscribe(url, {}, [filter]);
  try {
    await new Promise((r) => setTimeout(r, settleMs));
    return [...s.messages];
  } finally {
    await s.end();
  }
}
