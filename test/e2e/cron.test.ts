// Unattended operation: one run at a time per meter, a bounded run, signals, quiet mode.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { BIN, cleanEnv, runCli, startCli } from '../support/cli.js';
import { startDomoticzStandin } from '../support/domoticz-standin.js';
import { ptyPair } from '../support/pty.js';
import { lockPath } from '../../src/meter/lock.js';

const EIGHT = ['60', '68', '74', '80', '86', '87', '89', '266'];

/** Resolves once a simulator run with --debug has received a request: the run that sent it holds the port and the lock. */
async function requestArrived(sim: Awaited<ReturnType<typeof startCli>>): Promise<void> {
  for (let waited = 0; !/^sim rx /m.test(sim.output().stderr); waited += 20) {
    if (waited > 10_000) throw new Error(`no request reached the simulated meter: ${sim.output().stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('one run at a time per meter', () => {
  test('a second run on the same serial port waits for the first; frames never interleave', async () => {
    const pty = await ptyPair();
    const sim = await startCli(['simulate', '--device', pty.b, '--real-timing', '--debug'], /serving KMP/);
    try {
      const first = runCli(['get', '-d', pty.a, '--json', ...EIGHT]);
      await requestArrived(sim);
      const second = runCli(['get', '-d', pty.a, '--json', '--lock-wait', '20', ...EIGHT]);
      const [a, b] = await Promise.all([first, second]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal((JSON.parse(a.stdout) as { registers: unknown[] }).registers.length, 8);
      assert.equal((JSON.parse(b.stdout) as { registers: unknown[] }).registers.length, 8);
      // The second waited for the first: its run took at least one real-timing request longer.
      assert.ok(b.ms > 1000 + 500, `second run ${b.ms} ms`);
      // The simulator saw exactly two whole requests, one after the other, each answered.
      const log = sim.output().stderr;
      assert.equal(log.match(/^sim rx 80 /gm)?.length ?? 0, 2, log);
    } finally {
      await sim.stop();
      await pty.close();
    }
  });

  // The first run holds the meter for 3 s: its first request goes unanswered (silent-first) until --timeout.
  test('the second run gives up after --lock-wait with exit 7 and says who holds the meter', async () => {
    const pty = await ptyPair();
    const sim = await startCli(['simulate', '--device', pty.b, '--fault', 'silent-first', '--debug'], /serving KMP/);
    try {
      const first = runCli(['read', '-d', pty.a, '--timeout', '3', '--test_kamstrup']);
      await requestArrived(sim);
      const second = await runCli(['get', '-d', pty.a, '--lock-wait', '0.5', '60']);
      assert.equal(second.code, 7, second.stderr);
      assert.match(second.stderr, /^error: another multical run \(pid \d+\) is using .*meter-a; waited 0\.5 s/);
      assert.equal(second.stdout, '');
      assert.equal((await first).code, 0);
    } finally {
      await sim.stop();
      await pty.close();
    }
  });

  test('the same holds for a ser2net endpoint (tcp://host:port)', async () => {
    const sim = await startCli(['simulate', '--listen', '127.0.0.1:0', '--fault', 'silent-first', '--debug'], /tcp:\/\/(127\.0\.0\.1:\d+)/);
    try {
      const dev = `tcp://${sim.match[1]}`;
      const first = runCli(['read', '-d', dev, '--timeout', '3', '--test_kamstrup']);
      await requestArrived(sim);
      const second = await runCli(['get', '-d', dev, '--lock-wait', '0.3', '60']);
      assert.equal(second.code, 7, second.stderr);
      assert.equal((await first).code, 0);
    } finally {
      await sim.stop();
    }
  });

  test('a lock left behind by a run that died is taken over', async () => {
    const sim = await startCli(['simulate', '--listen', '127.0.0.1:0'], /tcp:\/\/(127\.0\.0\.1):(\d+)/);
    try {
      const { path } = await lockPath({ kind: 'tcp', host: sim.match[1]!, port: Number(sim.match[2]) });
      // A pid that is not running: spawn and reap a short-lived process.
      const dead = await new Promise<number>((resolve) => {
        const c = spawn(process.execPath, ['-e', '0']);
        c.once('exit', () => resolve(c.pid!));
      });
      writeFileSync(path, `${dead}\n`);
      const r = await runCli(['get', '-d', `tcp://${sim.match[1]}:${sim.match[2]}`, '--lock-wait', '0.5', '60']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(existsSync(path), false, 'the lock is released after the run');
    } finally {
      await sim.stop();
    }
  });
});

describe('bounded in time', () => {
  test('a meter that never answers: --deadline ends the run, says why, exit 8', async () => {
    const r = await runCli(['get', '-d', 'sim:no-answer', '--timeout', '10', '--retries', '5', '--deadline', '1', '60']);
    assert.equal(r.code, 8, r.stderr);
    assert.ok(r.ms < 5000, `${r.ms} ms`);
    assert.match(r.stderr, /^error: the run deadline of 1 s ran out \(stopped while waiting for the reply to GetRegister 60 to 0x3F\)\n$/);
  });

  test('a Domoticz that hangs: --deadline ends the run before the HTTP timeout, exit 8', async () => {
    const dz = await startDomoticzStandin({ fault: { kind: 'hang' } });
    try {
      const r = await runCli(['read', '-d', 'sim', '--url', dz.url, '--http-timeout', '60', '--deadline', '1.5', '2:86:0'], {
        env: { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz' },
      });
      assert.equal(r.code, 8, r.stderr);
      assert.ok(r.ms < 6000, `${r.ms} ms`);
      assert.match(r.stderr, /the run deadline of 1\.5 s ran out/);
      assert.deepEqual(dz.updates, []);
    } finally {
      await dz.close();
    }
  });

  test('a host name that does not resolve ends within the bound and names the host', async () => {
    const r = await runCli(['read', '-d', 'sim', '--url', 'http://no-such-host.invalid:8080', '--deadline', '4', '2:86:0']);
    assert.ok(r.code === 4 || r.code === 8, `exit ${r.code}: ${r.stderr}`);
    assert.ok(r.ms < 8000, `${r.ms} ms`);
    assert.match(r.stderr, r.code === 4 ? /host no-such-host\.invalid not found/ : /deadline/);
  });
});

describe('signals', () => {
  for (const [sig, code, word] of [
    ['SIGTERM', 143, 'terminated'],
    ['SIGINT', 130, 'interrupted'],
  ] as const) {
    test(`${sig} closes the port, releases the lock and exits ${code}`, async () => {
      const pty = await ptyPair();
      try {
        // A meter that never answers, so the run is waiting for the reply when the signal comes.
        const silent = await startCli(['simulate', '--device', pty.b, '--fault', 'no-answer', '--debug'], /serving KMP/);
        const child = spawn(process.execPath, [BIN, 'get', '-d', pty.a, '--timeout', '20', '60'], {
          env: cleanEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        // The request reached the meter: the run holds the port and the lock, and has its signal handlers.
        await requestArrived(silent);
        await silent.stop();
        const started = Date.now();
        child.kill(sig);
        const exit = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
        assert.equal(exit, code, stderr);
        assert.ok(Date.now() - started < 3000);
        assert.match(stderr, new RegExp(`^error: ${word} \\(${sig}\\)`));
        // The port and the lock are free: a run right after opens the same device at once.
        const sim = await startCli(['simulate', '--device', pty.b], /serving KMP/);
        try {
          const r = await runCli(['get', '-d', pty.a, '--lock-wait', '0', '60']);
          assert.equal(r.code, 0, r.stderr);
        } finally {
          await sim.stop();
        }
      } finally {
        await pty.close();
      }
    });
  }
});

describe('quiet', () => {
  test('--quiet: nothing on success, a short report on stderr on trouble', async () => {
    const dz = await startDomoticzStandin();
    try {
      const env = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz' };
      const ok = await runCli(['read', '-q', '-d', 'sim', '--url', dz.url, '2:86:0', '1:60:0'], { env });
      assert.equal(ok.code, 0);
      assert.equal(ok.stdout + ok.stderr, '');
      const bad = await runCli(['read', '-q', '-d', 'sim:no-answer', '--timeout', '0.2', '--retries', '0', '--url', dz.url, '2:86:0'], {
        env,
      });
      assert.equal(bad.code, 3);
      assert.equal(bad.stdout, '');
      const lines = bad.stderr.trim().split('\n');
      assert.ok(lines.length >= 1 && lines.length <= 3, bad.stderr);
      assert.match(bad.stderr, /no reply in 200 ms/);
    } finally {
      await dz.close();
    }
  });
});
