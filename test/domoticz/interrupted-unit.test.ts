// The README's mode-2 pattern `91:68:2:92 92:68:0` keeps a running total in 91 and the last reading in 92.
// A run is stopped at every step of the unit — while each of its four HTTP requests is unanswered, and
// after each update took effect but before Domoticz confirmed it — by kill -9, SIGTERM and --deadline;
// then the next run goes through. Whatever the step, 91 must end as T0 + (last reading − R0): the usage
// since the stopped run is neither lost nor counted twice. The built CLI against the stand-in over HTTP.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BIN, cleanEnv, runCli } from '../support/cli.js';
import { startDomoticzStandin, type Fault, type Standin } from '../support/domoticz-standin.js';

const T0 = '100';
const R0 = '4000';
const sensor = (idx: string, Data: string): object => ({
  idx,
  Name: `Volume ${idx}`,
  Type: 'General',
  SubType: 'Custom Sensor',
  SensorUnit: 'm³',
  Data,
});
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

/** Exact decimal a + b − c on 2-decimal texts. */
function plusMinus(a: string, b: string, c: string): string {
  const cents = (t: string): bigint => BigInt(Math.round(Number(t) * 100));
  const v = cents(a) + cents(b) - cents(c);
  const abs = (v < 0n ? -v : v).toString().padStart(3, '0');
  return `${v < 0n ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`.replace(/\.?0+$/, '');
}

/** The journals in the state directory. */
const journals = (state: string): string[] => (existsSync(join(state, 'multical')) ? readdirSync(join(state, 'multical')) : []);

function lastSvalue(dz: Standin, idx: string): string | undefined {
  return dz.updates.filter((u) => u.idx === idx).at(-1)?.svalue;
}

/** Run 1, stopped at the stand-in's `at`-th request by `stop`. */
async function stoppedRun(dz: Standin, env: Record<string, string>, stop: (typeof STOPS)[number], at: number) {
  const deadline = stop === '--deadline' ? ['--deadline', '1'] : [];
  const child = spawn(
    process.execPath,
    [BIN, 'read', '--url', dz.url, '-d', 'sim', '--json', '--http-timeout', '60', ...deadline, ...UNIT],
    {
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  // A run that ends before it gets there (it should not) fails the assertions below instead of hanging.
  const reached = await Promise.race([dz.seen(at).then(() => true), exited.then(() => false)]);
  if (reached && stop === 'kill -9') child.kill('SIGKILL');
  if (reached && stop === 'SIGTERM') child.kill('SIGTERM');
  const end = await exited;
  clearTimeout(guard);
  return { ...end, stdout, stderr };
}

describe('a unit stopped at any step is finished by the next run: the total is right', { concurrency: 4 }, () => {
  for (const { step, fault } of STEPS) {
    for (const stop of STOPS) {
      test(`${step}, ${stop}`, async () => {
        const state = mkdtempSync(join(tmpdir(), 'multical-state-'));
        const env = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: state };
        const dz = await startDomoticzStandin({ devices: [sensor('91', `${T0} m³`), sensor('92', `${R0} m³`)], fault });
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

  test('a run that finishes leaves no journal, and two configurations of the same Domoticz never mix', async () => {
    const state = mkdtempSync(join(tmpdir(), 'multical-state-'));
    const env = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: state };
    const devices = [sensor('91', `${T0} m³`), sensor('92', `${R0} m³`), sensor('95', `${T0} m³`), sensor('96', `${R0} m³`)];
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
});
