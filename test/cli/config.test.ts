// The config file through the whole CLI, in-process (runCli with a fake Io and cleanEnv's empty HOME):
// found where the README says, checked before anything is contacted, and ranked below the command line
// and the environment, key by key. (The loader's own rules are in test/settings/config-file.test.ts.)
import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CliResult } from '../support/cli.js';
import { startDomoticzStandin, type Standin } from '../support/domoticz-standin.js';
import { cliInProcess as runCli } from '../support/in-process.js';
import { closedPort, sentinel, type Sentinel } from '../support/ports.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'multical-config-'));
  dirs.push(d);
  return d;
}

function write(dir: string, name: string, text: string, mode = 0o600): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

function getJson(r: CliResult): { registers: Array<{ id: number }>; missing: number[] } {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { registers: Array<{ id: number }>; missing: number[] };
}

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('config file: precedence, command line > environment > file > default', () => {
  test('device: the file fills in -d; -d on the command line wins', async () => {
    const dir = tmp();
    const cfg = write(dir, 'c.yaml', 'device: "sim:omit=86"\n');
    const fromFile = getJson(await runCli(['get', '--config', cfg, '--json', '60', '86']));
    assert.deepEqual(fromFile.missing, [86], 'the file’s device (which leaves out 86) was used');
    const fromCli = getJson(await runCli(['get', '--config', cfg, '-d', 'sim', '--json', '60', '86']));
    assert.deepEqual(fromCli.missing, []);
    assert.deepEqual(
      fromCli.registers.map((r) => r.id),
      [60, 86],
    );
    const none = await runCli(['get', '--json', '60']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no meter device/);
  });

  test('meter settings from the file reach the meter: timeout 0.2 s, no retries', async () => {
    const dir = tmp();
    const cfg = write(dir, 'c.yaml', 'device: "sim:no-answer"\ntimeout: 0.2\nretries: 0\n');
    const r = await runCli(['get', '--config', cfg, '60']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no reply in 200 ms, 1 attempt/);
    const cli = await runCli(['get', '--config', cfg, '--timeout', '0.3', '60']);
    assert.match(cli.stderr, /no reply in 300 ms, 1 attempt/, 'the command line beats the file');
  });

  test('the run deadline from the file', async () => {
    const dir = tmp();
    const cfg = write(dir, 'c.yaml', 'device: "sim:no-answer"\ntimeout: 10\nretries: 0\ndeadline: 1\n');
    const r = await runCli(['get', '--config', cfg, '60']);
    assert.equal(r.code, 8, r.stderr);
    assert.match(r.stderr, /deadline of 1 s/);
    assert.ok(r.ms < 5000, `${r.ms} ms`);
  });

  describe('Domoticz URL, user and password', () => {
    const users = [
      { username: 'fileuser', password: 'filepass', rights: 'admin' as const },
      { username: 'envuser', password: 'envpass', rights: 'admin' as const },
      { username: 'cliuser', password: 'clipass', rights: 'admin' as const },
    ];
    let fileDz: Standin;
    let envDz: Standin;
    let cliDz: Standin;
    let cfg: string;
    before(async () => {
      [fileDz, envDz, cliDz] = await Promise.all([
        startDomoticzStandin({ users }),
        startDomoticzStandin({ users }),
        startDomoticzStandin({ users }),
      ]);
      cfg = write(tmp(), 'c.yaml', `domoticz:\n  url: ${fileDz.url}\n  user: fileuser\n  password: filepass\n`);
    });
    after(async () => {
      await Promise.all([fileDz?.close(), envDz?.close(), cliDz?.close()]);
    });
    const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
    const lastAuth = (s: Standin): string | undefined => s.requests.at(-1)?.authorization;
    const clear = (): void => {
      for (const s of [fileDz, envDz, cliDz]) s.requests.length = 0;
    };

    test('file only: its URL and its credentials', async () => {
      clear();
      const r = await runCli(['read', '--config', cfg, '--test_domoticz', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(fileDz.requests.length > 0);
      assert.equal(lastAuth(fileDz), basic('fileuser', 'filepass'));
      assert.equal(envDz.requests.length + cliDz.requests.length, 0);
    });

    test('environment beats the file, key by key: DOMOTICZ_URL alone keeps the file’s user', async () => {
      clear();
      const r = await runCli(['read', '--config', cfg, '--test_domoticz', '--json'], { env: { DOMOTICZ_URL: envDz.url } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fileDz.requests.length, 0);
      assert.equal(lastAuth(envDz), basic('fileuser', 'filepass'));
      clear();
      const all = await runCli(['read', '--config', cfg, '--test_domoticz', '--json'], {
        env: { DOMOTICZ_URL: envDz.url, DOMOTICZ_USER: 'envuser', DOMOTICZ_PASSWORD: 'envpass' },
      });
      assert.equal(all.code, 0, all.stderr);
      assert.equal(lastAuth(envDz), basic('envuser', 'envpass'));
      assert.doesNotMatch(all.stdout + all.stderr, /envpass|filepass/);
    });

    test('the command line beats the environment and the file', async () => {
      clear();
      const r = await runCli(
        ['read', '--config', cfg, '--test_domoticz', '--json', '--url', cliDz.url, '--user', 'cliuser', '--password', 'clipass'],
        {
          env: { DOMOTICZ_URL: envDz.url, DOMOTICZ_USER: 'envuser', DOMOTICZ_PASSWORD: 'envpass' },
        },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(fileDz.requests.length + envDz.requests.length, 0);
      assert.equal(lastAuth(cliDz), basic('cliuser', 'clipass'));
    });
  });

  test('MQTT broker: --broker > MQTT_BROKER > mqtt.broker', async () => {
    const [pf, pe, pc] = await Promise.all([closedPort(), closedPort(), closedPort()]);
    const cfg = write(tmp(), 'c.yaml', `device: sim\nmqtt:\n  broker: mqtt://127.0.0.1:${pf}\n`);
    const broker = (r: CliResult): string => {
      assert.equal(r.code, 6, r.stderr);
      return (JSON.parse(r.stdout) as { broker: string }).broker;
    };
    assert.equal(broker(await runCli(['mqtt', '--config', cfg, '--json'])), `mqtt://127.0.0.1:${pf}`);
    assert.equal(
      broker(await runCli(['mqtt', '--config', cfg, '--json'], { env: { MQTT_BROKER: `mqtt://127.0.0.1:${pe}` } })),
      `mqtt://127.0.0.1:${pe}`,
    );
    const cli = await runCli(['mqtt', '--config', cfg, '--json', '--broker', `mqtt://127.0.0.1:${pc}`], {
      env: { MQTT_BROKER: `mqtt://127.0.0.1:${pe}` },
    });
    assert.equal(broker(cli), `mqtt://127.0.0.1:${pc}`);
    assert.match(cli.stderr, new RegExp(`127\\.0\\.0\\.1:${pc}: connection refused`));
  });
});

describe('config file: validation, before anything is contacted', () => {
  let s: Sentinel;
  before(async () => {
    s = await sentinel();
  });
  after(async () => {
    await s?.close();
  });

  /** A config pointing every connection at the sentinel, plus `extra`. */
  const config = (extra: string): string =>
    `device: tcp://127.0.0.1:${s.port}\ntimeout: 0.2\nretries: 0\n${extra}` +
    (extra.includes('domoticz:') ? '' : `domoticz:\n  url: http://127.0.0.1:${s.port}\n  push: ["88:60:0"]\n`);

  test('control: a valid config does reach the sentinel, so the cases below could see a contact', async () => {
    const cfg = write(tmp(), 'ok.yaml', config(''));
    const before = s.connections();
    const r = await runCli(['get', '--config', cfg, '60']);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(s.connections() > before);
  });

  const cases: Array<{ what: string; yaml: string; command: string[]; message: RegExp }> = [
    {
      what: 'unknown top-level key',
      yaml: 'devcie: sim\n',
      command: ['read'],
      message: /: unknown key devcie \(did you mean device\?\)$/m,
    },
    {
      what: 'unknown nested key',
      yaml: 'mqtt:\n  broker: mqtt://127.0.0.1:1\n  qoss: 1\n',
      command: ['mqtt'],
      message: /: unknown key mqtt\.qoss \(did you mean mqtt\.qos\?\)$/m,
    },
    {
      what: 'wrong type (number for a password)',
      yaml: 'domoticz:\n  url: http://127.0.0.1:1\n  password: 1234\n',
      command: ['read'],
      message: /: domoticz\.password must be text/,
    },
    { what: 'wrong type (text for seconds)', yaml: 'lock_wait: soon\n', command: ['get', '60'], message: /: lock_wait must be a number/ },
    { what: 'wrong type (a value for a section)', yaml: 'mqtt: localhost\n', command: ['mqtt'], message: /: mqtt must be a section/ },
    {
      what: 'bad qos',
      yaml: 'mqtt:\n  broker: mqtt://127.0.0.1:1\n  qos: 3\n',
      command: ['mqtt'],
      message: /: mqtt\.qos must be 0, 1 or 2$/m,
    },
    {
      what: 'bad push entry',
      yaml: 'domoticz:\n  url: http://127.0.0.1:1\n  push: ["88:60:7"]\n',
      command: ['read'],
      message: /: domoticz\.push \[0\]: .*mode "7" must be 0, 1 or 2/,
    },
    {
      what: 'bad broker URL',
      yaml: 'mqtt:\n  broker: http://127.0.0.1:1\n',
      command: ['mqtt'],
      message: /: mqtt\.broker .*must start with mqtt:\/\/ or mqtts:\/\//,
    },
    { what: 'missing broker for mqtt', yaml: 'mqtt:\n  qos: 1\n', command: ['mqtt'], message: /: mqtt\.broker is missing/ },
    // The three lines config() puts first, then the two below: the unclosed [ is noticed on line 6.
    {
      what: 'YAML syntax error',
      yaml: 'mqtt:\n  broker: [mqtt://x\nqos: 1\n',
      command: ['mqtt'],
      message: /: YAML syntax error at line 6, column 1: /,
    },
    {
      what: 'duplicate key',
      yaml: 'timeout: 1\ntimeout: 2\n',
      command: ['get', '60'],
      message: /: YAML syntax error at line \d+, column \d+: Map keys must be unique/,
    },
  ];
  for (const c of cases) {
    test(`${c.what}: one line naming the file and the key, exit 2, nothing contacted`, async () => {
      const cfg = write(tmp(), 'bad.yaml', config(c.yaml));
      const before = s.connections();
      const r = await runCli([...c.command, '--config', cfg]);
      assert.equal(r.code, 2, r.stderr);
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.ok(lines[0]!.startsWith(`error: ${cfg}: `), lines[0]);
      assert.match(lines[0]!, c.message);
      assert.equal(r.stdout, '');
      assert.equal(s.connections(), before, 'nothing was contacted');
    });
  }

  test('a --config file that does not exist, and a MULTICAL_CONFIG that does not exist', async () => {
    const missing = join(tmp(), 'nope.yaml');
    const a = await runCli(['get', '-d', 'sim', '60', '--config', missing]);
    assert.equal(a.code, 2);
    assert.equal(a.stderr, `error: --config ${missing}: no such file\n`);
    const b = await runCli(['get', '-d', 'sim', '60'], { env: { MULTICAL_CONFIG: missing } });
    assert.equal(b.code, 2);
    assert.equal(b.stderr, `error: MULTICAL_CONFIG ${missing}: no such file\n`);
  });
});

describe('config file: secrets in a file others can read', () => {
  test('a password in a group/world-readable file: one warning line, and the run goes on', async () => {
    const dir = tmp();
    const loose = write(dir, 'loose.yaml', 'device: sim\ndomoticz:\n  password: "hunter2"\n', 0o644);
    const r = await runCli(['get', '--config', loose, '60']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `warning: ${loose} holds domoticz.password and can be read by other users (mode 644): chmod 600 ${loose}\n`);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2/);
    const mqtt = write(dir, 'mqtt.yaml', 'device: sim\nmqtt:\n  password: "x"\n  username: u\n', 0o640);
    assert.match(
      (await runCli(['get', '--config', mqtt, '60'])).stderr,
      /holds mqtt\.password and can be read by other users \(mode 640\)/,
    );
  });

  test('no warning for mode 600, nor for a readable file without secrets', async () => {
    const dir = tmp();
    const tight = write(dir, 'tight.yaml', 'device: sim\ndomoticz:\n  token: "abc"\n', 0o600);
    assert.equal((await runCli(['get', '--config', tight, '60'])).stderr, '');
    const plain = write(dir, 'plain.yaml', 'device: sim\ndomoticz:\n  password_file: pw\n', 0o644);
    assert.equal((await runCli(['get', '--config', plain, '60'])).stderr, '');
  });
});

describe('config file: the default location', () => {
  test('$MULTICAL_CONFIG', async () => {
    const cfg = write(tmp(), 'anywhere.yaml', 'device: "sim:omit=86"\n');
    assert.deepEqual(getJson(await runCli(['get', '--json', '60', '86'], { env: { MULTICAL_CONFIG: cfg } })).missing, [86]);
  });

  test('$XDG_CONFIG_HOME/multical/config.yaml, and ~/.config/multical/config.yaml without XDG_CONFIG_HOME', async () => {
    const xdg = tmp();
    write(xdg, 'multical/config.yaml', 'device: "sim:omit=87"\n');
    assert.deepEqual(getJson(await runCli(['get', '--json', '60', '87'], { env: { XDG_CONFIG_HOME: xdg } })).missing, [87]);
    const h = tmp();
    write(h, '.config/multical/config.yaml', 'device: "sim:omit=89"\n');
    assert.deepEqual(getJson(await runCli(['get', '--json', '60', '89'], { env: { HOME: h, XDG_CONFIG_HOME: '' } })).missing, [89]);
  });

  test('--config beats $MULTICAL_CONFIG, which beats the XDG file', async () => {
    const xdg = tmp();
    write(xdg, 'multical/config.yaml', 'device: "sim:omit=87"\n');
    const viaEnv = write(tmp(), 'env.yaml', 'device: "sim:omit=86"\n');
    const explicit = write(tmp(), 'cli.yaml', 'device: "sim:omit=89"\n');
    const run = async (args: string[], extra: Record<string, string>): Promise<number[]> =>
      getJson(await runCli(['get', '--json', '86', '87', '89', ...args], { env: { XDG_CONFIG_HOME: xdg, ...extra } })).missing;
    assert.deepEqual(await run([], {}), [87]);
    assert.deepEqual(await run([], { MULTICAL_CONFIG: viaEnv }), [86]);
    assert.deepEqual(await run(['--config', explicit], { MULTICAL_CONFIG: viaEnv }), [89]);
  });
});

describe('config file: argument lists', () => {
  test('read with no arguments pushes domoticz.push (shown with --dry-run -d sim)', async () => {
    const cfg = write(tmp(), 'c.yaml', 'domoticz:\n  push:\n    - "88:60:0"\n    - "89:80:1:90"\n');
    const r = await runCli(['read', '--config', cfg, '--dry-run', '-d', 'sim']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, r.stdout);
    assert.match(lines[0]!, /^88:60:0 {2}Heat Energy \(E1\) [\d.]+ MWh {2}mode 0 {2}→ idx 88: would send the reading/);
    assert.match(lines[1]!, /^89:80:1:90 {2}Power [\d.]+ kW {2}mode 1 vs idx 90 {2}→ idx 89: would send reading − value\(90\)/);
    const args = await runCli(['read', '--config', cfg, '--dry-run', '-d', 'sim', '91:68:0']);
    assert.match(args.stdout, /^91:68:0 /, 'arguments on the command line replace the list');
    assert.doesNotMatch(args.stdout, /88:60:0/);
  });

  test('get with no arguments reads registers:', async () => {
    const cfg = write(tmp(), 'c.yaml', 'device: sim\nregisters: [60, "0x44", 1004]\n');
    assert.deepEqual(
      getJson(await runCli(['get', '--config', cfg, '--json'])).registers.map((r) => r.id),
      [60, 68, 1004],
    );
  });
});
