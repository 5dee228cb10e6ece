// `multical mqtt` over a config file's list of meters, end to end against a REAL mosquitto: each meter
// publishes under `<topic>/<name>/` and is its own Home Assistant device (by its serial number); a meter
// taken out of the list has its retained discovery configs cleared by the next run of the whole list — and
// not by a run of some meters only (`--meter`), nor by one where a meter could not be identified.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, type CliResult } from '../support/cli.js';
import { retained, startMosquitto, subscribe, type Broker, type ReceivedMessage } from '../support/mosquitto.js';

// The simulated segment: its meters' serial numbers follow their places on the bus (19088743, …44, …45).
const BUS = 'sim:bus=10000001@1+10000002@2+10000003@3';
const SERIALS: Record<string, string> = { 'flat-1': '19088743', 'flat-2': '19088744', 'flat-3': '19088745' };

let broker: Broker;
let plain: string;
const dirs: string[] = [];

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A config of the segment's meters named in `names` (flat-N at address N), under topic `topic`. */
function config(dir: string, topic: string, names: string[], extra: Record<string, string> = {}): string {
  const path = join(dir, 'config.yaml');
  const lines = [
    `device: ${JSON.stringify(BUS)}`,
    'protocol: mbus',
    `mqtt: { broker: ${JSON.stringify(plain)}, topic: ${topic}, ha_discovery: true, registers: [60, 68] }`,
    'meters:',
    ...names.map((n) => `  - { name: ${n}, address: ${n.slice(-1)}${extra[n] ? `, ${extra[n]}` : ''} }`),
  ];
  writeFileSync(path, lines.join('\n') + '\n');
  chmodSync(path, 0o600);
  return path;
}

const nodeConfigs = async (name: string): Promise<ReceivedMessage[]> =>
  retained(plain, `homeassistant/+/kamstrup_${SERIALS[name]}/+/config`);

function run(cfg: string, state: string, args: string[] = []): Promise<CliResult> {
  return runCli(['mqtt', '--config', cfg, ...args], { env: { XDG_STATE_HOME: state }, killAfterMs: 30_000 });
}

before(async () => {
  broker = await startMosquitto();
  plain = `mqtt://127.0.0.1:${broker.plainPort}`;
});

after(async () => {
  await broker?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('multical mqtt with a list of meters', () => {
  test('topics under <topic>/<name>/, one Home Assistant device per meter, its states on its own topics', async () => {
    const dir = tmp('multical-mqtt-fleet-');
    const sub = await subscribe(plain, {}, ['f1/#']);
    try {
      const r = await run(config(dir, 'f1', ['flat-1', 'flat-2']), tmp('multical-state-'), ['--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { meters: Array<{ name: string; topic: string; meter: { serialNo: string } }> };
      assert.deepEqual(
        doc.meters.map((m) => [m.name, m.topic, m.meter.serialNo]),
        [
          ['flat-1', 'f1/flat-1', SERIALS['flat-1']],
          ['flat-2', 'f1/flat-2', SERIALS['flat-2']],
        ],
      );
      for (const name of ['flat-1', 'flat-2']) {
        await sub.waitFor((m) => m.topic === `f1/${name}/status` && m.payload === 'online');
        const values = await sub.waitFor((m) => m.topic === `f1/${name}/values`);
        assert.deepEqual(Object.keys(JSON.parse(values.payload) as object).slice(1, 3), ['heat_energy_e1', 'heat_energy_e1_unit']);
        const configs = await nodeConfigs(name);
        assert.ok(configs.length >= 2, `${name}: a config per register`);
        for (const c of configs) {
          const payload = JSON.parse(c.payload) as { state_topic: string; device: { identifiers: string[] } };
          assert.deepEqual(payload.device.identifiers, [`kamstrup_${SERIALS[name]}`]);
          assert.ok(payload.state_topic.startsWith(`f1/${name}/`), payload.state_topic);
        }
      }
    } finally {
      await sub.end();
    }
  });

  test('a meter taken out of the list: its configs are cleared by the next run of the whole list, not before', async () => {
    const dir = tmp('multical-mqtt-fleet-');
    const state = tmp('multical-state-');
    const first = await run(config(dir, 'f2', ['flat-1', 'flat-2', 'flat-3']), state);
    assert.equal(first.code, 0, first.stderr);
    assert.ok((await nodeConfigs('flat-3')).length >= 2);

    // flat-3 leaves the list; a run of one meter only (--meter) knows nothing of the others: it clears nothing.
    const cfg = config(dir, 'f2', ['flat-1', 'flat-2']);
    const some = await run(cfg, state, ['--meter', 'flat-1']);
    assert.equal(some.code, 0, some.stderr);
    assert.ok((await nodeConfigs('flat-3')).length >= 2, '--meter: flat-3 kept');

    // The same file with a meter that cannot be identified this time (nothing at address 9): flat-3 may be it; nothing cleared.
    const unsure = await run(config(dir, 'f2', ['flat-1', 'flat-9'], { 'flat-9': 'timeout: 0.3, retries: 0' }), state);
    assert.equal(unsure.code, 3, unsure.stderr);
    assert.ok((await nodeConfigs('flat-3')).length >= 2, 'an unidentified meter: flat-3 kept');

    const whole = await run(config(dir, 'f2', ['flat-1', 'flat-2']), state);
    assert.equal(whole.code, 0, whole.stderr);
    assert.match(whole.stdout, /cleared \d+ discovery config\(s\) of kamstrup_19088745: no longer in .*config\.yaml/);
    assert.deepEqual(await nodeConfigs('flat-3'), [], 'flat-3 is gone from Home Assistant');
    assert.ok((await nodeConfigs('flat-1')).length >= 2, 'flat-1 stays');
    assert.ok((await nodeConfigs('flat-2')).length >= 2, 'flat-2 stays');

    const again = await run(cfg, state);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /cleared/, 'cleared once');
  });
});
