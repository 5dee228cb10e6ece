// End-to-end: the built CLI's `read` against the Domoticz stand-in over real loopback HTTP, with the
// simulated meter in-process (-d sim) and, for the drop-in invocation, `multical simulate` over a
// real socat pty pair through the serialport bindings.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, spawnCli, startCli } from '../support/cli.js';
import { energy, volume } from '../support/domoticz-devices.js';
import { startDomoticzStandin, type Standin, type StandinOptions } from '../support/domoticz-standin.js';
import { addText, parseText, scaleText, subText, trimZeros } from '../support/oracle.js';
import { ptyPair } from '../support/pty.js';
import { makeCerts } from '../support/mosquitto.js';

interface Push {
  argument: string;
  idx: number;
  register: number;
  mode: number;
  reading?: number;
  unit?: string;
  status: string;
  svalue?: string;
  message?: string;
  notes?: string[];
}
interface ReadJson {
  registers: Array<{ id: number; value: number | string; unit: string }>;
  missing: number[];
  pushes: Push[];
}

/** Raw reading text of register `id` from the --json output, digit for digit (not via a double). */
function rawReading(stdout: string, id: number): string {
  const m = new RegExp(`"id":${id},"name":"[^"]*","value":(-?[0-9.]+)`).exec(stdout);
  assert.ok(m, `register ${id} in ${stdout}`);
  return m[1]!;
}

// Each run's state (the Domoticz journal) in a folder of its own, never the developer's home.
const STATE = mkdtempSync(join(tmpdir(), 'multical-state-'));
const ADMIN = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: STATE };

async function withStandin(opts: StandinOptions, fn: (dz: Standin) => Promise<void>): Promise<void> {
  const dz = await startDomoticzStandin(opts);
  try {
    await fn(dz);
  } finally {
    await dz.close();
  }
}

function read(dz: Standin, args: string[], env: Record<string, string> = ADMIN) {
  return runCli(['read', '--url', dz.url, '--json', ...args], { env });
}

function parse(stdout: string): ReadJson {
  return JSON.parse(stdout) as ReadJson;
}

function svalues(dz: Standin): Record<string, string | undefined> {
  return Object.fromEntries(dz.updates.map((u) => [u.idx, u.svalue]));
}

const EXTRA_DEVICES = [
  { idx: '10', Name: 'Volume total', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'm³', Data: '100 m³' },
  { idx: '11', Name: 'Volume last', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'm³', Data: '4000 m³' },
  { idx: '12', Name: 'Energy MWh', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'MWh', Data: '1 MWh' },
  { idx: '13', Name: 'A switch', Type: 'Light/Switch', SubType: 'Switch', Data: 'Off' },
];

describe('read → Domoticz: device types and unit conversion', () => {
  test('Custom Sensor in GJ gets MWh × 3.6, exactly', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '1:60:0']);
      assert.equal(r.code, 0, r.stderr);
      const mwh = rawReading(r.stdout, 60);
      assert.equal(svalues(dz)['1'], trimZeros(scaleText(mwh, 36n, 10n, 9)));
      assert.match(dz.device(1).Data, / GJ$/);
      assert.equal(parse(r.stdout).pushes[0]!.status, 'sent');
    });
  });

  test('Custom Sensor in MWh from a meter in GJ: ÷ 3.6, rounded at 6 more places; in kWh ÷ 1000 exactly', async () => {
    const devices = [...EXTRA_DEVICES];
    await withStandin({ devices }, async (dz) => {
      const r = await read(dz, ['-d', 'sim:energy=GJ', '12:60:0']);
      assert.equal(r.code, 0, r.stderr);
      const gj = rawReading(r.stdout, 60);
      assert.equal(svalues(dz)['12'], trimZeros(scaleText(gj, 10n, 36n, parseText(gj)[1] + 6)));
    });
    await withStandin({ devices }, async (dz) => {
      const r = await read(dz, ['-d', 'sim:energy=kWh', '12:60:0']);
      assert.equal(r.code, 0, r.stderr);
      const kwh = rawReading(r.stdout, 60);
      assert.equal(svalues(dz)['12'], trimZeros(scaleText(kwh, 1n, 1000n, 3)));
    });
  });

  test('Temp gets °C as read; Waterflow gets l/h as l/min; Gas whole litres; Percentage a plain number', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '2:86:0', '6:74:0', '5:68:0', '7:99:0']);
      assert.equal(r.code, 0, r.stderr);
      const sv = svalues(dz);
      assert.equal(sv['2'], trimZeros(rawReading(r.stdout, 86)));
      assert.equal(sv['6'], trimZeros(scaleText(rawReading(r.stdout, 74), 1n, 60n, 6)));
      assert.equal(sv['5'], scaleText(rawReading(r.stdout, 68), 1000n, 1n, 0));
      assert.equal(sv['7'], '0');
      assert.match(dz.device(2).Data, /^\d+\.\d C$/);
      assert.match(dz.device(6).Data, / l\/min$/);
    });
  });

  test('General/kWh gets W;Wh: power 0 when register 80 is not read in the run, and --verbose says so', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '3:60:0', '--verbose']);
      assert.equal(r.code, 0, r.stderr);
      const wh = scaleText(rawReading(r.stdout, 60), 1_000_000n, 1n, 0);
      assert.equal(svalues(dz)['3'], `0;${wh}`);
      assert.match(r.stderr, /power 0 W sent: register 80/);
    });
  });

  test('General/kWh with register 80 read in the same run: power in W', async () => {
    const fixture = await startDomoticzStandin();
    const kwhDevice = fixture.device(3);
    await fixture.close();
    const power = { idx: '14', Name: 'Power', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'kW', Data: '0 kW' };
    await withStandin({ devices: [kwhDevice, power] }, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '3:60:0', '14:80:0']);
      assert.equal(r.code, 0, r.stderr);
      const w = scaleText(rawReading(r.stdout, 80), 1000n, 1n, 0);
      const wh = scaleText(rawReading(r.stdout, 60), 1_000_000n, 1n, 0);
      assert.equal(svalues(dz)['3'], `${w};${wh}`);
      assert.equal(svalues(dz)['14'], trimZeros(rawReading(r.stdout, 80)));
    });
  });

  test('RFXMeter counter gets Wh counts; Counter Incremental takes the mode-1 increment and refuses mode 0', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '4:60:0', '8:60:1:3', '8:60:0']);
      assert.equal(r.code, 5, r.stderr);
      const mwh = rawReading(r.stdout, 60);
      assert.equal(svalues(dz)['4'], scaleText(mwh, 1_000_000n, 1n, 0));
      // increment = reading (kWh) − device 3 (130.000 kWh), sent in Wh
      const kwh = scaleText(mwh, 1000n, 1n, 3);
      assert.equal(dz.updates.filter((u) => u.idx === '8').length, 1);
      assert.equal(svalues(dz)['8'], scaleText(subText(kwh, '130.000'), 1000n, 1n, 0));
      assert.match(r.stderr, /8:60:0: .*Counter Incremental.*mode 1/);
    });
  });

  test('a free-text SensorUnit takes the reading as the meter reports it', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '9:60:0', '--verbose']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(svalues(dz)['9'], trimZeros(rawReading(r.stdout, 60)));
      assert.match(r.stderr, /not one multical knows/);
    });
  });

  test('a reading that cannot be expressed for the device is refused, not sent (exit 5)', async () => {
    await withStandin({ devices: EXTRA_DEVICES }, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '12:86:0', '13:60:0', '10:1003:0']);
      assert.equal(r.code, 5);
      assert.deepEqual(dz.updates, []);
      const pushes = parse(r.stdout).pushes;
      assert.deepEqual(
        pushes.map((p) => p.status),
        ['refused', 'refused', 'refused'],
      );
      assert.match(r.stderr, /12:86:0: .*°C cannot be expressed in MWh/);
      assert.match(r.stderr, /13:60:0: .*Light\/Switch/);
      assert.match(r.stderr, /10:1003:0: .*yy:mm:dd/);
    });
  });
});

describe('read → Domoticz: modes and order', () => {
  test('mode 1 sends reading − value(idx2); mode 2 accumulates; device values are read fresh per argument', async () => {
    await withStandin({ devices: EXTRA_DEVICES }, async (dz) => {
      const r1 = await read(dz, ['-d', 'sim', '10:68:2:11', '11:68:0']);
      assert.equal(r1.code, 0, r1.stderr);
      const v1 = rawReading(r1.stdout, 68);
      // 10 = 100 + (v1 − 4000); then 11 = v1
      assert.equal(svalues(dz)['10'], trimZeros(addText('100', subText(v1, '4000'))));
      assert.equal(svalues(dz)['11'], trimZeros(v1));
      assert.deepEqual(
        dz.updates.map((u) => u.idx),
        ['10', '11'],
      );

      const total1 = svalues(dz)['10']!;
      const r2 = await read(dz, ['-d', 'sim', '10:68:2:11', '11:68:0']);
      assert.equal(r2.code, 0, r2.stderr);
      const v2 = rawReading(r2.stdout, 68);
      const tenUpdates = dz.updates.filter((u) => u.idx === '10');
      assert.equal(tenUpdates[1]!.svalue, trimZeros(addText(total1, subText(v2, v1))));

      // mode 1 into a fresh device: reading − 4000 (device 11 now holds v2, so use a copy)
      const r3 = await read(dz, ['-d', 'sim', '12:60:1:12']);
      assert.equal(r3.code, 0, r3.stderr);
      const last = dz.updates[dz.updates.length - 1]!;
      assert.equal(last.idx, '12');
      assert.equal(last.svalue, trimZeros(subText(rawReading(r3.stdout, 60), '1')));
    });
  });

  test('each register is read once and arguments are processed in the order given', async () => {
    await withStandin({ devices: EXTRA_DEVICES }, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '--debug', '11:68:0', '10:68:2:11', '12:60:0'], { env: ADMIN });
      assert.equal(r.code, 0, r.stderr);
      const tx = r.stderr.split('\n').filter((l) => /^tx 80 /.test(l));
      assert.equal(tx.length, 1, 'one GetRegister request for 68 and 60');
      assert.match(tx[0]!, /^tx 80 3F 10 02 00 44 00 3C /);
      assert.deepEqual(
        dz.updates.map((u) => u.idx),
        ['11', '10', '12'],
      );
      // 11 took the reading first, so 10 gets 100 + (reading − reading) = 100
      assert.equal(svalues(dz)['10'], '100');
    });
  });
});

describe('read → Domoticz: API versions and authentication', () => {
  test('2025.1: only the new API is used', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '2:86:0']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        dz.requests.every((q) => q.query.type === 'command'),
        JSON.stringify(dz.requests.map((q) => q.query)),
      );
      assert.deepEqual(
        dz.requests.map((q) => q.query.param),
        ['getdevices', 'udevice'],
      );
    });
  });

  test('2023.1: falls back to type=devices once, then stays there', async () => {
    await withStandin({ version: '2023.1' }, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '2:86:0', '1:60:1:9']);
      assert.equal(r.code, 0, r.stderr);
      const kinds = dz.requests.map((q) => (q.query.type === 'devices' ? 'devices' : q.query.param));
      assert.deepEqual(kinds, ['getdevices', 'devices', 'udevice', 'devices', 'devices', 'udevice']);
      assert.equal(dz.updates.length, 2);
    });
  });

  test('2024.7 answers both; the new one is used', async () => {
    await withStandin({ version: '2024.7' }, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '2:86:0']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!dz.requests.some((q) => q.query.type === 'devices'));
    });
  });

  test('Basic from the environment on the first request; secrets never printed, even with --debug', async () => {
    const users = [{ username: 'meter', password: 's3cr3t-pw', rights: 'admin' as const }];
    await withStandin({ users }, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '--debug', '--verbose', '2:86:0'], {
        env: { DOMOTICZ_USER: 'meter', DOMOTICZ_PASSWORD: 's3cr3t-pw' },
      });
      assert.equal(r.code, 0, r.stderr);
      const basic = 'Basic ' + Buffer.from('meter:s3cr3t-pw').toString('base64');
      assert.equal(dz.requests[0]!.authorization, basic);
      const all = r.stdout + r.stderr;
      assert.ok(!all.includes('s3cr3t-pw'));
      assert.ok(!all.includes(basic.slice(6)));
    });
  });

  test('Bearer token from DOMOTICZ_TOKEN, never printed', async () => {
    await withStandin({ basicAuthOverHttp: false }, async (dz) => {
      const token = dz.issueToken('admin');
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '--debug', '2:86:0'], { env: { DOMOTICZ_TOKEN: token } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(dz.requests[0]!.authorization, `Bearer ${token}`);
      assert.ok(!(r.stdout + r.stderr).includes(token));
    });
  });

  test('--password-file; a file others can read gets a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multical-pw-'));
    const file = join(dir, 'pw');
    writeFileSync(file, 'domoticz\n');
    chmodSync(file, 0o644);
    await withStandin({}, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '--user', 'admin', '--password-file', file, '2:86:0']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: --password-file .* can be read by other users/);
      chmodSync(file, 0o600);
      const r2 = await runCli(['read', '--url', dz.url, '-d', 'sim', '--user', 'admin', '--password-file', file, '2:86:0']);
      assert.equal(r2.code, 0, r2.stderr);
      assert.doesNotMatch(r2.stderr, /warning/);
    });
  });

  test('command-line options win over the environment', async () => {
    await withStandin({}, async (dz) => {
      const other = await startDomoticzStandin();
      try {
        const port = new URL(dz.url).port;
        const r = await runCli(['read', '--ip', '127.0.0.1', '--port', port, '-d', 'sim', '2:86:0'], {
          env: { ...ADMIN, DOMOTICZ_URL: other.url },
        });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(dz.updates.length, 1);
        assert.equal(other.requests.length, 0);
        // and without command-line options, the environment's URL is used
        const r2 = await runCli(['read', '-d', 'sim', '2:86:0'], { env: { ...ADMIN, DOMOTICZ_URL: other.url } });
        assert.equal(r2.code, 0, r2.stderr);
        assert.equal(other.updates.length, 1);
      } finally {
        await other.close();
      }
    });
  });

  test('401 without credentials, 401 for Basic over HTTP when not allowed, 403 for a read-only user: exit 4, one line each', async () => {
    await withStandin({}, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '2:86:0']);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /2:86:0: device 2: Domoticz refused the credentials \(HTTP 401\): give --user\/--password or --token/);
    });
    await withStandin({ basicAuthOverHttp: false }, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '2:86:0']);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /HTTP 401.*Allow Basic-Auth over plain HTTP/);
    });
    await withStandin({ users: [{ username: 'view', password: 'pw', rights: 'viewer' }] }, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '2:86:0'], { env: { DOMOTICZ_USER: 'view', DOMOTICZ_PASSWORD: 'pw' } });
      assert.equal(r.code, 4);
      assert.match(r.stderr, /device 2: .*HTTP 403/);
      assert.deepEqual(dz.updates, []);
    });
  });
});

describe('read → Domoticz over HTTPS with a self-signed certificate', () => {
  test('--ca trusts it; without it the push fails naming --ca (exit 4); --insecure skips the check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multical-tls-'));
    await makeCerts(dir);
    const tls = { key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.crt')) };
    await withStandin({ tls }, async (dz) => {
      assert.match(dz.url, /^https:/);
      const ok = await read(dz, ['-d', 'sim', '--ca', join(dir, 'ca.crt'), '2:86:0']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(dz.updates.length, 1);
      const untrusted = await read(dz, ['-d', 'sim', '2:86:0']);
      assert.equal(untrusted.code, 4);
      assert.match(
        untrusted.stderr,
        /2:86:0: device 2: TLS certificate of https:\/\/127\.0\.0\.1:\d+ not trusted .*--ca FILE, or --insecure/,
      );
      const insecure = await read(dz, ['-d', 'sim', '--insecure', '2:86:0']);
      assert.equal(insecure.code, 0, insecure.stderr);
      assert.equal(dz.updates.length, 2);
      const missing = await read(dz, ['-d', 'sim', '--ca', join(dir, 'nope.crt'), '2:86:0']);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--ca .*nope\.crt: no such file/);
      assert.equal(dz.updates.length, 2);
    });
  });
});

describe('read → Domoticz: failures', () => {
  test('an idx that does not exist fails that push only; the run goes on with the others (exit 4)', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '99:60:0', '2:86:0']);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /99:60:0: device 99: Domoticz has no device with idx 99/);
      assert.deepEqual(
        dz.updates.map((u) => u.idx),
        ['2'],
      );
      assert.deepEqual(
        parse(r.stdout).pushes.map((p) => p.status),
        ['failed', 'sent'],
      );
    });
  });

  for (const [kind, pattern] of [
    ['status500', /HTTP 500/],
    ['notJson', /did not answer JSON/],
    ['hang', /no answer from .* in 500 ms/],
    ['reset', /cannot reach|socket|closed/i],
  ] as const) {
    test(`Domoticz fault ${kind}: one clear line naming the device, exit 4`, async () => {
      await withStandin({ fault: { kind } }, async (dz) => {
        const r = await read(dz, ['-d', 'sim', '--http-timeout', '0.5', '2:86:0']);
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, pattern);
        assert.match(r.stderr, /2:86:0: device 2/);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      });
    });
  }

  test('connection refused: exit 4 and the message says so', async () => {
    const dz = await startDomoticzStandin();
    const url = dz.url;
    await dz.close();
    const r = await runCli(['read', '--url', url, '-d', 'sim', '2:86:0', '1:60:0'], { env: ADMIN });
    assert.equal(r.code, 4);
    assert.match(r.stderr, /2:86:0: device 2: connection refused/);
    assert.match(r.stderr, /1:60:0: device 1: connection refused/);
  });

  test('a register the meter did not read is never pushed, not as 0 (exit 3); the others are', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim:omit=86', '2:86:0', '1:60:0']);
      assert.equal(r.code, 3);
      assert.deepEqual(
        dz.updates.map((u) => u.idx),
        ['1'],
      );
      assert.match(r.stderr, /2:86:0: not pushed: the meter does not report register 86/);
      assert.ok(!dz.requests.some((q) => q.query.idx === '2' || q.query.rid === '2'));
    });
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', 'sim:no-answer', '--timeout', '0.2', '--retries', '1', '2:86:0']);
      assert.equal(r.code, 3);
      assert.equal(dz.requests.length, 0);
      assert.match(r.stderr, /no reply in 200 ms, 2 attempts/);
    });
  });

  test('plausibility: a total lower than the device shows is refused (exit 5); --allow-decrease sends it', async () => {
    const devices = [{ idx: '12', Name: 'Energy MWh', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'MWh', Data: '999999 MWh' }];
    await withStandin({ devices }, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '12:60:0']);
      assert.equal(r.code, 5);
      assert.deepEqual(dz.updates, []);
      assert.match(r.stderr, /12:60:0: .* is less than device 12 "Energy MWh" shows \(999999\)/);
      const r2 = await read(dz, ['-d', 'sim', '--allow-decrease', '12:60:0']);
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal(svalues(dz)['12'], trimZeros(rawReading(r2.stdout, 60)));
    });
  });

  test('usage errors: exit 2 and nothing contacted', async () => {
    await withStandin({}, async (dz) => {
      for (const bad of [['2:86:0', '88:60'], ['2:86:3'], ['2:86:1'], ['x:86:0'], ['2:abc:0']]) {
        const r = await read(dz, ['-d', 'sim', ...bad]);
        assert.equal(r.code, 2, `${bad.join(' ')}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
        assert.match(r.stderr, /^error: bad argument/);
      }
      const r = await runCli(['read', '--url', 'ftp://x', '-d', 'sim', '2:86:0']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--url ftp:\/\/x: must start with http/);
      const r2 = await runCli(['read', '--url', dz.url, '--user', 'admin', '-d', 'sim', '2:86:0']);
      assert.equal(r2.code, 2);
      assert.match(r2.stderr, /user admin has no password/);
      assert.equal(dz.requests.length, 0);
    });
  });
});

describe('read: dry run, diagnostics, output', () => {
  test('--dry-run reads the meter and contacts nothing else', async () => {
    await withStandin({}, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '--dry-run', '1:60:0', '3:80:1:4'], { env: ADMIN });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(dz.requests.length, 0);
      assert.match(r.stdout, /1:60:0 +Heat Energy \(E1\) [0-9.]+ MWh +mode 0 +→ idx 1: would send the reading/);
      assert.match(r.stdout, /3:80:1:4 .*would send reading − value\(4\)/);
    });
  });

  test('--test_domoticz lists every device without -d', async () => {
    await withStandin({}, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '--test_domoticz'], { env: ADMIN });
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 10);
      assert.match(lines[1]!, /^ *1 +Heat Energy +General\/Custom Sensor +12\.345 GJ$/);
      assert.match(r.stdout, /9 +Custom Two +General\/Custom Sensor +7 kWh\/m2/);
    });
  });

  test('human output: the classic summary on stdout, no colours when not a terminal; --quiet prints nothing on success', async () => {
    await withStandin({}, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '2:86:0'], { env: ADMIN });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /2:86:0 +Temp1 [0-9.]+ °C +mode 0 +→ idx 2 "Outside Temp": [0-9.]+\n$/);
      assert.ok(!r.stdout.includes('\x1b['));
      const q = await runCli(['read', '--url', dz.url, '-d', 'sim', '--quiet', '2:86:0'], { env: ADMIN });
      assert.equal(q.code, 0);
      assert.equal(q.stdout + q.stderr, '');
      const qf = await runCli(['read', '--url', dz.url, '-d', 'sim', '--quiet', '99:86:0'], { env: ADMIN });
      assert.equal(qf.code, 4);
      assert.equal(qf.stdout, '');
      assert.match(qf.stderr, /99:86:0: device 99/);
    });
  });

  test('drop-in: the classic command line against `multical simulate` over a real pty', async () => {
    const pty = await ptyPair();
    const sim = await startCli(['simulate', '--device', pty.b], /serving KMP/);
    try {
      await withStandin({ trustedNetwork: true }, async (dz) => {
        const port = new URL(dz.url).port;
        const r = await runCli(['-d', pty.a, '--ip', '127.0.0.1', '--port', port, '2:86:0', '1:60:0', '--verbose']);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(
          dz.updates.map((u) => u.idx),
          ['2', '1'],
        );
        assert.match(r.stderr, /meter: 1 request, 1 frame sent/);
      });
    } finally {
      await sim.stop();
      await pty.close();
    }
  });
});

const oneLine = (stderr: string): void => {
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.doesNotMatch(stderr, /this is a bug|\n\s+at /, stderr);
};

describe('read → Domoticz: usage is never lost or counted twice (91:68:2:92 92:68:0)', () => {
  test('the first update of the unit fails (HTTP 500): the second is not sent; the next run finishes both', async () => {
    await withStandin({ devices: [volume('91', '100 m³'), volume('92', '4000 m³')], fault: { kind: 'status500', at: 3 } }, async (dz) => {
      const r1 = await read(dz, ['-d', 'sim', '91:68:2:92', '92:68:0']);
      assert.equal(r1.code, 4, r1.stderr);
      assert.deepEqual(dz.updates, [], 'before: 92 was sent and the usage since the last run was lost');
      assert.match(r1.stderr, /^error: 91:68:2:92: device 91: HTTP 500 from .*; the next run finishes these updates from /m);
      assert.match(r1.stderr, /^error: 92:68:0: not sent: 91:68:2:92 was not sent, and the pushes on devices 91, 92 go together/m);
      assert.deepEqual(
        parse(r1.stdout).pushes.map((p) => p.status),
        ['failed', 'held'],
      );
      const v1 = rawReading(r1.stdout, 68);
      dz.setFault(null);
      const r2 = await read(dz, ['-d', 'sim', '91:68:2:92', '92:68:0']);
      assert.equal(r2.code, 0, r2.stderr);
      const v2 = rawReading(r2.stdout, 68);
      const finished = (JSON.parse(r2.stdout) as { finished: Array<{ idx: number; svalue: string; status: string }> }).finished;
      assert.deepEqual(finished, [
        { argument: '91:68:2:92', idx: 91, svalue: trimZeros(addText('100', subText(v1, '4000'))), status: 'sent' },
        { argument: '92:68:0', idx: 92, svalue: trimZeros(v1), status: 'sent' },
      ]);
      assert.equal(svalues(dz)['91'], trimZeros(addText('100', subText(v2, '4000'))));
      assert.equal(svalues(dz)['92'], trimZeros(v2));
    });
  });

  test('mode 2 never pushes a falling total: after udevice 92 = 9999 it is refused (exit 5); --allow-decrease sends it', async () => {
    await withStandin({ devices: [volume('91', '0 m³'), volume('92', '4000 m³')] }, async (dz) => {
      const auth = `Basic ${Buffer.from('admin:domoticz').toString('base64')}`;
      await fetch(`${dz.url}/json.htm?type=command&param=udevice&idx=92&nvalue=0&svalue=9999`, { headers: { authorization: auth } });
      dz.updates.length = 0;
      const r = await read(dz, ['-d', 'sim', '91:68:2:92']);
      assert.equal(r.code, 5, r.stderr);
      assert.deepEqual(dz.updates, []);
      assert.match(r.stderr, /91:68:2:92: the reading [0-9.]+ m³ is lower than compare device 92 "Volume 92" shows \(9999\)/);
      const allowed = await read(dz, ['-d', 'sim', '--allow-decrease', '91:68:2:92']);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.equal(svalues(dz)['91'], trimZeros(subText(rawReading(allowed.stdout, 68), '9999')));
    });
  });
});

describe('read → Domoticz: values Domoticz shows are read right', () => {
  test('%g: a total shown as 1.23457e+06 is never computed with; mode 0 reads the exponent form', async () => {
    const devices = [energy('91', '1.23457e+06 kWh'), energy('92', '150000 kWh'), energy('93', '1.23457e+06 kWh')];
    await withStandin({ devices }, async (dz) => {
      const r = await read(dz, ['-d', 'sim:energy=kWh', '91:60:2:92', '93:60:0']);
      assert.equal(r.code, 5, r.stderr);
      assert.deepEqual(dz.updates, []);
      assert.match(
        r.stderr,
        /91:60:2:92: device 91 "Energy 91" shows 1\.23457e\+06, which Domoticz rounded .* keep this total in a General\/kWh device/,
      );
      assert.match(r.stderr, /93:60:0: \d+ kWh is less than device 93 "Energy 93" shows \(1234570\)/);
    });
  });

  test('getdevices&rid=N answering with another device: that argument fails (exit 4), nothing goes to the wrong device', async () => {
    await withStandin({ fault: { kind: 'otherIdx' } }, async (dz) => {
      const r = await read(dz, ['-d', 'sim', '2:86:0']);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /2:86:0: device 2: Domoticz has no device with idx 2 \(it answered with device "1" instead\)/);
      oneLine(r.stderr);
      assert.deepEqual(dz.updates, []);
    });
  });

  const nested = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  for (const [what, body, message] of [
    ['result [null]', '{"status":"OK","result":[null]}', /device 2: Domoticz answered a device that is not an object/],
    [
      'Data an object',
      '{"status":"OK","result":[{"idx":"2","Name":"T","Type":"Temp","Data":{}}]}',
      /device 2: Domoticz answered a device 2 whose Data is not text/,
    ],
    [
      'Data nested 100,000 deep',
      `{"status":"OK","result":[{"idx":"2","Name":"T","Type":"Temp","Data":${nested(100_000)}}]}`,
      /device 2: Domoticz answered a device 2 whose Data is not text/,
    ],
    ['status nested 100,000 deep', `{"status":${nested(100_000)}}`, /device 2: Domoticz answered status \{…\}/],
    ['result not a list', '{"status":"OK","result":{"idx":"2"}}', /device 2: Domoticz answered a "result" that is not a list of devices/],
  ] as const) {
    test(`a malformed answer (${what}) is a Domoticz error: exit 4, one line`, async () => {
      await withStandin({ fault: { kind: 'body', body } }, async (dz) => {
        const r = await read(dz, ['-d', 'sim', '2:86:0']);
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, message);
        oneLine(r.stderr);
        assert.equal(parse(r.stdout).pushes[0]!.status, 'failed');
      });
    });
  }

  test('--test_domoticz with result [1]: exit 4, one line', async () => {
    await withStandin({ fault: { kind: 'body', body: '{"status":"OK","result":[1]}' } }, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '--test_domoticz'], { env: ADMIN });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /^error: device list: Domoticz answered a device that is not an object\n$/);
      assert.equal(r.stdout, '');
    });
  });

  test('Data of NaN, Infinity, "" or 10,000 digits is no value: modes 1 and 2 refused (exit 5); mode 0 sent, the check skipped (--verbose)', async () => {
    for (const data of ['nan', 'Infinity', '', '1'.repeat(10_000)]) {
      await withStandin({ devices: [volume('91', '100 m³'), volume('92', data), volume('93', data)] }, async (dz) => {
        const r = await read(dz, ['-d', 'sim', '--verbose', '91:68:2:92', '93:68:0']);
        assert.equal(r.code, 5, r.stderr);
        assert.match(
          r.stderr,
          /91:68:2:92: compare device 92 "Volume 92" (shows ".*", not a number|shows no number|shows a 10000-digit number)/,
        );
        assert.match(r.stderr, /93:68:0: device 93 "Volume 93" .*: the check that a total does not go down was skipped/);
        assert.deepEqual(
          dz.updates.map((u) => u.idx),
          ['93'],
        );
      });
    }
  });

  test('an endless answer: reading stops at the cap, exit 4, one line, within bounds', async () => {
    await withStandin({ fault: { kind: 'endless' } }, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '--http-timeout', '60', '2:86:0'], { env: ADMIN, killAfterMs: 30_000 });
      assert.equal(r.code, 4, r.stderr);
      assert.match(r.stderr, /^error: 2:86:0: device 2: http:\/\/127\.0\.0\.1:\d+ sent more than 4 MB: not a Domoticz answer\n$/);
      assert.ok(r.ms < 20_000, `${r.ms} ms`);
      // The client stopped reading: the stand-in could write little more than the cap and the socket buffers.
      assert.ok(dz.streamed() < 64 * 1024 * 1024, `${dz.streamed()} bytes streamed`);
    });
  });

  test('a Domoticz that echoes the Authorization header and the password: never printed, with --debug and --json', async () => {
    const users = [{ username: 'meter', password: 's3cr3t-pw', rights: 'admin' as const }];
    await withStandin({ users, fault: { kind: 'echoAuth' } }, async (dz) => {
      const env = { DOMOTICZ_USER: 'meter', DOMOTICZ_PASSWORD: 's3cr3t-pw', XDG_STATE_HOME: STATE };
      const basic = Buffer.from('meter:s3cr3t-pw').toString('base64');
      for (const extra of [[], ['--debug', '--verbose'], ['--json'], ['--json', '--debug']]) {
        const r = await runCli(['read', '--url', dz.url, '-d', 'sim', ...extra, '2:86:0'], { env });
        assert.equal(r.code, 4, r.stderr);
        assert.match(r.stderr, /2:86:0: device 2: Domoticz answered status "ERR Basic \*\*\* \(meter:\*\*\*\)"/);
        const all = r.stdout + r.stderr;
        assert.ok(!all.includes('s3cr3t-pw') && !all.includes(basic), `${extra.join(' ')}: ${all}`);
      }
      const t = await runCli(['read', '--url', dz.url, '--test_domoticz', '--json'], { env });
      assert.ok(!(t.stdout + t.stderr).includes('s3cr3t-pw'));
    });
  });
});

describe('read → Domoticz: stops, dry runs and the classic arguments', () => {
  test('--dry-run --test_domoticz contacts nothing', async () => {
    await withStandin({}, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '--dry-run', '--test_domoticz'], { env: ADMIN });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(dz.requests.length, 0);
      assert.match(r.stdout, /dry run: Domoticz not contacted/);
    });
  });

  for (const [stop, code, line] of [
    ['SIGTERM', 143, /^error: terminated \(SIGTERM\)$/m],
    ['--deadline', 8, /^error: the run deadline of 1 s ran out$/m],
  ] as const) {
    test(`${stop} during an update: it may have been applied, says so, and the JSON object still comes with exit ${code}`, async () => {
      await withStandin({ fault: { kind: 'hang', at: 2, applied: true } }, async (dz) => {
        const extra = stop === '--deadline' ? ['--deadline', '1'] : [];
        const run = spawnCli(['read', '--url', dz.url, '-d', 'sim', '--json', '--http-timeout', '60', ...extra, '2:86:0', '1:60:0'], {
          env: ADMIN,
        });
        await Promise.race([dz.seen(2), run.done]);
        if (stop === 'SIGTERM') run.child.kill('SIGTERM');
        const { code: exitCode, stdout, stderr } = await run.done;
        assert.equal(exitCode, code, stderr);
        assert.match(
          stderr,
          /^error: 2:86:0: device 2: the run was stopped while its update \([0-9.]+\) was on its way: it may have been applied$/m,
        );
        assert.match(stderr, /^error: 1:60:0: not sent: the run was stopped$/m);
        assert.match(stderr, line);
        const doc = JSON.parse(stdout) as { exitCode: number; pushes: Array<{ status: string }> };
        assert.equal(doc.exitCode, code);
        assert.deepEqual(
          doc.pushes.map((p) => p.status),
          ['stopped', 'stopped'],
        );
        assert.deepEqual(
          dz.updates.map((u) => u.idx),
          ['2'],
        );
      });
    });
  }

  test('--json gives one object with the exit code even when the meter cannot be opened', async () => {
    await withStandin({}, async (dz) => {
      const r = await read(dz, ['-d', '/dev/multical-no-such-port', '2:86:0']);
      assert.equal(r.code, 3, r.stderr);
      const doc = JSON.parse(r.stdout) as { exitCode: number; error: string; pushes: unknown[] };
      assert.equal(doc.exitCode, 3);
      assert.match(doc.error, /multical-no-such-port/);
      assert.equal(dz.requests.length, 0);
    });
  });

  test('the classic script’s arguments: a hex idx, and an idx2 after mode 0 ignored with a note', async () => {
    await withStandin({}, async (dz) => {
      const r = await runCli(['read', '--url', dz.url, '-d', 'sim', '--verbose', '0x2:86:0', '1:60:0:90'], { env: ADMIN });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        dz.updates.map((u) => u.idx),
        ['2', '1'],
      );
      assert.match(r.stderr, /1:60:0:90: mode 0 does not use a compare device: idx2 90 is ignored/);
      assert.ok(!dz.requests.some((q) => q.query.rid === '90'), 'the ignored idx2 is not read');
    });
  });
});
