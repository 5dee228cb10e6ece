// End-to-end: `multical read IDX:99:alert` — the info code's named flags into a Domoticz General/Alert
// device — with the simulated meter in-process (`-d sim:info=N` sets register 99) and the Domoticz
// stand-in over real loopback HTTP. The Alert device type is from Domoticz's documentation, not from the
// measured domoticz-api.md: the stand-in only records what it is sent (its `updates`), nothing more.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../support/cli.js';
import { fixtureDevices, startDomoticzStandin, type Standin } from '../support/domoticz-standin.js';

const STATE = mkdtempSync(join(tmpdir(), 'multical-state-'));
const ADMIN = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz', XDG_STATE_HOME: STATE };
/** "No Alert!" is what Domoticz's source gives a new Alert device; nothing here reads it. */
const ALERT = { idx: '30', Name: 'Meter alarm', Type: 'General', SubType: 'Alert', Data: 'No Alert!' };
const T603 = 'EXTERNAL_ALARM_OR_SENSOR_ERROR, FLOW_SENSOR_WEAK_OR_AIR';

interface Push {
  argument: string;
  idx: number;
  register: number;
  mode: number | string;
  reading?: number;
  status: string;
  level?: number;
  text?: string;
  svalue?: string;
  message?: string;
  notes?: string[];
}

async function withStandin(fn: (dz: Standin) => Promise<void>): Promise<void> {
  const dz = await startDomoticzStandin({ devices: [...fixtureDevices(), ALERT] });
  try {
    await fn(dz);
  } finally {
    await dz.close();
  }
}

const read = (dz: Standin, args: string[]) => runCli(['read', '--url', dz.url, ...args], { env: ADMIN });
const pushes = (stdout: string): Push[] => (JSON.parse(stdout) as { pushes: Push[] }).pushes;
const oneLine = (stderr: string): void => {
  assert.equal(stderr.trim().split('\n').length, 1, stderr);
  assert.doesNotMatch(stderr, /this is a bug|\n\s+at /, stderr);
};

describe('read → Domoticz: the info code into an Alert device (IDX:99:alert)', () => {
  test('info=260 on a 603: exactly udevice&idx=30&nvalue=3&svalue=<the flag names>, after reading the device', async () => {
    await withStandin(async (dz) => {
      const r = await read(dz, ['-d', 'sim:info=260', '--model', '603', '--json', '30:99:alert']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.deepEqual(
        dz.requests.map((q) => [q.method, q.path, q.query]),
        [
          ['GET', '/json.htm', { type: 'command', param: 'getdevices', rid: '30' }],
          ['GET', '/json.htm', { type: 'command', param: 'udevice', idx: '30', nvalue: '3', svalue: T603 }],
        ],
      );
      assert.deepEqual(dz.updates, [{ idx: '30', nvalue: '3', svalue: T603 }]);
      assert.deepEqual(pushes(r.stdout), [
        {
          argument: '30:99:alert',
          idx: 30,
          register: 99,
          mode: 'alert',
          reading: 260,
          unit: '',
          device: 'Meter alarm',
          status: 'sent',
          level: 3,
          text: T603,
          svalue: T603,
          notes: [
            `info code 260: EXTERNAL_ALARM_OR_SENSOR_ERROR (bit 2, problem), FLOW_SENSOR_WEAK_OR_AIR (bit 8, problem): level 3 (orange)`,
          ],
        },
      ]);
    });
  });

  test('the same code on a 403 is red (bit 2 is its external alarm); info=0 is level 1 "no alarm"; printed like a classic push', async () => {
    await withStandin(async (dz) => {
      const r = await read(dz, ['-d', 'sim:info=260', '--model', '403', '30:99:alert', '2:86:0']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(dz.updates[0], { idx: '30', nvalue: '4', svalue: 'EXTERNAL_ALARM, FLOW_SENSOR_WEAK_OR_AIR' });
      assert.equal(dz.updates[1]!.idx, '2', 'the classic push of the same run is sent too');
      assert.match(
        r.stdout.split('\n')[0]!,
        /^✓ 30:99:alert {2}InfoCode 260 {2}alert {2}→ idx 30 "Meter alarm": level 4 \(red\) "EXTERNAL_ALARM, FLOW_SENSOR_WEAK_OR_AIR"$/,
      );
      const ok = await read(dz, ['-d', 'sim:info=0', '--model', '603', '30:99:alert']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.deepEqual(dz.updates[2], { idx: '30', nvalue: '1', svalue: 'no alarm' });
      assert.match(ok.stdout, /→ idx 30 "Meter alarm": level 1 \(green\) "no alarm"\n$/);
    });
  });

  test('--verbose names every flag with its category; without --model the bits are BIT_n, yellow, and it says so', async () => {
    await withStandin(async (dz) => {
      const r = await read(dz, ['-d', 'sim:info=260', '--verbose', '30:99:alert']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(dz.updates, [{ idx: '30', nvalue: '2', svalue: 'BIT_2, BIT_8' }]);
      assert.match(r.stderr, /^ {2}30:99:alert: info code 260: BIT_2 \(bit 2, unknown\), BIT_8 \(bit 8, unknown\): level 2 \(yellow\)$/m);
      assert.match(r.stderr, /^ {2}30:99:alert: BIT_n: a bit the meter's model does not name here \(for a KMP meter, give --model\)$/m);
    });
  });

  test('a target that is not an Alert device: refused (exit 5), one line, nothing sent, the device untouched', async () => {
    await withStandin(async (dz) => {
      const before = dz.device(2);
      const r = await read(dz, ['-d', 'sim:info=260', '--model', '603', '--json', '2:99:alert']);
      assert.equal(r.code, 5, r.stderr);
      assert.equal(
        r.stderr,
        `error: 2:99:alert: device 2 "Outside Temp" is a Temp/LaCrosse TX3 device, not a General/Alert: the info code's flags are not sent to it\n`,
      );
      assert.deepEqual(dz.updates, []);
      assert.deepEqual(
        dz.requests.map((q) => q.query.param),
        ['getdevices'],
      );
      assert.deepEqual(dz.device(2), before);
      const [p] = pushes(r.stdout);
      assert.equal(p!.status, 'refused');
      assert.equal(p!.level, 3, 'what would have been sent is still said');
    });
  });

  test('an info code that was not read never overwrites the alert (exit 3): Domoticz is not even asked', async () => {
    await withStandin(async (dz) => {
      const r = await read(dz, ['-d', 'sim:info=260,omit=99', '--model', '603', '30:99:alert']);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /^error: 30:99:alert: not pushed: the meter does not report register 99$/m);
      assert.equal(dz.requests.length, 0);
    });
  });

  test('--dry-run: the level and text it would send, from the reading alone; Domoticz not contacted', async () => {
    await withStandin(async (dz) => {
      const r = await read(dz, ['-d', 'sim:info=260', '--model', '603', '--dry-run', '30:99:alert']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        `30:99:alert  InfoCode 260  alert  → idx 30: would send level 3 (orange) "${T603}" to a General/Alert device (dry run: Domoticz not contacted)\n`,
      );
      const j = await read(dz, ['-d', 'sim:info=260', '--model', '603', '--dry-run', '--json', '30:99:alert']);
      assert.equal(j.code, 0, j.stderr);
      const [p] = pushes(j.stdout);
      assert.deepEqual([p!.status, p!.level, p!.text, p!.svalue], ['dry-run', 3, T603, undefined]);
      assert.equal(dz.requests.length, 0);
    });
  });

  test('alert on a register that is not an info code: exit 2, one line, nothing contacted (not even the meter)', async () => {
    await withStandin(async (dz) => {
      for (const bad of ['30:60:alert', '30:99:alert:31']) {
        const r = await read(dz, ['-d', 'sim:no-answer', bad]);
        assert.equal(r.code, 2, r.stderr);
        oneLine(r.stderr);
        assert.match(
          r.stderr,
          /^error: bad argument "30:(60:alert": alert sends an info code's flags|99:alert:31": alert takes no compare device)/,
        );
      }
      assert.equal(dz.requests.length, 0);
    });
  });
});
