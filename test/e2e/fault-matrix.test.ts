// The fault matrix of `multical read`, one row per case: the built CLI reads `multical simulate` over a
// real socat pty (serialport bindings) and pushes to the Domoticz stand-in over loopback HTTP.
// For each row: the run ends within its bound, the message names the cause, nothing wrong is pushed,
// everything that could be pushed was, and the exit code is the documented one (README, "Exit codes").
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli, startCli } from '../support/cli.js';
import { startDomoticzStandin, type StandinOptions } from '../support/domoticz-standin.js';
import { ptyPair } from '../support/pty.js';

interface Row {
  /** The case, as it reads in the matrix. */
  name: string;
  /** `multical simulate` flags (faults, echo, timing). */
  meter?: string[];
  standin?: StandinOptions;
  args?: string[];
  /** Extra CLI options. */
  options?: string[];
  code: number;
  /** The one line that names the cause (stderr). */
  message?: RegExp;
  /** Devices updated, in order. */
  pushed: string[];
  /** Upper bound of the whole run, ms (generous: it proves the run ends, not how fast). */
  boundMs: number;
  /** Lower bound, ms, where the case is about time. */
  atLeastMs?: number;
}

const ADMIN = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz' };
const FAST = ['--timeout', '0.4', '--retries', '1', '--http-timeout', '1'];
// Custom Sensors with no unit take any number as the meter reports it: fillers for a second batch.
const FILLERS = [68, 74, 80, 87, 89, 266, 1004].map((reg, i) => ({
  idx: String(20 + i),
  Name: `Filler ${reg}`,
  Type: 'General',
  SubType: 'Custom Sensor',
  SensorUnit: '',
  Data: '0',
}));

const MATRIX: Row[] = [
  // ---- the meter ---------------------------------------------------------------------------------
  {
    name: 'meter: no answer at all',
    meter: ['--fault', 'no-answer'],
    code: 3,
    message: /GetRegister 86, 60 to 0x3F: no reply in 400 ms, 2 attempts/,
    pushed: [],
    boundMs: 8000,
  },
  { name: 'meter: no answer to the first request only', meter: ['--fault', 'silent-first'], code: 0, pushed: ['2', '1'], boundMs: 8000 },
  { name: 'meter: corrupt CRC once', meter: ['--fault', 'crc-once'], code: 0, pushed: ['2', '1'], boundMs: 8000 },
  {
    name: 'meter: corrupt CRC always',
    meter: ['--fault', 'crc-always'],
    code: 3,
    message: /bad reply \(frame CRC does not match\)/,
    pushed: [],
    boundMs: 8000,
  },
  { name: 'meter: garbage before the reply', meter: ['--fault', 'garbage'], code: 0, pushed: ['2', '1'], boundMs: 8000 },
  { name: 'meter: echoed request (IR head echo)', meter: ['--echo'], code: 0, pushed: ['2', '1'], boundMs: 8000 },
  {
    name: 'meter: reply cut off before its stop byte, once',
    meter: ['--fault', 'truncate-once'],
    code: 0,
    pushed: ['2', '1'],
    boundMs: 8000,
  },
  {
    name: 'meter: reply cut off before its stop byte, always',
    meter: ['--fault', 'truncate-always'],
    code: 3,
    message: /no reply in 400 ms \(\d+ bytes of an unfinished reply\)/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'meter: reply for a different command',
    meter: ['--fault', 'wrong-command'],
    code: 3,
    message: /no reply in 400 ms \(a GetType reply came instead\)/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'meter: a register left out',
    meter: ['--fault', 'omit=86'],
    code: 3,
    message: /2:86:0: not pushed: the meter does not report register 86/,
    pushed: ['1'],
    boundMs: 8000,
  },
  {
    name: 'meter: reply trickles in at 1200 baud with real latency',
    meter: ['--real-timing'],
    // a reply of 8 registers takes ~0.9 s at 1200 baud: the default 2 s per request, not FAST's 0.4 s
    options: ['--timeout', '2'],
    code: 0,
    pushed: ['2', '1'],
    boundMs: 10000,
    // 0.25 s latency + (15 request + ≥ 29 reply bytes) × 11/1200 s
    atLeastMs: 250 + 44 * (11000 / 1200),
  },
  {
    name: 'meter: device vanishes mid-run (after the first of two requests)',
    meter: ['--fault', 'vanish-after=1'],
    standin: { devices: 'fixture+fillers' as unknown as object[] },
    args: ['2:86:0', '1:60:0', ...FILLERS.map((d, i) => `${d.idx}:${[68, 74, 80, 87, 89, 266, 1004][i]}:0`)],
    code: 3,
    message: /24:89:0|1004/,
    // the first request's 8 registers were read and are pushed; 1004 (second request) is not
    pushed: ['2', '1', '20', '21', '22', '23', '24', '25'],
    boundMs: 8000,
  },
  {
    name: 'meter: a value that cannot be right (Temp1 1000 °C)',
    meter: ['--fault', 'implausible'],
    code: 5,
    message: /2:86:0: 1000\.00 °C cannot be right for register 86 \(Temp1\): not pushed/,
    pushed: ['1'],
    boundMs: 8000,
  },
  // ---- Domoticz ----------------------------------------------------------------------------------
  {
    name: 'Domoticz: connection refused',
    standin: { closed: true } as StandinOptions,
    code: 4,
    message: /2:86:0: device 2: connection refused/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: 401 (wrong password)',
    standin: { users: [{ username: 'admin', password: 'other', rights: 'admin' }] },
    code: 4,
    message: /device 2: Domoticz refused the credentials \(HTTP 401\)/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: 403 (read-only user)',
    standin: { users: [{ username: 'admin', password: 'domoticz', rights: 'viewer' }] },
    code: 4,
    message: /device 2: the Domoticz user may not do this \(HTTP 403\)/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: 404 on the old API (2025.1): the new API is used, nothing fails',
    standin: { version: '2025.1' },
    code: 0,
    pushed: ['2', '1'],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: {"status":"ERR"} on update',
    standin: { fault: { kind: 'udeviceErr' } },
    code: 4,
    message: /device 2: Domoticz refused the update \(status "ERR"\)/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: HTTP 500',
    standin: { fault: { kind: 'status500' } },
    code: 4,
    message: /device 2: HTTP 500 from/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: a body that is not JSON',
    standin: { fault: { kind: 'notJson' } },
    code: 4,
    message: /device 2: http:\/\/127\.0\.0\.1:\d+ did not answer JSON/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: an answer that never comes',
    standin: { fault: { kind: 'hang' } },
    code: 4,
    message: /device 2: no answer from http:\/\/127\.0\.0\.1:\d+ in 1000 ms/,
    pushed: [],
    boundMs: 8000,
    atLeastMs: 1000,
  },
  {
    name: 'Domoticz: a device idx that does not exist',
    args: ['99:86:0', '1:60:0'],
    code: 4,
    message: /99:86:0: device 99: Domoticz has no device with idx 99/,
    pushed: ['1'],
    boundMs: 8000,
  },
];

async function runRow(row: Row): Promise<void> {
  const pty = await ptyPair();
  const sim = await startCli(['simulate', '--device', pty.b, ...(row.meter ?? [])], /serving KMP/);
  const o = (row.standin ?? {}) as StandinOptions & { closed?: boolean };
  const devices = (o.devices as unknown) === 'fixture+fillers' ? await fixtureWithFillers() : o.devices;
  const dz = await startDomoticzStandin({ ...o, ...(devices ? { devices } : {}) });
  if (o.closed) await dz.close();
  try {
    const args = row.args ?? ['2:86:0', '1:60:0'];
    const r = await runCli(['read', '-d', pty.a, '--url', dz.url, ...FAST, ...(row.options ?? []), ...args], {
      env: ADMIN,
      killAfterMs: row.boundMs + 5000,
    });
    assert.equal(r.signal, null, `${row.name}: killed after ${r.ms} ms`);
    assert.ok(r.ms < row.boundMs, `${row.name}: took ${r.ms} ms, bound ${row.boundMs} ms`);
    if (row.atLeastMs !== undefined) assert.ok(r.ms >= row.atLeastMs, `${row.name}: ${r.ms} ms < ${row.atLeastMs} ms`);
    assert.equal(r.code, row.code, `${row.name}: exit ${r.code}\n${r.stderr}`);
    if (row.message) assert.match(r.stderr, row.message, row.name);
    if (row.code === 0) assert.equal(r.stderr, '', row.name);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${row.name}: no stack trace`);
    assert.deepEqual(
      dz.updates.map((u) => u.idx),
      row.pushed,
      `${row.name}: pushed`,
    );
    // Nothing wrong is pushed: never a 0 or an empty value for a register that was not read.
    for (const u of dz.updates) assert.match(u.svalue ?? '', /^-?\d+(\.\d+)?(;-?\d+(\.\d+)?)?$/, `${row.name}: svalue ${u.svalue}`);
  } finally {
    if (!o.closed) await dz.close();
    await sim.stop();
    await pty.close();
  }
}

async function fixtureWithFillers(): Promise<object[]> {
  const base = await startDomoticzStandin();
  const devices = base.devices();
  await base.close();
  return [...devices, ...FILLERS];
}

describe('fault matrix (README "Exit codes"; one row per case)', { concurrency: 3 }, () => {
  for (const row of MATRIX) test(row.name, () => runRow(row));
});
