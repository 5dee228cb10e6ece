// Files, devices and meters an attacker or a mistake controls (issue "Trust"): each gets one clear line,
// a documented exit code and a bounded run — never a hang, a stack trace or exit 1.
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { lockPath } from '../../src/meter/lock.js';
import { BIN, runCli, startCli, type CliResult } from '../support/cli.js';
import { closedPort } from '../support/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'multical-hostile-'));
const home = join(dir, 'home');
mkdirSync(home);
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state') };
const cli = (args: string[]): Promise<CliResult> => runCli(args, { env, killAfterMs: 20_000 });

/** One line on stderr, naming what is wrong; no stack trace. */
function oneLine(r: CliResult, ...names: RegExp[]): string {
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\n\s+at |this is a bug/);
  for (const n of names) assert.match(lines[0]!, n);
  return lines[0]!;
}

describe('--debug-file', () => {
  test('a FIFO is refused at once (not waited on), exit 2', async () => {
    const fifo = join(dir, 'debug.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await cli(['get', '-d', 'sim', '--debug-file', fifo, '--deadline', '5', '60']);
    assert.equal(r.code, 2, r.stderr);
    oneLine(r, /--debug-file/, /debug\.fifo/, /not a regular file/);
    assert.ok(r.ms < 5000, 'did not wait for a reader');
  });

  test('a symbolic link is not followed, a folder is refused, a file of another user is refused', async () => {
    const target = join(dir, 'secret.txt');
    writeFileSync(target, 'keep\n', { mode: 0o600 });
    const link = join(dir, 'debug.link');
    symlinkSync(target, link);
    const viaLink = await cli(['get', '-d', 'sim', '--debug-file', link, '60']);
    assert.equal(viaLink.code, 2, viaLink.stderr);
    oneLine(viaLink, /debug\.link/, /symbolic link/);
    assert.equal(statSync(target).size, 5, 'the link target was not written');
    const folder = await cli(['get', '-d', 'sim', '--debug-file', dir, '60']);
    assert.equal(folder.code, 2, folder.stderr);
    oneLine(folder, /--debug-file/, /folder/);
    if (process.getuid?.() === 0) {
      const theirs = join(dir, 'theirs.log');
      writeFileSync(theirs, '');
      chownSync(theirs, 65534, 65534);
      const r = await cli(['get', '-d', 'sim', '--debug-file', theirs, '60']);
      assert.equal(r.code, 2, r.stderr);
      oneLine(r, /theirs\.log/, /another user/);
    }
  });

  test('a new debug file is created readable by its owner only, and holds the frames', async () => {
    const log = join(dir, 'new-debug.log');
    const r = await cli(['get', '-d', 'sim', '--debug-file', log, '60']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(log).mode & 0o777, 0o600);
    assert.match(execFileSync('cat', [log], { encoding: 'utf8' }), / tx 80 3F 10 01 00 3C /);
  });
});

describe('files we read: config, password', () => {
  test('a config file that is a FIFO, or larger than the cap, is refused at once', async () => {
    const fifo = join(dir, 'config.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await cli(['get', '-d', 'sim', '--config', fifo, '60']);
    assert.equal(r.code, 2, r.stderr);
    oneLine(r, /config\.fifo/, /not a regular file/);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `device: sim\n${'# padding padding padding\n'.repeat(45_000)}`);
    const b = await cli(['get', '--config', big, '60']);
    assert.equal(b.code, 2, b.stderr);
    oneLine(b, /big\.yaml/, /bytes/);
  });

  test('--password-file /dev/zero is refused (not read to the end of memory)', async () => {
    const r = await cli(['read', '-d', 'sim', '--url', 'http://127.0.0.1:1', '--user', 'u', '--password-file', '/dev/zero', '1:60:0']);
    assert.equal(r.code, 2, r.stderr);
    oneLine(r, /--password-file/, /\/dev\/zero/, /not a regular file/);
  });

  test('--ca that is a folder is a usage error (2), not a Domoticz error', async () => {
    const r = await cli(['read', '-d', 'sim', '--url', 'https://127.0.0.1:1', '--ca', '/etc', '1:60:0']);
    assert.equal(r.code, 2, r.stderr);
    oneLine(r, /--ca/, /\/etc/, /folder/);
  });
});

describe('devices and locks', () => {
  test('a device path of 300 characters is a meter error naming the problem, not exit 1', async () => {
    const r = await cli(['get', '-d', '/tmp/' + 'x'.repeat(300), '--retries', '0', '60']);
    assert.equal(r.code, 3, r.stderr);
    oneLine(r, /x{20}/);
  });

  test('a folder as the device: one line, the reason said once', async () => {
    const r = await cli(['get', '-d', dir, '60']);
    assert.equal(r.code, 3, r.stderr);
    const line = oneLine(r, /multical-hostile/);
    assert.equal(line.split(dir).length, 2, `the path once: ${line}`);
  });

  test('empty, garbage and foreign-pid lock files are stale and taken over; a lock that cannot be removed is named', async () => {
    const sim = await startCli(['simulate', '--listen', '127.0.0.1:0'], /tcp:\/\/(127\.0\.0\.1):(\d+)/, { env });
    try {
      const device = `tcp://${sim.match[1]}:${sim.match[2]}`;
      const { path } = await lockPath({ kind: 'tcp', host: sim.match[1]!, port: Number(sim.match[2]) });
      for (const content of ['', 'garbage\n', `${process.pid}\ntcp:127.0.0.1:${sim.match[2]}\n`, '1\n']) {
        writeFileSync(path, content);
        const r = await cli(['get', '-d', device, '--lock-wait', '0.3', '60']);
        assert.equal(r.code, 0, `lock ${JSON.stringify(content)}: ${r.stderr}`);
      }
      rmSync(path, { force: true });
      mkdirSync(path);
      const r = await cli(['get', '-d', device, '--lock-wait', '0.3', '60']);
      assert.equal(r.code, 7, r.stderr);
      oneLine(r, new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      rmSync(path, { recursive: true, force: true });
    } finally {
      await sim.stop();
    }
  });

  test('the lock of a TCP endpoint does not depend on how the host is spelled', async () => {
    const sim = await startCli(['simulate', '--listen', '127.0.0.1:0', '--real-timing'], /tcp:\/\/127\.0\.0\.1:(\d+)/, { env });
    try {
      const first = cli(['read', '-d', `tcp://127.0.0.1:${sim.match[1]}`, '--test_kamstrup']);
      await new Promise((r) => setTimeout(r, 400));
      const second = await cli(['get', '-d', `tcp://localhost:${sim.match[1]}`, '--lock-wait', '0.3', '60']);
      assert.equal(second.code, 7, second.stderr);
      assert.equal((await first).code, 0);
    } finally {
      await sim.stop();
    }
  });
});

describe('options, commands and outputs', () => {
  test('serial options are checked whatever the device, even -d sim', async () => {
    for (const [opt, value] of [
      ['--baud', 'abc'],
      ['--stopbits', '3'],
      ['--parity', 'foo'],
    ] as const) {
      const r = await cli(['get', '-d', 'sim', opt, value, '60']);
      assert.equal(r.code, 2, `${opt} ${value}: ${r.stderr}`);
      oneLine(r, new RegExp(opt), new RegExp(value));
    }
  });

  test('a mistyped command gets a suggestion, exit 2', async () => {
    const r = await cli(['reed', '-d', 'sim']);
    assert.equal(r.code, 2);
    oneLine(r, /reed/, /read/);
  });

  test('--json prints one JSON object on failure too, with the error and the exit code', async () => {
    const info = await cli(['info', '-d', 'sim:no-answer', '--timeout', '0.2', '--retries', '0', '--json']);
    assert.equal(info.code, 3, info.stderr);
    const a = JSON.parse(info.stdout) as { exitCode: number; error: { code: string; message: string } };
    assert.equal(a.exitCode, 3);
    assert.equal(a.error.code, 'METER_TIMEOUT');
    const get = await cli(['get', '--json', '-d', '/dev/ttyUSB9', '60']);
    assert.equal(get.code, 3, get.stderr);
    assert.deepEqual((JSON.parse(get.stdout) as { exitCode: number }).exitCode, 3);
    const bad = await cli(['get', '--json', '-d', 'sim', '--retries', '9', '60']);
    assert.equal(bad.code, 2);
    assert.deepEqual(JSON.parse(bad.stdout), {
      error: { code: 'USAGE', message: '--retries "9": must be a whole number from 0 to 5' },
      exitCode: 2,
    });
    const ok = await cli(['get', '--json', '-d', 'sim', '60']);
    assert.equal((JSON.parse(ok.stdout) as { exitCode: number }).exitCode, 0);
  });

  test('a closed stdout or stderr ends the run quietly: no EPIPE, no stack trace', () => {
    for (const cmd of [`node ${BIN} --help | head -1`, `node ${BIN} read -d sim --test_kamstrup --debug 2>&1 | head -3`]) {
      const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { encoding: 'utf8', env: { ...process.env, ...env } });
      assert.equal(r.stderr, '', `${cmd}: ${r.stderr}`);
      assert.ok(r.status === 0 || r.status === 141, `${cmd}: exit ${r.status}`);
      assert.ok(r.stdout.split('\n').filter(Boolean).length <= 3, r.stdout);
    }
  });
});

describe('a meter that sends nonsense with a valid CRC', () => {
  const kinds: Array<[string, number, RegExp]> = [
    ['huge', 5, /18446744073709551615 MWh cannot be right/],
    ['exponent', 5, /cannot be right/],
    ['unit', 5, /unit 0xFF/],
    ['length', 3, /mantissa length 255/],
  ];
  for (const [kind, code, message] of kinds) {
    test(`${kind}: not pushed (exit ${code})`, async () => {
      const r = await cli(['read', '-d', `sim:nonsense=${kind}`, '--retries', '0', '--dry-run', '1:60:0']);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '', 'no "would send" line');
    });
  }

  test('nor published to MQTT: exit 5, only status offline is sent', async () => {
    const port = await closedPort();
    const r = await cli(['mqtt', '-d', 'sim:nonsense=huge', '--broker', `mqtt://127.0.0.1:${port}`, '--json', '60']);
    assert.equal(r.code, 5, r.stderr);
    const doc = JSON.parse(r.stdout) as { values?: unknown; status: string };
    assert.equal(doc.values, undefined);
    assert.equal(doc.status, 'offline');
  });
});

describe('MQTT client id', () => {
  test('multical-<serial> without --ha-discovery, the serial riding in the same request', async () => {
    const port = await closedPort();
    const r = await cli(['mqtt', '-d', 'sim', '--broker', `mqtt://127.0.0.1:${port}`, '--json', '--debug', '60', '68']);
    assert.equal(r.code, 6, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { clientId: string }).clientId, 'multical-19088743');
    assert.equal((r.stderr.match(/^tx /gm) ?? []).length, 1, 'one request: 60, 68 and 1001');
  });
});
