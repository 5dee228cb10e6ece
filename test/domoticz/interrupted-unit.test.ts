// The README's mode-2 pattern `91:68:2:92 92:68:0` keeps a running total in 91 and the last reading in 92.
// A run is stopped at every step of the unit — while each of its four HTTP requests is unanswered, and
// after each update took effect but before Domoticz confirmed it — by kill -9, SIGTERM and --deadline;
// then the next run goes through. Whatever the step, 91 must end as T0 + (last reading − R0): the usage
// since the stopped run is neither lost nor counted twice. The built CLI against the stand-in over HTTP.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, spawnCli, type CliResult } from '../support/cli.js';
import { journalName } from '../../src/domoticz/journal.js';
import { volume } from '../support/domoticz-devices.js';
import { startDomoticzStandin, type Fault, type Standin } from '../support/domoticz-standin.js';
import { addText, subText, trimZeros } from '../support/oracle.js';

const T0 = '100';
const R0 = '4000';
const UNIT = ['91:68:2:92', '92:68:0'];

/** The steps of run 1, as the stand-in numbers its requests: getdevices 91, getdevices 92, udevice 91, udevice 92. */
const STEPS: Array<{ step: string; fault: Fault }> = [
  { step: 'getdevices 91 unanswered', fault: { kind: 'hang', at: 1 } },
  { step: 'getdevices 92 unanswered', fault: { kind: 'hang', at: 2 } },
  { step: 'udevice 91 unanswered, not applied', fault: { kind: 'hang', at: 3 } },
  { step: 'udevice 91 applied, not confirmed', fault: { kind: 'hang', at: 3, applied: true } },
  { step: 'udevice 92 unanswered, not applied', fault: { kind: 'hang', at: 4 } },
  { step: 'udevice 92 applied, not confirmed', fault: { kind: 'hang', at: 4, applied: true } },
];
const STOPS = ['kill -9', 'SIGTERM', '--deadline'] as const;

/** Exact decimal a + b − c, as svalues are written. */
const plusMinus = (a: string, b: string, c: string): string => trimZeros(subText(addText(a, b), c));

/** The journals in the state directory. */
const journals = (state: string): string[] => (existsSync(join(state, 'multical')) ? readdirSync(join(state, 'multical')) : []);

function lastSvalue(dz: Standin, idx: string): string | undefined {
  return dz.updates.filter((u) => u.idx === idx).at(-1)?.svalue;
}

/** Run 1, stopped at the stand-in's `at`-th request by `stop`. */
async function stoppedRun(dz: Standin, env: Record<string, string>, stop: (typeof STOPS)[number], at: number): Promise<CliResult> {
  const deadline = stop === '--deadline' ? ['--deadline', '1'] : [];
  const args = ['read', '--url', dz.url, '-d', 'sim', '--json', '--http-timeout', '60', ...deadline, ...UNIT];
  const run = spawnCli(args, { env, killAfterMs: 20_000 });
  // A run that ends before it gets there (it should not) fails the assertions below instead of hanging.
  const reached = await Promise.race([dz.seen(at).then(() => true), run.done.then(() => false)]);
  if (reached && stop === 'kill -9') run.child.kill('SIGKILL');
  if (reached && stop === 'SIGTERM') run.child.kill('SIGTERM');
  return run.done;
}

describe('a unit stopped at any step is finished by the next run: the total is right', { concurrency: 4 }, () => {
  for (const { step, fault } of STEPS) {
    for (const stop of STOPS) {
      test(`${step}, ${stop}`, async () => {
        const state = mkdtempSync(join(tmpdir(), 'multical-state-'));
        const env = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: state };
        const dz = await startDomoticzStandin({ devices: [volume('91', `${T0} m³`), volume('92', `${R0} m³`)], fault });
        try {
          const r1 = await stoppedRun(dz, env, stop, fault.at!);
          if (stop === 'kill -9') assert.equal(r1.signal, 'SIGKILL');
          else {
            assert.equal(r1.code, stop === 'SIGTERM' ? 143 : 8, r1.stderr);
            const doc = JSON.parse(r1.stdout) as { exitCode: number; pushes: Array<{ status: string; message?: string }> };
            assert.equal(doc.exitCode, r1.code);
            assert.deepEqual(
              doc.pushes.map((p) => p.status),
              fault.at === 4 ? ['sent', 'stopped'] : ['stopped', 'stopped'],
            );
            const inFlight = fault.at! >= 3;
            assert.equal(/may have been applied/.test(r1.stderr), inFlight, r1.stderr);
            assert.match(r1.stderr, stop === 'SIGTERM' ? /^error: terminated \(SIGTERM\)$/m : /^error: the run deadline of 1 s ran out$/m);
          }

          dz.setFault(null);
          const r2 = await runCli(['read', '--url', dz.url, '-d', 'sim', '--json', ...UNIT], { env });
          assert.equal(r2.code, 0, r2.stderr);
          const reading = String((JSON.parse(r2.stdout) as { pushes: Array<{ reading: number }> }).pushes[1]!.reading);
          assert.equal(lastSvalue(dz, '91'), plusMinus(T0, reading, R0), `91 after ${step}, ${stop}`);
          assert.equal(Number(lastSvalue(dz, '92')), Number(reading));
          assert.deepEqual(journals(state), [], 'the journal is gone');
        } finally {
          await dz.close();
        }
      });
    }
  }

  for (const at of [3, 4]) {
    test(`the connection dies after udevice ${at === 3 ? 91 : 92} took effect: exit 4 now, the next run finishes the unit`, async () => {
      const state = mkdtempSync(join(tmpdir(), 'multical-state-'));
      const env = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: state };
      const fault: Fault = { kind: 'reset', at, applied: true };
      const dz = await startDomoticzStandin({ devices: [volume('91', `${T0} m³`), volume('92', `${R0} m³`)], fault });
      try {
        const r1 = await runCli(['read', '--url', dz.url, '-d', 'sim', ...UNIT], { env });
        assert.equal(r1.code, 4, r1.stderr);
        assert.match(r1.stderr, /the next run finishes these updates from /);
        dz.setFault(null);
        const r2 = await runCli(['read', '--url', dz.url, '-d', 'sim', '--json', ...UNIT], { env });
        assert.equal(r2.code, 0, r2.stderr);
        const reading = String((JSON.parse(r2.stdout) as { pushes: Array<{ reading: number }> }).pushes[1]!.reading);
        assert.equal(lastSvalue(dz, '91'), plusMinus(T0, reading, R0));
        assert.deepEqual(journals(state), []);
      } finally {
        await dz.close();
      }
    });
  }

  test('a run that finishes leaves no journal, and two configurations of the same Domoticz never mix', async () => {
    const state = mkdtempSync(join(tmpdir(), 'multical-state-'));
    const env = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: state };
    const devices = [volume('91', `${T0} m³`), volume('92', `${R0} m³`), volume('95', `${T0} m³`), volume('96', `${R0} m³`)];
    const dz = await startDomoticzStandin({ devices, fault: { kind: 'status500', at: 3 } });
    try {
      const failed = await runCli(['read', '--url', dz.url, '-d', 'sim', ...UNIT], { env });
      assert.equal(failed.code, 4);
      assert.equal(journals(state).length, 1);
      // Another configuration (95/96) on the same Domoticz: untouched by 91/92's journal.
      const other = await runCli(['read', '--url', dz.url, '-d', 'sim', '95:68:2:96', '96:68:0'], { env });
      assert.equal(other.code, 0, other.stderr);
      assert.deepEqual(
        dz.updates.map((u) => u.idx),
        ['95', '96'],
      );
      assert.equal(journals(state).length, 1);
    } finally {
      await dz.close();
    }
  });

  test('an increment (Counter Incremental) that may have been applied is not sent twice; the rest of its unit is finished', async () => {
    const state = mkdtempSync(join(tmpdir(), 'multical-state-'));
    const env = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: state };
    // 8 (Counter Incremental) += reading − device 3 (General/kWh, 130.000 kWh); then 3 = the reading.
    const dz = await startDomoticzStandin({ fault: { kind: 'hang', at: 3, applied: true } });
    const args = ['8:60:1:3', '3:60:0'];
    try {
      const run = spawnCli(['read', '--url', dz.url, '-d', 'sim', ...args], { env });
      await Promise.race([dz.seen(3), run.done]);
      run.child.kill('SIGTERM');
      await run.done;
      dz.setFault(null);
      const r2 = await runCli(['read', '--url', dz.url, '-d', 'sim', '--json', ...args], { env });
      assert.equal(r2.code, 4, r2.stderr);
      assert.match(r2.stderr, /8:60:1:3: the previous run's update of device 8 \(\d+\) was on its way .* not sent again: check device 8/);
      const mwh = /"id":60,"name":"[^"]*","value":([0-9.]+)/.exec(r2.stdout)![1]!;
      const [whole, frac = ''] = mwh.split('.');
      const readingWh = BigInt(whole! + frac.padEnd(6, '0')); // MWh → Wh
      const added = dz.updates.filter((u) => u.idx === '8').reduce((sum, u) => sum + BigInt(u.svalue!), 0n);
      assert.equal(added, readingWh - 130_000n, 'every Wh since 130.000 kWh counted once');
      assert.equal(dz.updates.at(-1)!.svalue, `0;${readingWh}`);
      assert.deepEqual(journals(state), []);
    } finally {
      await dz.close();
    }
  });

  test('a damaged journal is never used: the unit is refused (exit 5), naming the file; other pushes go on', async () => {
    const state = mkdtempSync(join(tmpdir(), 'multical-state-'));
    const env = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: state };
    const dz = await startDomoticzStandin({ devices: [volume('91', `${T0} m³`), volume('92', `${R0} m³`), volume('93', '0 m³')] });
    try {
      mkdirSync(join(state, 'multical'), { recursive: true });
      const file = join(state, 'multical', journalName(dz.url, ['91', '92']));
      writeFileSync(file, '{"format":"multical domoticz journal 1","url":');
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '--json', ...UNIT, '93:68:0'], { env });
      assert.equal(r.code, 5, r.stderr);
      assert.ok(r.stderr.includes(`91:68:2:92: not sent: a stopped run left ${file}, which cannot be used (it is not JSON)`), r.stderr);
      assert.deepEqual(
        dz.updates.map((u) => u.idx),
        ['93'],
      );
      assert.deepEqual(journals(state), [journalName(dz.url, ['91', '92'])]);
    } finally {
      await dz.close();
    }
  });
});
