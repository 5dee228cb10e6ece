// The fault matrix of `multical read`, one row per case: the built CLI reads `multical simulate` over a
// real socat pty (serialport bindings) and pushes to the Domoticz stand-in over loopback HTTP.
// For each row: the run ends within its bound, the message names the cause, nothing wrong is pushed,
// everything that could be pushed was, and the exit code is the documented one (README, "Exit codes").
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lockPath } from '../../src/meter/lock.js';
import { DEFAULT_SERIAL } from '../../src/meter/serial-transport.js';
import { runCli, startCli } from '../support/cli.js';
import { customSensor, energy, volume } from '../support/domoticz-devices.js';
import { fixtureDevices, startDomoticzStandin, type StandinOptions } from '../support/domoticz-standin.js';
import { ptyPair } from '../support/pty.js';

interface Row {
  /** The case, as it reads in the matrix. */
  name: string;
  /** `multical simulate` flags (faults, echo, timing). */
  meter?: string[];
  standin?: StandinOptions;
  /** Devices added to the fixture's. */
  devices?: object[];
  /** Domoticz is not listening. */
  closed?: boolean;
  /** Environment of the run (default: admin's credentials). */
  env?: Record<string, string>;
  args?: string[];
  /** Extra CLI options. */
  options?: string[];
  code: number;
  /** The one line that names the cause (stderr). */
  message?: RegExp;
  /** What must never appear in the output (a secret). */
  never?: RegExp;
  /** Devices updated, in order. */
  pushed: string[];
  /** Upper bound of the whole run, ms (generous: it proves the run ends, not how fast). */
  boundMs: number;
  /** Lower bound, ms, where the case is about time. */
  atLeastMs?: number;
  /** Sets the scene before the run (a file, a lock); returns more CLI options. */
  prepare?: (scene: Scene) => Promise<string[]>;
}

interface Scene {
  /** A fresh folder for the row's files. */
  dir: string;
  /** The CLI's device path. */
  device: string;
  /** The simulator's pid: a live multical process. */
  simPid: number;
}

const ADMIN = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz' };
const FAST = ['--timeout', '0.4', '--retries', '1', '--http-timeout', '1'];
// Custom Sensors with no unit take any number as the meter reports it: fillers for a second batch.
const FILLERS = [68, 74, 80, 87, 89, 266, 1004].map((reg, i) => customSensor(String(20 + i), `Filler ${reg}`, '', '0'));

const UNIT = ['91:68:2:92', '92:68:0'];
const UNIT_DEVICES = [volume('91', '100 m³'), volume('92', '4000 m³')];
const DEEP = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);

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
    devices: FILLERS,
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
    closed: true,
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
  // ---- trust: usage never lost or counted twice, values read right, nothing secret printed ---------
  {
    name: 'Domoticz: HTTP 500 on the first update of a unit (91:68:2:92 92:68:0): the second is not sent',
    standin: { fault: { kind: 'status500', at: 3 } },
    devices: UNIT_DEVICES,
    args: UNIT,
    code: 4,
    message: /91:68:2:92: device 91: HTTP 500 from .*\n.*92:68:0: not sent: 91:68:2:92 was not sent/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: no answer to the first update of a unit, which took effect: the second is not sent',
    standin: { fault: { kind: 'hang', at: 3, applied: true } },
    devices: UNIT_DEVICES,
    args: UNIT,
    code: 4,
    message: /91:68:2:92: device 91: no answer .* in 1000 ms \(the update may have been applied\); the next run finishes these updates/,
    pushed: ['91'],
    boundMs: 8000,
    atLeastMs: 1000,
  },
  {
    name: 'Domoticz: getdevices&rid=N answers with another device',
    standin: { fault: { kind: 'otherIdx' } },
    code: 4,
    message: /2:86:0: device 2: Domoticz has no device with idx 2 \(it answered with device "1" instead\)/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: a device that is null (result [null])',
    standin: { fault: { kind: 'body', body: '{"status":"OK","result":[null]}' } },
    code: 4,
    message: /2:86:0: device 2: Domoticz answered a device that is not an object/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: Data nested 100,000 levels deep',
    standin: { fault: { kind: 'body', body: `{"status":"OK","result":[{"idx":"2","Name":"T","Type":"Temp","Data":${DEEP}}]}` } },
    code: 4,
    message: /2:86:0: device 2: Domoticz answered a device 2 whose Data is not text/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: a "result" that is not a list',
    standin: { fault: { kind: 'body', body: '{"status":"OK","result":"2"}' } },
    code: 4,
    message: /2:86:0: device 2: Domoticz answered a "result" that is not a list of devices/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: --test_domoticz gets result [1]',
    standin: { fault: { kind: 'body', body: '{"status":"OK","result":[1]}' } },
    args: ['--test_domoticz'],
    code: 4,
    message: /^error: device list: Domoticz answered a device that is not an object\n$/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: an answer that never ends',
    standin: { fault: { kind: 'endless' } },
    code: 4,
    message: /2:86:0: device 2: http:\/\/127\.0\.0\.1:\d+ sent more than 4 MB: not a Domoticz answer/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: Data "nan": mode 1 refused, mode 0 sent',
    devices: [volume('95', 'nan'), volume('96', '0 m³'), volume('97', 'nan')],
    args: ['96:68:1:95', '97:68:0'],
    code: 5,
    message: /96:68:1:95: compare device 95 "Volume 95" shows "nan", not a number/,
    pushed: ['97'],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: a total %g rounded (1.23457e+06) is not computed with',
    meter: ['--energy-unit', 'kWh'],
    devices: [energy('98', '1.23457e+06 kWh'), energy('99', '150000 kWh')],
    args: ['98:60:2:99'],
    code: 5,
    message: /98:60:2:99: device 98 "Energy 98" shows 1\.23457e\+06, which Domoticz rounded .* keep this total in a General\/kWh device/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: an alert push (info code flags) to a device that is not a General/Alert',
    meter: ['--fault', 'info=260'],
    devices: [{ idx: '30', Name: 'Meter alarm', Type: 'General', SubType: 'Alert', Data: 'No Alert!' }],
    options: ['--model', '603'],
    args: ['2:99:alert', '30:99:alert'],
    code: 5,
    message:
      /^error: 2:99:alert: device 2 "Outside Temp" is a Temp\/LaCrosse TX3 device, not a General\/Alert: the info code's flags are not sent to it\n$/,
    // the refused one sends nothing; the one to the Alert device goes (its text is checked in runRow)
    pushed: ['30'],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: echoes the Authorization header and the password (--debug --json)',
    standin: { fault: { kind: 'echoAuth' }, users: [{ username: 'meter', password: 's3cr3t-pw', rights: 'admin' }] },
    env: { DOMOTICZ_USER: 'meter', DOMOTICZ_PASSWORD: 's3cr3t-pw' },
    options: ['--debug', '--json'],
    code: 4,
    message: /2:86:0: device 2: Domoticz answered status "ERR Basic \*\*\* \(meter:\*\*\*\)"/,
    never: new RegExp(`s3cr3t-pw|${Buffer.from('meter:s3cr3t-pw').toString('base64')}`),
    pushed: [],
    boundMs: 8000,
  },
  // ---- the meter's values, the device, the files we are pointed at ---------------------------------
  {
    name: 'meter: a value with a valid CRC that cannot be a reading (mantissa 2^64 − 1)',
    meter: ['--fault', 'nonsense=huge'],
    code: 5,
    message: /1:60:0: 18446744073709551615 MWh cannot be right for register 60 \(Heat Energy \(E1\)\): not pushed/,
    pushed: ['2'],
    boundMs: 8000,
  },
  {
    name: 'meter: a register with a mantissa length no meter sends (255), valid CRC',
    meter: ['--fault', 'nonsense=length'],
    code: 3,
    message: /register 0x003C has mantissa length 255: no meter sends that/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'meter: another multical run holds the device (lock), --lock-wait 0.5',
    options: ['--lock-wait', '0.5'],
    prepare: async ({ device, simPid }) => {
      const { path, key } = await lockPath({ kind: 'serial', path: device, settings: DEFAULT_SERIAL });
      writeFileSync(path, `${simPid}\n${key}\n`);
      return [];
    },
    code: 7,
    message: /another multical run .* is using .*meter-a/,
    pushed: [],
    boundMs: 8000,
    atLeastMs: 500,
  },
  {
    name: 'usage: --debug-file is a FIFO (nothing read, nothing pushed)',
    prepare: ({ dir }) => {
      execFileSync('mkfifo', [join(dir, 'debug.log')]);
      return Promise.resolve(['--debug-file', join(dir, 'debug.log')]);
    },
    code: 2,
    message: /--debug-file .*debug\.log: is not a regular file \(a FIFO\)/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'usage: --config is 20 MB (refused unread, nothing contacted)',
    prepare: ({ dir }) => {
      writeFileSync(join(dir, 'big.yaml'), '#'.repeat(20 * 1024 * 1024));
      return Promise.resolve(['--config', join(dir, 'big.yaml')]);
    },
    code: 2,
    message: /--config .*big\.yaml: is 20971520 bytes, more than the 262144 this file may have/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'meter: exponent 0x3F with a valid CRC (a value no meter sends)',
    meter: ['--fault', 'nonsense=exponent'],
    code: 5,
    message: /1:60:0: \d{60,} MWh cannot be right for register 60/,
    pushed: ['2'],
    boundMs: 8000,
  },
  {
    name: 'meter: unit code 0xFF with a valid CRC',
    meter: ['--fault', 'nonsense=unit'],
    code: 5,
    message: /1:60:0: 258 unit 0xFF cannot be right for register 60 .*unit 0xFF is not a unit a meter uses/,
    pushed: ['2'],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: mode 2 with a compare device above the reading (a falling total) is refused',
    devices: [volume('91', '100 m³'), volume('92', '9999 m³')],
    args: ['91:68:2:92'],
    code: 5,
    message: /91:68:2:92: the reading [\d.]+ m³ is lower than compare device 92 "Volume 92" shows \(9999\)/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: Data "Infinity" is no value: mode 1 refused; Data "": mode 0 sent, its check skipped',
    devices: [volume('95', 'Infinity'), volume('96', '0 m³'), volume('97', '')],
    args: ['96:68:1:95', '97:68:0'],
    code: 5,
    message: /96:68:1:95: compare device 95 "Volume 95" shows "Infinity", not a number/,
    pushed: ['97'],
    boundMs: 8000,
  },
  {
    name: 'Domoticz: a URL with credentials in it (refused, masked, nothing contacted)',
    options: ['--url', 'http://admin:Hunter2-pw@127.0.0.1:1/'],
    code: 2,
    message: /^error: --url http:\/\/\*\*\*@127\.0\.0\.1:1\/: must not hold credentials/,
    never: /Hunter2-pw/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'meter: a lock file of garbage left in the lock folder is stale: taken over',
    prepare: async ({ device }) => {
      writeFileSync((await lockPath({ kind: 'serial', path: device, settings: DEFAULT_SERIAL })).path, 'garbage\n');
      return [];
    },
    code: 0,
    pushed: ['2', '1'],
    boundMs: 8000,
  },
  {
    name: 'usage: --password-file /dev/zero (refused, not read to the end of memory)',
    options: ['--password-file', '/dev/zero'],
    code: 2,
    message: /--password-file \/dev\/zero: is not a regular file/,
    pushed: [],
    boundMs: 8000,
  },
  {
    name: 'usage: --debug-file is a symbolic link (not followed)',
    prepare: ({ dir }) => {
      writeFileSync(join(dir, 'target'), '');
      symlinkSync(join(dir, 'target'), join(dir, 'debug.log'));
      return Promise.resolve(['--debug-file', join(dir, 'debug.log')]);
    },
    code: 2,
    message: /--debug-file .*debug\.log: is a symbolic link/,
    pushed: [],
    boundMs: 8000,
  },
];

async function runRow(row: Row): Promise<void> {
  const pty = await ptyPair();
  const sim = await startCli(['simulate', '--device', pty.b, ...(row.meter ?? [])], /serving KMP/);
  const dz = await startDomoticzStandin({ ...row.standin, ...(row.devices ? { devices: [...fixtureDevices(), ...row.devices] } : {}) });
  if (row.closed) await dz.close();
  const dir = mkdtempSync(join(tmpdir(), 'multical-matrix-'));
  try {
    const args = row.args ?? ['2:86:0', '1:60:0'];
    const prepared = row.prepare ? await row.prepare({ dir, device: pty.a, simPid: sim.child.pid! }) : [];
    const r = await runCli(['read', '-d', pty.a, '--url', dz.url, ...FAST, ...(row.options ?? []), ...prepared, ...args], {
      env: { ...ADMIN, ...row.env },
      killAfterMs: row.boundMs + 5000,
    });
    assert.equal(r.signal, null, `${row.name}: killed after ${r.ms} ms`);
    assert.ok(r.ms < row.boundMs, `${row.name}: took ${r.ms} ms, bound ${row.boundMs} ms`);
    if (row.atLeastMs !== undefined) assert.ok(r.ms >= row.atLeastMs, `${row.name}: ${r.ms} ms < ${row.atLeastMs} ms`);
    assert.equal(r.code, row.code, `${row.name}: exit ${r.code}\n${r.stderr}`);
    if (row.message) assert.match(r.stderr, row.message, row.name);
    if (row.code === 0) assert.equal(r.stderr, '', row.name);
    assert.doesNotMatch(r.stderr, /\n\s+at |this is a bug/, `${row.name}: no stack trace, no "bug"`);
    if (row.never) assert.doesNotMatch(r.stdout + r.stderr, row.never, `${row.name}: never printed`);
    assert.deepEqual(
      dz.updates.map((u) => u.idx),
      row.pushed,
      `${row.name}: pushed`,
    );
    // Nothing wrong is pushed: never a 0 or an empty value for a register that was not read; an Alert
    // gets a level and flag names, every other device a number.
    for (const u of dz.updates) {
      if (dz.device(u.idx).SubType === 'Alert') {
        assert.match(`${u.nvalue} ${u.svalue}`, /^[1-4] (no alarm|[A-Z0-9_]+(, [A-Z0-9_]+)*( \+\d+ more)?)$/, `${row.name}: alert`);
      } else assert.match(u.svalue ?? '', /^-?\d+(\.\d+)?(;-?\d+(\.\d+)?)?$/, `${row.name}: svalue ${u.svalue}`);
    }
  } finally {
    if (!row.closed) await dz.close();
    await sim.stop();
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
    if (row.prepare) rmSync((await lockPath({ kind: 'serial', path: pty.a, settings: DEFAULT_SERIAL })).path, { force: true });
  }
}

describe('fault matrix (README "Exit codes"; one row per case)', { concurrency: 3 }, () => {
  for (const row of MATRIX) test(row.name, () => runRow(row));
});
