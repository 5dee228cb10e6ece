// Passwords and tokens never appear in what multical prints — not with --verbose --debug, not in an error —
// wherever they come from: the command line, the environment, the config file, a password file, a broker
// URL. In-process (runCli with a fake Io); the servers record what they received, so each case shows that
// the secret really was in play.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliInProcess as cli } from '../support/in-process.js';

const PASSWORD = 'Pw-s3cret-xyzzy';
const TOKEN = 'T0ken-s3cret-plugh';
const BASIC = Buffer.from(`multical:${PASSWORD}`).toString('base64');

function assertNowhere(printed: string, ...secrets: string[]): void {
  for (const s of secrets) assert.ok(!printed.includes(s), `${s} was printed:\n${printed}`);
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'multical-secrets-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o600);
  return path;
}

describe('Domoticz credentials', () => {
  // A Domoticz that refuses every login: the error path, which is where a secret would be echoed.
  const received: Array<string | undefined> = [];
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      received.push(req.headers.authorization);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Domoticz"' }).end(`Unauthorized: ${req.headers.authorization ?? ''}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const basic = { sent: `Basic ${BASIC}`, secrets: [PASSWORD, BASIC] };
  const bearer = { sent: `Bearer ${TOKEN}`, secrets: [TOKEN] };
  const cases: Array<{ from: string; args: () => string[]; env?: Record<string, string>; expect: typeof basic }> = [
    { from: '--password', args: () => ['--user', 'multical', '--password', PASSWORD], expect: basic },
    { from: 'DOMOTICZ_PASSWORD', args: () => ['--user', 'multical'], env: { DOMOTICZ_PASSWORD: PASSWORD }, expect: basic },
    { from: '--password-file', args: () => ['--user', 'multical', '--password-file', file('pw', `${PASSWORD}\n`)], expect: basic },
    {
      from: 'the config file',
      args: () => ['--config', file('c.yaml', `domoticz:\n  user: multical\n  password: "${PASSWORD}"\n`)],
      expect: basic,
    },
    { from: '--token', args: () => ['--token', TOKEN], expect: bearer },
    { from: 'DOMOTICZ_TOKEN', args: () => [], env: { DOMOTICZ_TOKEN: TOKEN }, expect: bearer },
  ];
  for (const c of cases) {
    test(`from ${c.from}: sent to Domoticz, never printed (401, --verbose --debug, exit 4)`, async () => {
      received.length = 0;
      const r = await cli(['read', '-d', 'sim', '--url', url, '--verbose', '--debug', ...c.args(), '2:86:0'], { env: c.env ?? {} });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /HTTP 401/);
      assert.equal(received[0], c.expect.sent, 'the secret was in play');
      assertNowhere(r.stdout + r.stderr, ...c.expect.secrets);
    });
  }
});

describe('MQTT credentials', () => {
  test('a broker URL that holds a password is refused without echoing it, and nothing is contacted (exit 2)', async () => {
    const r = await cli(['mqtt', '-d', 'sim', '--broker', `mqtt://multical:${PASSWORD}@127.0.0.1:1`]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--broker must not hold credentials/);
    assertNowhere(r.stdout + r.stderr, PASSWORD);
  });

  test('MQTT_PASSWORD is sent in CONNECT and never printed, even with --verbose --debug (a broker that never answers: exit 8)', async () => {
    let connect = Buffer.alloc(0);
    const sockets: Socket[] = [];
    const broker = createTcpServer((s) => {
      sockets.push(s);
      s.on('data', (c: Buffer) => (connect = Buffer.concat([connect, c])));
    });
    await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
    try {
      const port = (broker.address() as AddressInfo).port;
      const r = await cli(
        ['mqtt', '-d', 'sim', '--broker', `mqtt://127.0.0.1:${port}`, '--username', 'multical', '--deadline', '1', '--verbose', '--debug'],
        {
          env: { MQTT_PASSWORD: PASSWORD },
        },
      );
      assert.equal(r.code, 8, r.stderr);
      assert.ok(connect.includes(PASSWORD), 'the password was in the CONNECT packet');
      assertNowhere(r.stdout + r.stderr, PASSWORD);
    } finally {
      for (const s of sockets) s.destroy();
      broker.close();
    }
  });
});

describe('secrets in the wrong place are refused without being echoed (exit 2, nothing contacted)', () => {
  const url = `http://multical:${PASSWORD}@127.0.0.1:1/`;
  test('a Domoticz URL that holds a password: masked, and the message names where it came from', async () => {
    const cases: Array<{ args: string[]; env?: Record<string, string>; names: RegExp }> = [
      { args: ['--url', url], names: /^error: --url http:\/\/\*\*\*@127\.0\.0\.1:1\/: must not hold credentials/ },
      { args: [], env: { DOMOTICZ_URL: url }, names: /^error: DOMOTICZ_URL http:\/\/\*\*\*@127\.0\.0\.1:1\/: must not hold credentials/ },
      {
        args: ['--config', file('url.yaml', `domoticz:\n  url: ${url}\n`)],
        names: /^error: .*url\.yaml: domoticz\.url must not hold credentials/,
      },
    ];
    for (const c of cases) {
      const r = await cli(['read', '-d', 'sim', ...c.args, '88:60:0'], { env: c.env ?? {} });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, c.names);
      assertNowhere(r.stdout + r.stderr, PASSWORD);
    }
  });

  test('a password or token the YAML reads as a number: refused with quoting advice, its digits never shown', async () => {
    for (const [key, value, shown] of [
      ['password', '86753091234', '86753091234'],
      ['token', '0x1234abcd', '305441741'],
    ] as const) {
      const r = await cli(['read', '-d', 'sim', '--config', file(`${key}.yaml`, `domoticz:\n  ${key}: ${value}\n`), '88:60:0']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`domoticz\\.${key} must be text: put the value in quotes`));
      assertNowhere(r.stdout + r.stderr, value, shown);
    }
  });

  test('a password or token file larger than a secret can be is refused unread', async () => {
    const big = file('big-secret', 'x'.repeat(64 * 1024 + 1));
    for (const option of ['--password-file', '--token-file']) {
      const r = await cli(['read', '-d', 'sim', '--user', 'multical', option, big, '88:60:0']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`${option} .*big-secret: is 65537 bytes, more than the 65536 this file may have`));
    }
  });
});
