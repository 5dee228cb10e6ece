// Test harness: starts a REAL mosquitto (Debian's /usr/sbin/mosquitto, 2.x) on
// three free loopback ports (plain/anonymous, password, TLS+password) with a
// throw-away CA, server and client certificates, and a helper to subscribe
// with the real mqtt.js client.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';

type QoS = 0 | 1 | 2;

const execFileAsync = promisify(execFile);

export interface Broker {
  host: '127.0.0.1';
  /** anonymous allowed */
  plainPort: number;
  /** password file required (user `multical` / random password), anonymous refused */
  authPort: number;
  /** TLS (server cert signed by caFile), password required (same user) */
  tlsPort: number;
  /** PEM of the CA that signed the server cert (CN 127.0.0.1, SAN IP:127.0.0.1, DNS:localhost) */
  caFile: string;
  /** client certificate + key signed by the same CA (the TLS listener does not require one) */
  clientCertFile: string;
  clientKeyFile: string;
  username: string;
  password: string;
  /** temp dir with config, certs, passwd file, log */
  dir: string;
  /** mosquitto's log so far (log file + anything it wrote to stdout/stderr) */
  log(): string;
  /** kill mosquitto, wait for it to exit, remove the temp dir; idempotent */
  stop(): Promise<void>;
}

const MOSQUITTO = process.env['MOSQUITTO_BIN'] ?? (existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto');
const MOSQUITTO_PASSWD = process.env['MOSQUITTO_PASSWD_BIN'] ?? 'mosquitto_passwd';
const OPENSSL = process.env['OPENSSL_BIN'] ?? 'openssl';
const HOST = '127.0.0.1' as const;
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const MAX_START_ATTEMPTS = 5;

// ---------------------------------------------------------------------------
// Safety net: kill every broker still running when the test process exits
// (one handler for all brokers, so no MaxListeners warnings).
// ---------------------------------------------------------------------------
const liveChildren = new Set<ChildProcess>(); // mosquitto processes not yet stopped
const liveDirs = new Set<string>(); // temp dirs not yet removed
let exitHandlerInstalled = false;
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
    liveChildren.clear();
    for (const dir of liveDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        /* best effort */
      }
    }
    liveDirs.clear();
  });
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
async function run(cmd: string, args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync(cmd, args, { cwd, timeout: 20_000 });
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** Reserve `n` distinct free loopback ports (all held open at once, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const srv = createServer();
          srv.once('error', reject);
          srv.listen(0, HOST, () => resolve(srv));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const addr = s.address();
    if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
    return addr.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = netConnect({ host: HOST, port });
    const done = (ok: boolean): void => {
      sock.removeAllListeners();
      sock.on('error', () => {});
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const OPENSSL_CNF = `
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** A throw-away CA (ca.crt), a server certificate for 127.0.0.1/localhost (server.key/.crt) and a client one, in `dir`. */
export async function makeCerts(dir: string): Promise<void> {
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, OPENSSL_CNF);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const serial = (): string => '0x' + randomBytes(8).toString('hex').replace(/^./, '1');
  // CA
  await run(
    OPENSSL,
    [
      'req',
      '-config',
      cnf,
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=multical test CA',
      '-extensions',
      'v3_ca',
      '-set_serial',
      serial(),
    ],
    dir,
  );
  // server + client CSRs in parallel
  await Promise.all([
    run(OPENSSL, ['req', '-config', cnf, '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir),
    run(OPENSSL, ['req', '-config', cnf, '-new', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=multical'], dir),
  ]);
  await Promise.all([
    run(
      OPENSSL,
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-set_serial',
        serial(),
        '-days',
        '2',
        '-sha256',
        '-extfile',
        cnf,
        '-extensions',
        'server',
        '-out',
        'server.crt',
      ],
      dir,
    ),
    run(
      OPENSSL,
      [
        'x509',
        '-req',
        '-in',
        'client.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-set_serial',
        serial(),
        '-days',
        '2',
        '-sha256',
        '-extfile',
        cnf,
        '-extensions',
        'client',
        '-out',
        'client.crt',
      ],
      dir,
    ),
  ]);
}

function writeConfig(dir: string, ports: { plain: number; auth: number; tls: number }): string {
  const pw = join(dir, 'passwd');
  const lines = [
    // Mosquitto 2 started as root drops privileges to user `mosquitto`, which
    // then cannot read our 0700 temp dir (nor open the log file). Stay root.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'per_listener_settings true',
    'persistence false',
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type all',
    'log_timestamp_format %H:%M:%S',
    'connection_messages true',
    '',
    `listener ${ports.plain} ${HOST}`,
    'allow_anonymous true',
    '',
    `listener ${ports.auth} ${HOST}`,
    'allow_anonymous false',
    `password_file ${pw}`,
    '',
    `listener ${ports.tls} ${HOST}`,
    'allow_anonymous false',
    `password_file ${pw}`,
    `cafile ${join(dir, 'ca.crt')}`,
    `certfile ${join(dir, 'server.crt')}`,
    `keyfile ${join(dir, 'server.key')}`,
    'require_certificate false',
    '',
  ];
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, lines.join('\n'));
  return conf;
}

// ---------------------------------------------------------------------------
// startMosquitto
// ---------------------------------------------------------------------------
export async function startMosquitto(): Promise<Broker> {
  installExitHandler();
  const dir = mkdtempSync(join(tmpdir(), 'multical-mosquitto-'));
  liveDirs.add(dir);
  try {
    const username = 'multical';
    const password = randomBytes(12).toString('base64url');
    await Promise.all([run(MOSQUITTO_PASSWD, ['-b', '-c', join(dir, 'passwd'), username, password], dir), makeCerts(dir)]);
    // newer mosquitto 2.0.x warns about (and plans to refuse) world-readable password files
    chmodSync(join(dir, 'passwd'), 0o600);

    let lastError: Error | undefined;
    for (let attempt = 1; attempt <= MAX_START_ATTEMPTS; attempt++) {
      const [plain, auth, tls] = (await freePorts(3)) as [number, number, number];
      const result = await launch(dir, { plain, auth, tls });
      if ('child' in result) {
        return makeBroker(dir, result, { plain, auth, tls }, username, password);
      }
      lastError = result.error;
      if (!result.addrInUse) break;
    }
    throw lastError ?? new Error('mosquitto failed to start');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    liveDirs.delete(dir);
    throw err;
  }
}

interface Running {
  child: ChildProcess;
  watchdog: ChildProcess | undefined;
  log: () => string;
}
type LaunchResult = Running | { error: Error; addrInUse: boolean };

async function launch(dir: string, ports: { plain: number; auth: number; tls: number }): Promise<LaunchResult> {
  const conf = writeConfig(dir, ports);
  const logFile = join(dir, 'mosquitto.log');
  rmSync(logFile, { force: true });
  let output = '';
  const child = spawn(MOSQUITTO, ['-c', conf], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid, conf, dir);
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.once('error', (err) => {
    spawnError = err;
  });
  const fail = async (error: Error, addrInUse: boolean): Promise<LaunchResult> => {
    stopWatchdog(watchdog);
    if (!spawnError) await killAndWait(child);
    liveChildren.delete(child);
    return { error, addrInUse };
  };

  const log = (): string => {
    let file = '';
    try {
      file = readFileSync(logFile, 'utf8');
    } catch {
      /* not written yet / removed */
    }
    return file + (output ? (file && !file.endsWith('\n') ? '\n' : '') + output : '');
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError) return fail(new Error(`cannot spawn ${MOSQUITTO}: ${spawnError.message}`), false);
    if (exited) {
      await sleep(20); // let stdout/stderr drain
      const text = log();
      return fail(
        new Error(`mosquitto exited during startup (code ${exited.code}, signal ${exited.signal}):\n${text}`),
        /address already in use/i.test(text),
      );
    }
    // "mosquitto version x running" is logged only after every listener is
    // open; checking it too avoids declaring victory just before mosquitto
    // fails on a later listener (e.g. EADDRINUSE) and exits.
    if (/mosquitto version \S+ running/.test(log())) {
      const ok = await Promise.all([ports.plain, ports.auth, ports.tls].map(canConnect));
      if (ok.every(Boolean) && !exited) break;
    }
    if (Date.now() > deadline) {
      return fail(
        new Error(`mosquitto did not accept connections on ${JSON.stringify(ports)} within ${START_TIMEOUT_MS} ms:\n${log()}`),
        false,
      );
    }
    await sleep(25);
  }

  // Don't let a forgotten broker keep the test process alive; the 'exit'
  // handler above kills it when the process goes away.
  child.unref();
  (child.stdout as { unref?: () => void } | null)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  return { child, watchdog, log };
}

/**
 * The 'exit' handler does not run when the test process is killed by a signal
 * (SIGTERM from a CI timeout, SIGKILL, ...). A tiny detached shell holds the
 * read end of a pipe whose write end only this process has: when this process
 * dies for whatever reason, `read` hits EOF and the shell kills mosquitto (if
 * that pid is still our mosquitto) and removes the temp dir. stop() (or a
 * failed start) kills the watchdog first.
 */
function startWatchdog(pid: number, conf: string, dir: string): ChildProcess | undefined {
  try {
    const script =
      'read _ignored; ' +
      'if [ -r "/proc/$1/cmdline" ] && grep -qaF -- "$2" "/proc/$1/cmdline"; then kill -KILL "$1" 2>/dev/null; sleep 0.2; fi; ' +
      'rm -rf -- "$3"';
    const wd = spawn('/bin/sh', ['-c', script, 'multical-mosquitto-watchdog', String(pid), conf, dir], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    wd.on('error', () => {});
    wd.stdin?.on('error', () => {});
    wd.unref();
    (wd.stdin as { unref?: () => void } | null)?.unref?.();
    return wd;
  } catch {
    return undefined; // best effort; the 'exit' handler still covers normal exits
  }
}

function stopWatchdog(wd: ChildProcess | undefined): void {
  if (!wd || wd.exitCode !== null || wd.signalCode !== null) return;
  try {
    wd.kill('SIGKILL');
  } catch {
    /* gone */
  }
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.ref(); // keep the event loop alive while we wait
  return new Promise<void>((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function makeBroker(
  dir: string,
  { child, watchdog, log }: Running,
  ports: { plain: number; auth: number; tls: number },
  username: string,
  password: string,
): Broker {
  let stopping: Promise<void> | undefined;
  return {
    host: HOST,
    plainPort: ports.plain,
    authPort: ports.auth,
    tlsPort: ports.tls,
    caFile: join(dir, 'ca.crt'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
    username,
    password,
    dir,
    log,
    stop(): Promise<void> {
      stopping ??= (async () => {
        stopWatchdog(watchdog);
        await killAndWait(child);
        liveChildren.delete(child);
        rmSync(dir, { recursive: true, force: true });
        liveDirs.delete(dir);
      })();
      return stopping;
    },
  };
}

// ---------------------------------------------------------------------------
// subscribe: watch a broker with the real mqtt.js client
// ---------------------------------------------------------------------------
export interface ReceivedMessage {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
}

export interface SubscribeOptions extends IClientOptions {
  /** QoS to subscribe with (default 2, so the delivered qos equals the published qos) */
  subscribeQos?: QoS;
}

export interface Subscription {
  client: MqttClient;
  /** every message received so far, in arrival order */
  messages: ReceivedMessage[];
  /** resolve with the first message (already received or future) matching pred; reject after timeoutMs */
  waitFor(pred: (m: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
  end(): Promise<void>;
}

export async function subscribe(url: string, opts: SubscribeOptions, topics: string[]): Promise<Subscription> {
  const { subscribeQos = 2, ...clientOpts } = opts;
  const client = await connectAsync(url, {
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    clientId: `multical-test-sub-${randomBytes(4).toString('hex')}`,
    ...clientOpts,
  });
  client.on('error', () => {
    /* surfaced through waitFor timeouts; avoid unhandled 'error' events */
  });
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<(m: ReceivedMessage) => void>();
  client.on('message', (topic, payload, packet) => {
    const m: ReceivedMessage = { topic, payload: payload.toString('utf8'), retain: packet.retain, qos: packet.qos };
    messages.push(m);
    for (const w of [...waiters]) w(m);
  });
  try {
    const granted = await client.subscribeAsync(topics, { qos: subscribeQos });
    const refused = granted.filter((g) => g.qos !== 0 && g.qos !== 1 && g.qos !== 2);
    if (refused.length > 0) throw new Error(`subscription refused: ${JSON.stringify(refused)}`);
  } catch (err) {
    await client.endAsync(true).catch(() => {});
    throw err;
  }

  let ended: Promise<void> | undefined;
  return {
    client,
    messages,
    waitFor(pred, timeoutMs = 5_000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<ReceivedMessage>((resolve, reject) => {
        const waiter = (m: ReceivedMessage): void => {
          if (!pred(m)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `no matching MQTT message within ${timeoutMs} ms on ${topics.join(', ')}; received:\n` +
                (messages.map((m) => `  ${m.topic} (qos ${m.qos}${m.retain ? ', retained' : ''}): ${m.payload}`).join('\n') ||
                  '  (nothing)'),
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    end() {
      ended ??= client.endAsync().catch(() => client.endAsync(true));
      return ended;
    },
  };
}
