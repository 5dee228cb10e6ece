// `multical mqtt` end to end: the built CLI (runCli) reads the simulated meter and publishes to a REAL
// mosquitto (test/support/mosquitto.ts); a real mqtt.js client subscribes and checks what arrived.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startCli, type CliResult } from '../support/cli.js';
import { retained, startMosquitto, subscribe, type Broker, type ReceivedMessage, type Subscription } from '../support/mosquitto.js';
import { scaleText, trimZeros } from '../support/oracle.js';
import { closedPort } from '../support/ports.js';

const SERIAL = '19088743'; // the simulator's GetSerialNo
const DEFAULT_KEYS = ['heat_energy_e1', 'volume', 'flow', 'power', 'temp1', 'temp2', 'tempdiff'];

let broker: Broker;
let plain: string;
let auth: string;
let tls: string;
const dirs: string[] = [];
const subs: Subscription[] = [];

async function live(topics: string[]): Promise<Subscription> {
  const s = await subscribe(plain, {}, topics);
  subs.push(s);
  return s;
}

async function mqtt(args: string[], extraEnv: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(['mqtt', ...args], { env: extraEnv, killAfterMs: 20_000 });
}

/** The exact text of `key` in a JSON payload, digit for digit. */
function raw(payload: string, key: string): string | undefined {
  return new RegExp(`"${key}":(-?[0-9.]+|"[^"]*")`).exec(payload)?.[1];
}

before(async () => {
  broker = await startMosquitto();
  plain = `mqtt://127.0.0.1:${broker.plainPort}`;
  auth = `mqtt://127.0.0.1:${broker.authPort}`;
  tls = `mqtts://127.0.0.1:${broker.tlsPort}`;
});

after(async () => {
  await Promise.all(subs.map((s) => s.end()));
  await broker?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('multical mqtt: what is published', () => {
  test('the values object (local timestamp, keys, exact values, units) and one topic per register', async () => {
    const sub = await live(['t1/#']);
    const started = Date.now();
    const r = await mqtt(['-d', 'sim', '--broker', plain, '--topic', 't1'], { TZ: 'Asia/Kolkata' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^published 7 registers to mqtt:\/\/127\.0\.0\.1:\d+: t1\/values and 7 register topics; t1\/status online\n$/);
    await sub.waitFor((m) => m.topic === 't1/status');

    const values = sub.messages.filter((m) => m.topic === 't1/values');
    assert.equal(values.length, 1);
    const payload = values[0]!.payload;
    const doc = JSON.parse(payload) as Record<string, unknown>;
    assert.deepEqual(Object.keys(doc), ['timestamp', ...DEFAULT_KEYS.flatMap((k) => [k, `${k}_unit`])]);

    // ISO 8601 with the local offset (TZ=Asia/Kolkata is +05:30 all year), whole seconds, and now.
    const ts = doc.timestamp as string;
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$/);
    const at = Date.parse(ts);
    assert.ok(at >= Math.floor(started / 1000) * 1000 - 1000 && at <= Date.now() + 1000, `${ts} is not the time of the run`);

    assert.deepEqual(
      DEFAULT_KEYS.map((k) => doc[`${k}_unit`]),
      ['MWh', 'm³', 'm³/h', 'kW', '°C', '°C', 'K'],
    );
    // Exact decimals as the meter sent them: resolution kept (trailing zeros too), never a double's digits.
    const formats: Record<string, RegExp> = {
      heat_energy_e1: /^\d+\.\d{3}$/, // MWh with 3 decimals, e.g. 150.720
      volume: /^\d+\.\d{2}$/,
      flow: /^\d+(\.\d{1,3})?$/, // l/h ÷ 1000
      power: /^\d+\.\d$/,
      temp1: /^\d+\.\d{2}$/,
      temp2: /^\d+\.\d{2}$/,
      tempdiff: /^\d+\.\d{2}$/,
    };
    for (const k of DEFAULT_KEYS) {
      const text = raw(payload, k);
      assert.ok(text, `${k} in ${payload}`);
      assert.match(text, formats[k]!, `${k} = ${text}`);
      const own = sub.messages.filter((m) => m.topic === `t1/${k}`);
      assert.equal(own.length, 1, `one message on t1/${k}`);
      assert.equal(own[0]!.payload, text, `t1/${k} carries the same exact text as t1/values`);
    }
    // The flow is the meter's whole l/h in m³/h: ×1000 is a whole number.
    assert.match(trimZeros(scaleText(raw(payload, 'flow')!, 1000n, 1n, 3)), /^\d+$/);

    // Nothing else: no discovery without --ha-discovery.
    assert.deepEqual(
      [...new Set(sub.messages.map((m) => m.topic))].sort(),
      ['t1/status', 't1/values', ...DEFAULT_KEYS.map((k) => `t1/${k}`)].sort(),
    );
  });

  test('QoS 2 and --retain are honoured; QoS 2 acknowledged (PUBCOMP) before DISCONNECT; the will is set', async () => {
    const sub = await live(['t2/#']);
    const r = await mqtt(['-d', 'sim', '--broker', plain, '--topic', 't2', '--qos', '2', '--retain', '--client-id', 'multical-qos2-test']);
    assert.equal(r.code, 0, r.stderr);
    await sub.waitFor((m) => m.topic === 't2/status');
    assert.equal(sub.messages.length, 9);
    for (const m of sub.messages) assert.equal(m.qos, 2, m.topic);

    const kept = await retained(plain, 't2/#');
    assert.deepEqual(kept.map((m) => m.topic).sort(), ['t2/status', 't2/values', ...DEFAULT_KEYS.map((k) => `t2/${k}`)].sort());
    for (const m of kept) assert.equal(m.retain, true, m.topic);

    const log = broker.log();
    const mine = log.split('\n').filter((l) => l.includes('multical-qos2-test'));
    const lastComp = mine.map((l, i) => (l.includes('Sending PUBCOMP') ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    const disconnect = mine.findIndex((l) => l.includes('Received DISCONNECT'));
    assert.ok(lastComp >= 0 && disconnect > lastComp, `every PUBCOMP before DISCONNECT:\n${mine.join('\n')}`);
    assert.equal(mine.filter((l) => l.includes('Received PUBLISH')).length, 9);
    assert.match(
      log,
      /New client connected from [\d.:]+ as multical-qos2-test[^\n]*\n[^\n]*Will message specified \(7 bytes\) \(r1, q2\)\.\n[^\n]*\tt2\/status/,
    );
  });

  test('QoS 1 without --retain: subscribers see qos 1, and only the status stays on the broker', async () => {
    const sub = await live(['t2b/#']);
    const r = await mqtt(['-d', 'sim', '--broker', plain, '--topic', 't2b', '--qos', '1']);
    assert.equal(r.code, 0, r.stderr);
    await sub.waitFor((m) => m.topic === 't2b/status');
    for (const m of sub.messages) assert.equal(m.qos, 1, m.topic);
    const kept = await retained(plain, 't2b/#');
    assert.deepEqual(
      kept.map((m) => [m.topic, m.payload, m.retain]),
      [['t2b/status', 'online', true]],
    );
  });

  test('--json: one object describing what was published', async () => {
    const r = await mqtt(['-d', 'sim', '--broker', plain, '--topic', 't11', '--json', '60', '1004']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      broker: unknown;
      status: unknown;
      published: unknown;
      values: Record<string, unknown>;
      messages: Array<{ topic: string }>;
      missing: unknown;
    };
    assert.equal(doc.broker, plain);
    assert.equal(doc.status, 'online');
    assert.equal(doc.published, true);
    assert.deepEqual(Object.keys(doc.values), ['timestamp', 'heat_energy_e1', 'heat_energy_e1_unit', 'hour_counter', 'hour_counter_unit']);
    assert.deepEqual(
      doc.messages.map((m) => m.topic),
      ['t11/values', 't11/heat_energy_e1', 't11/hour_counter', 't11/status'],
    );
    assert.deepEqual(doc.missing, []);
  });
});

describe('multical mqtt --ha-discovery', () => {
  const configs = async (): Promise<Map<string, ReceivedMessage>> =>
    new Map((await retained(plain, `homeassistant/sensor/kamstrup_${SERIAL}/+/config`)).map((m) => [m.topic, m]));

  test('one retained config per register, one device, the classes and units Home Assistant accepts; the same every run', async () => {
    const r = await mqtt(['-d', 'sim', '--broker', plain, '--topic', 't3', '--retain', '--ha-discovery', '--qos', '1']);
    assert.equal(r.code, 0, r.stderr);
    // 7 register sensors, the info code (read too, for the alarms) as a diagnostic sensor, and the alarm sensor.
    assert.match(r.stdout, /^published 8 registers .*9 Home Assistant discovery configs/);
    const first = await configs();
    assert.deepEqual(
      [...first.keys()].sort(),
      [...DEFAULT_KEYS, 'info_code'].map((k) => `homeassistant/sensor/kamstrup_${SERIAL}/${k}/config`).sort(),
    );
    const info = JSON.parse(first.get(`homeassistant/sensor/kamstrup_${SERIAL}/info_code/config`)!.payload) as Record<string, unknown>;
    assert.equal(info.entity_category, 'diagnostic');
    const alarm = await retained(plain, `homeassistant/binary_sensor/kamstrup_${SERIAL}/+/config`);
    assert.deepEqual(
      alarm.map((m) => m.topic),
      [`homeassistant/binary_sensor/kamstrup_${SERIAL}/alarm/config`],
      'model unknown: only the any-alarm sensor',
    );
    assert.equal((JSON.parse(alarm[0]!.payload) as { device_class: string }).device_class, 'problem');

    const expected: Record<string, [string | undefined, string, string]> = {
      heat_energy_e1: ['energy', 'total_increasing', 'MWh'],
      volume: ['water', 'total_increasing', 'm³'],
      flow: ['volume_flow_rate', 'measurement', 'm³/h'],
      power: ['power', 'measurement', 'kW'],
      temp1: ['temperature', 'measurement', '°C'],
      temp2: ['temperature', 'measurement', '°C'],
      tempdiff: [undefined, 'measurement', 'K'],
    };
    const devices = new Set<string>();
    const values = JSON.parse((await retained(plain, 't3/values'))[0]!.payload) as Record<string, unknown>;
    for (const k of DEFAULT_KEYS) {
      const m = first.get(`homeassistant/sensor/kamstrup_${SERIAL}/${k}/config`)!;
      assert.equal(m.retain, true);
      const c = JSON.parse(m.payload) as Record<string, unknown>;
      assert.deepEqual([c.device_class, c.state_class, c.unit_of_measurement], expected[k], k);
      assert.equal(c.unique_id, `kamstrup_${SERIAL}_${k}`);
      assert.equal(c.state_topic, 't3/values');
      assert.equal(c.value_template, `{{ value_json.${k} }}`);
      assert.equal(c.availability_topic, 't3/status');
      assert.equal(values[`${k}_unit`], c.unit_of_measurement, `${k}: the state is published in the unit the config names`);
      assert.deepEqual(c.device, {
        identifiers: [`kamstrup_${SERIAL}`],
        manufacturer: 'Kamstrup',
        model: 'MULTICAL (type 0x0004)',
        name: `Kamstrup MULTICAL ${SERIAL}`,
        serial_number: SERIAL,
        sw_version: 'F1',
      });
      devices.add(JSON.stringify(c.device));
    }
    assert.equal(devices.size, 1, 'every sensor belongs to one device');
    assert.equal(new Set([...first.values()].map((m) => (JSON.parse(m.payload) as { unique_id: unknown }).unique_id)).size, 8);

    const again = await mqtt(['-d', 'sim', '--broker', plain, '--topic', 't3', '--retain', '--ha-discovery', '--qos', '1']);
    assert.equal(again.code, 0, again.stderr);
    const second = await configs();
    assert.deepEqual(
      [...second.entries()].map(([t, m]) => [t, m.payload]).sort(),
      [...first.entries()].map(([t, m]) => [t, m.payload]).sort(),
      'idempotent: the same topics and byte-identical payloads',
    );
    assert.deepEqual(
      (await retained(plain, 't3/status')).map((m) => m.payload),
      ['online'],
    );
  });

  test('the meter does not answer: no values, status offline (retained), exit 3', async () => {
    const sub = await live(['t3/#', 'homeassistant/#']);
    const before = (await retained(plain, 't3/status')).map((m) => m.payload);
    assert.deepEqual(before, ['online'], 'online from the run before');
    const r = await mqtt([
      '-d',
      'sim:no-answer',
      '--timeout',
      '0.2',
      '--retries',
      '0',
      '--broker',
      plain,
      '--topic',
      't3',
      '--ha-discovery',
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /no reply in 200 ms/);
    await sub.waitFor((m) => m.topic === 't3/status' && !m.retain);
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(
      sub.messages.filter((m) => !m.retain).map((m) => [m.topic, m.payload]),
      [['t3/status', 'offline']],
      'nothing but the status: no values, no zeros',
    );
    assert.deepEqual(
      (await retained(plain, 't3/status')).map((m) => [m.payload, m.retain]),
      [['offline', true]],
    );
  });

  test('registers read but GetSerialNo fails: the values are published, no discovery, status online, exit 3', async () => {
    const sub = await live(['t9/#', 'homeassistant/#']);
    // The simulated link goes away after one answer: the registers (one request) arrive, GetSerialNo does not.
    const r = await mqtt(['-d', 'sim:vanish-after=1', '--broker', plain, '--topic', 't9', '--ha-discovery']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /error: GetSerialNo to 0x3F: .*went away/);
    await sub.waitFor((m) => m.topic === 't9/status');
    const fresh = sub.messages.filter((m) => !m.retain).map((m) => m.topic);
    assert.ok(fresh.includes('t9/values'));
    assert.equal(fresh.filter((t) => t.startsWith('homeassistant/')).length, 0);
    assert.equal(sub.messages.find((m) => m.topic === 't9/status')!.payload, 'online');
  });

  test('a register the meter leaves out is reported and not published: no key, no topic, no config', async () => {
    const sub = await live(['t8/#', 'homeassistant/#']);
    const r = await mqtt(['-d', 'sim:omit=86', '--broker', plain, '--topic', 't8', '--ha-discovery']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /register 86 \(Temp1\)/);
    await sub.waitFor((m) => m.topic === 't8/status');
    const values = JSON.parse(sub.messages.find((m) => m.topic === 't8/values')!.payload) as Record<string, unknown>;
    assert.equal('temp1' in values, false);
    assert.equal('temp1_unit' in values, false);
    assert.ok('temp2' in values);
    // Live messages only: on subscribing, the broker also hands over configs retained by earlier runs.
    const topics = sub.messages.filter((m) => !m.retain).map((m) => m.topic);
    assert.ok(!topics.includes('t8/temp1'));
    assert.ok(!topics.some((t) => t.endsWith('/temp1/config')));
    // 6 register sensors, the info code and the any-alarm sensor.
    assert.equal(topics.filter((t) => t.startsWith('homeassistant/')).length, 8);
    assert.equal(sub.messages.find((m) => m.topic === 't8/status')!.payload, 'online');
  });

  test('a value that cannot be right for its unit is not published (exit 5); the others are', async () => {
    const sub = await live(['t7/#']);
    const r = await mqtt(['-d', 'sim:implausible', '--broker', plain, '--topic', 't7', '86', '87']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /register 86 \(Temp1\) reads 1000\.00 °C, which cannot be right: not published/);
    await sub.waitFor((m) => m.topic === 't7/status');
    const values = JSON.parse(sub.messages.find((m) => m.topic === 't7/values')!.payload) as Record<string, unknown>;
    assert.equal('temp1' in values, false);
    assert.ok('temp2' in values);
    assert.ok(!sub.messages.some((m) => m.topic === 't7/temp1'));
  });
});

describe('multical mqtt: alarms and stale sensors', () => {
  test('--model 603 and an info code of 260: a binary sensor per flag that matters, their states on <topic>/alarms', async () => {
    const r = await mqtt(['-d', 'sim:info=260', '--model', '603', '--broker', plain, '--topic', 'a1', '--ha-discovery', '--retain']);
    assert.equal(r.code, 0, r.stderr);
    const sensors = new Map(
      (await retained(plain, `homeassistant/binary_sensor/kamstrup_${SERIAL}/+/config`)).map((m) => [
        m.topic.split('/')[3]!,
        JSON.parse(m.payload) as Record<string, unknown>,
      ]),
    );
    // 260 = bits 2 and 8: on a 603, "external alarm or sensor error" and "V1 air".
    assert.equal(sensors.get('flow_sensor_weak_or_air')?.device_class, 'problem');
    assert.equal(sensors.get('low_battery_level')?.device_class, 'battery');
    assert.equal(sensors.get('v1_v2_leakage_water_loss')?.device_class, 'moisture');
    assert.equal(sensors.get('alarm')?.state_topic, 'a1/alarms');
    assert.equal(sensors.has('reserved_bit_10'), false, 'reserved bits get no sensor');
    const device = sensors.get('alarm')!.device as { identifiers: string[] };
    assert.deepEqual(device.identifiers, [`kamstrup_${SERIAL}`], 'on the same device as the meter');
    const states = JSON.parse((await retained(plain, 'a1/alarms'))[0]!.payload) as Record<string, string>;
    assert.equal(states.alarm, 'ON');
    assert.equal(states.FLOW_SENSOR_WEAK_OR_AIR, 'ON');
    assert.equal(states.EXTERNAL_ALARM_OR_SENSOR_ERROR, 'ON');
    assert.equal(states.LOW_BATTERY_LEVEL, 'OFF');
    assert.equal(Object.keys(states).length, sensors.size, 'one state per sensor');
  });

  test('a register taken off the list: its retained discovery config is cleared on the next run', async () => {
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'multical-mqtt-state-')) };
    dirs.push(env.XDG_STATE_HOME);
    const first = await mqtt(['-d', 'sim', '--broker', plain, '--topic', 'a2', '--ha-discovery', '60', '68'], env);
    assert.equal(first.code, 0, first.stderr);
    const topic = `homeassistant/sensor/kamstrup_${SERIAL}/volume/config`;
    assert.equal((await retained(plain, topic)).length, 1);
    const second = await mqtt(['-d', 'sim', '--broker', plain, '--topic', 'a2', '--ha-discovery', '60', '--verbose'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /clearing 1 discovery config/);
    assert.deepEqual(await retained(plain, topic), [], 'volume is gone from Home Assistant');
    assert.equal((await retained(plain, `homeassistant/sensor/kamstrup_${SERIAL}/heat_energy_e1/config`)).length, 1, 'energy stays');
  });
});

describe('multical mqtt: broker failures are exit 6, secrets never shown', () => {
  test('wrong password: one clear line, exit 6, the password appears nowhere', async () => {
    const wrong = 'Wr0ng-S3cret-xyzzy';
    const r = await mqtt(['-d', 'sim', '--broker', auth, '--username', broker.username, '--password', wrong, '--verbose', '--debug']);
    assert.equal(r.code, 6, r.stderr);
    assert.match(
      r.stderr,
      /^error: MQTT broker mqtt:\/\/127\.0\.0\.1:\d+ refused the login \(Not authorized\): check the password of user multical$/m,
    );
    assert.ok(!(r.stdout + r.stderr).includes(wrong), 'the password was printed');
    const viaEnv = await mqtt(['-d', 'sim', '--broker', auth, '--username', broker.username], { MQTT_PASSWORD: wrong });
    assert.equal(viaEnv.code, 6);
    assert.ok(!(viaEnv.stdout + viaEnv.stderr).includes(wrong));
  });

  test('credentials from the environment work and are never printed, even with --debug', async () => {
    const r = await mqtt(['-d', 'sim', '--broker', auth, '--topic', 't5', '--debug', '--verbose'], {
      MQTT_USERNAME: broker.username,
      MQTT_PASSWORD: broker.password,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /mqtt: connected/);
    assert.ok(!(r.stdout + r.stderr).includes(broker.password));
  });

  test('a password file others can read: a warning, the run goes on, the password is not shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multical-mqtt-pw-'));
    dirs.push(dir);
    const file = join(dir, 'pw');
    writeFileSync(file, broker.password + '\n');
    chmodSync(file, 0o644);
    const r = await mqtt(['-d', 'sim', '--broker', auth, '--username', broker.username, '--password-file', file, '--topic', 't5b']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: --password-file .* can be read by other users/);
    assert.ok(!(r.stdout + r.stderr).includes(broker.password));
  });

  test('no broker listening (a closed port): exit 6, at once', async () => {
    const port = await closedPort();
    const r = await mqtt(['-d', 'sim', '--broker', `mqtt://127.0.0.1:${port}`]);
    assert.equal(r.code, 6, r.stderr);
    assert.equal(r.stderr, `error: MQTT broker mqtt://127.0.0.1:${port}: connection refused (is the broker running, is the port right?)\n`);
    assert.ok(r.ms < 5000, `${r.ms} ms`);
  });

  test('a broker that accepts the connection but never answers: the run deadline stops it (exit 8)', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (silent.address() as { port: number }).port;
      const r = await mqtt(['-d', 'sim', '--broker', `mqtt://127.0.0.1:${port}`, '--deadline', '1']);
      assert.equal(r.code, 8, r.stderr);
      assert.equal(r.stderr, 'error: the run deadline of 1 s ran out\n');
      assert.ok(r.ms < 4000, `${r.ms} ms: the process lingered after the deadline`);
    } finally {
      silent.close();
    }
  });
});

describe('multical mqtt over TLS', () => {
  test('--ca: verified TLS works', async () => {
    const sub = await live(['t7/#']);
    const r = await mqtt(['-d', 'sim', '--broker', tls, '--ca', broker.caFile, '--username', broker.username, '--topic', 't7'], {
      MQTT_PASSWORD: broker.password,
    });
    assert.equal(r.code, 0, r.stderr);
    await sub.waitFor((m) => m.topic === 't7/values');
  });

  test('without --ca the self-signed broker is not trusted: exit 6', async () => {
    const r = await mqtt(['-d', 'sim', '--broker', tls, '--username', broker.username, '--topic', 't7x'], {
      MQTT_PASSWORD: broker.password,
    });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, /TLS: the broker's certificate is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\): give --ca/);
    assert.deepEqual(await retained(plain, 't7x/#', 150), []);
  });

  test('--insecure works without --ca; a client certificate is sent with --cert/--key', async () => {
    const r = await mqtt(['-d', 'sim', '--broker', tls, '--insecure', '--username', broker.username, '--topic', 't7i'], {
      MQTT_PASSWORD: broker.password,
    });
    assert.equal(r.code, 0, r.stderr);
    const c = await mqtt(
      [
        '-d',
        'sim',
        '--broker',
        tls,
        '--ca',
        broker.caFile,
        '--cert',
        broker.clientCertFile,
        '--key',
        broker.clientKeyFile,
        '--username',
        broker.username,
        '--topic',
        't7c',
      ],
      { MQTT_PASSWORD: broker.password },
    );
    assert.equal(c.code, 0, c.stderr);
    const half = await mqtt(['-d', 'sim', '--broker', tls, '--cert', broker.clientCertFile, '--username', broker.username], {
      MQTT_PASSWORD: broker.password,
    });
    assert.equal(half.code, 2);
  });
});

describe('multical mqtt: other meters and the config file', () => {
  test('a meter over TCP (multical simulate --listen)', async () => {
    const sim = await startCli(['simulate', '--listen', '127.0.0.1:0'], /tcp:\/\/(127\.0\.0\.1:\d+)/);
    try {
      const sub = await live(['t10/#']);
      const r = await mqtt(['-d', `tcp://${sim.match[1]}`, '--broker', plain, '--topic', 't10', '--qos', '1']);
      assert.equal(r.code, 0, r.stderr);
      const values = JSON.parse((await sub.waitFor((m) => m.topic === 't10/values')).payload) as Record<string, unknown>;
      assert.deepEqual(
        Object.keys(values).filter((k) => !k.endsWith('_unit') && k !== 'timestamp'),
        DEFAULT_KEYS,
      );
    } finally {
      await sim.stop();
    }
  });

  test('the mqtt: section of the config file drives the run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multical-mqtt-cfg-'));
    dirs.push(dir);
    const cfg = join(dir, 'c.yaml');
    writeFileSync(cfg, `device: sim\nmqtt:\n  broker: ${plain}\n  topic: t12\n  qos: 1\n  retain: true\n  registers: [60, 1004]\n`);
    chmodSync(cfg, 0o600);
    const sub = await live(['t12/#']);
    const r = await mqtt(['--config', cfg, '-q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout + r.stderr, '', '--quiet: nothing when everything worked');
    const m = await sub.waitFor((x) => x.topic === 't12/values');
    assert.equal(m.qos, 1);
    assert.deepEqual(Object.keys(JSON.parse(m.payload) as object), [
      'timestamp',
      'heat_energy_e1',
      'heat_energy_e1_unit',
      'hour_counter',
      'hour_counter_unit',
    ]);
    assert.deepEqual((await retained(plain, 't12/values')).length, 1, 'retain: true from the file');
  });
});
