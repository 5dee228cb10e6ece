// The sinks do not care which protocol read the meter: `read --protocol mbus 88:60:0 …` pushes to the
// Domoticz stand-in through the same sink with the same messages as a KMP read, and `mqtt --protocol mbus`
// publishes the same keys, register topics and Home Assistant device as KMP (the same meter serial number).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDomoticzStandin } from '../support/domoticz-standin.js';
import { startMosquitto, subscribe, type Broker } from '../support/mosquitto.js';
import { scaleText, trimZeros } from '../support/oracle.js';
import { cli, lines } from './meter-kit.js';
import { ptyMbus, type MbusSim } from './mbus-kit.js';

const T = { timeout: 60_000 };
const ADMIN = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz' };
const DEVICES = [
  { idx: '88', Name: 'Heat Energy', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'MWh', Data: '1 MWh' },
  { idx: '2', Name: 'Flow Temp', Type: 'Temp', SubType: 'LaCrosse TX3', Data: '21.5 C' },
  { idx: '6', Name: 'Water Flow', Type: 'General', SubType: 'Waterflow', Data: '3.5 l/min' },
];

/** The ✓ line of a push: the reading text and unit, and the svalue sent. */
function pushed(stdout: string, arg: string): { reading: string; unit: string; svalue: string } {
  const m = new RegExp(`^✓ ${arg}  .+? (-?[0-9.]+) (\\S+)  mode 0  → idx \\d+ "[^"]+": (\\S+)$`, 'm').exec(stdout);
  assert.ok(m, `the line of ${arg} in ${stdout}`);
  return { reading: m[1]!, unit: m[2]!, svalue: m[3]! };
}

describe('read --protocol mbus → Domoticz', () => {
  let sim: MbusSim;
  before(async () => {
    sim = await ptyMbus();
  });
  after(async () => sim?.stop());

  test('over the pty: energy into a MWh sensor, a temperature, a flow in l/min — as a KMP read pushes them', T, async () => {
    const dz = await startDomoticzStandin({ devices: DEVICES });
    try {
      const args = ['88:60:0', '2:86:0', '6:74:0'];
      const r = await cli(['read', '-d', sim.device, '--protocol', 'mbus', '--url', dz.url, ...args], { env: ADMIN });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      const e = pushed(r.stdout, '88:60:0');
      const t = pushed(r.stdout, '2:86:0');
      const f = pushed(r.stdout, '6:74:0');
      assert.deepEqual([e.unit, t.unit, f.unit], ['kWh', '°C', 'l/h']);
      assert.equal(e.svalue, trimZeros(scaleText(e.reading, 1n, 1000n, 3)), 'kWh → MWh exactly');
      assert.equal(t.svalue, trimZeros(scaleText(t.reading, 1n, 1n, 2)));
      assert.equal(f.svalue, trimZeros(scaleText(f.reading, 1n, 60n, 6)), 'l/h → l/min');
      assert.deepEqual(
        dz.updates.map((u) => [u.idx, u.svalue]),
        [
          ['88', e.svalue],
          ['2', t.svalue],
          ['6', f.svalue],
        ],
      );
      // The same arguments against a KMP meter give the same lines, number for number.
      const kmpDz = await startDomoticzStandin({ devices: DEVICES });
      try {
        const k = await cli(['read', '-d', 'sim:energy=kWh', '--url', kmpDz.url, ...args], { env: ADMIN });
        assert.equal(k.code, 0, k.stderr);
        const shape = (s: string): string[] => lines(s).map((l) => l.replace(/-?\d+(\.\d+)?/g, 'N'));
        assert.deepEqual(shape(r.stdout), shape(k.stdout));
        assert.deepEqual(
          kmpDz.updates.map((u) => u.idx),
          dz.updates.map((u) => u.idx),
        );
      } finally {
        await kmpDz.close();
      }
    } finally {
      await dz.close();
    }
  });

  test('a meter that does not answer: the push says "not read", exit 3, Domoticz gets nothing', T, async () => {
    const dz = await startDomoticzStandin({ devices: DEVICES });
    try {
      const r = await cli(
        ['read', '-d', sim.device, '--protocol', 'mbus', '--address', '3', '--retries', '0', '--url', dz.url, '88:60:0'],
        {
          env: ADMIN,
        },
      );
      assert.equal(r.code, 3);
      assert.match(r.stderr, /^error: SND_NKE to address 3: no reply in 343 ms, 1 attempt$/m);
      assert.deepEqual(dz.updates, []);
    } finally {
      await dz.close();
    }
  });
});

describe('mqtt --protocol mbus', () => {
  let broker: Broker;
  before(async () => {
    broker = await startMosquitto();
  });
  after(async () => broker?.stop());

  test('the same value keys, register topics and Home Assistant device as a KMP meter', T, async () => {
    const url = `mqtt://127.0.0.1:${broker.plainPort}`;
    type Seen = { values: Record<string, unknown>; topics: string[]; discovery: string[]; devices: string[] };
    const seen = async (topic: string, args: string[]): Promise<Seen> => {
      const sub = await subscribe(url, {}, [`${topic}/#`, 'homeassistant/#']);
      try {
        const r = await cli(['mqtt', '--broker', url, '--topic', topic, '--ha-discovery', '--debug', ...args]);
        assert.equal(r.code, 0, r.stderr);
        await sub.waitFor((m) => m.topic === `${topic}/status`);
        const values = JSON.parse(sub.messages.find((m) => m.topic === `${topic}/values`)!.payload) as Record<string, unknown>;
        const topics = [...new Set(sub.messages.map((m) => m.topic))].filter((t) => t.startsWith(`${topic}/`)).sort();
        if (args.includes('mbus')) assert.equal(r.stderr.match(/^tx /gm)?.length, 2, 'identity from the readout: SND_NKE and REQ_UD2 only');
        // Discovery configs of this run: their state topic is this run's base topic.
        const configs = sub.messages.filter((m) => m.topic.startsWith('homeassistant/') && m.payload.includes(`"${topic}/values"`));
        const discovery = [...new Set(configs.map((m) => m.topic))].sort();
        const devices = [
          ...new Set(
            configs.map((m) => JSON.stringify((JSON.parse(m.payload) as { device: { identifiers: string[] } }).device.identifiers)),
          ),
        ];
        return { values, topics, discovery, devices };
      } finally {
        await sub.end();
      }
    };
    const ids = ['60', '68', '74', '80', '86', '87', '89', '99'];
    const mbus = await seen('mb', ['-d', 'sim', '--protocol', 'mbus', ...ids]);
    const kmp = await seen('km', ['-d', 'sim:energy=kWh', ...ids]);
    assert.deepEqual(Object.keys(mbus.values), Object.keys(kmp.values));
    assert.deepEqual(
      mbus.topics.map((t) => t.slice(3)),
      kmp.topics.map((t) => t.slice(3)),
    );
    for (const k of Object.keys(kmp.values).filter((x) => x.endsWith('_unit'))) assert.equal(mbus.values[k], kmp.values[k], k);
    assert.equal(mbus.values.heat_energy_e1, kmp.values.heat_energy_e1, 'the same energy curve in kWh');
    assert.ok(mbus.discovery.length >= ids.length, `discovery configs: ${mbus.discovery.join(', ')}`);
    assert.deepEqual(mbus.discovery, kmp.discovery, 'one sensor per register, the same config topics');
    assert.deepEqual(mbus.devices, ['["kamstrup_19088743"]'], 'the device is named by the serial number (fabrication number)');
    assert.deepEqual(kmp.devices, mbus.devices);
  });
});
