// End-to-end: one run of the built CLI over the meters a config file lists, on several devices — socat ptys
// (the meter side in this test process, every frame recorded) and `tcp://` (a `multical simulate` child),
// KMP and M-Bus mixed. Covered: devices really read at the same time (a reply held back until the other
// device has been asked), one device's meters strictly one after another (no request while a reply is
// due), a dead meter contained while the others are read and pushed, the aggregated exit code in the
// documented order, output grouped by meter, --json with one result per meter, -q, one HTTP connection
// for every push, and the settings refused before a byte goes out.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDomoticzStandin } from '../support/domoticz-standin.js';
import { cli, tcpMeter, type SimMeter } from './meter-kit.js';
import { addressOf, latch, wireMeter, writeConfig, type WireMeter } from './fleet-kit.js';

const T = { timeout: 60_000 };
const ADMIN = { DOMOTICZ_USER: 'admin', DOMOTICZ_PASSWORD: 'domoticz' };

interface MeterJson {
  name: string;
  device: string;
  registers?: Array<{ id: number; value: number | string; unit: string }>;
  pushes?: Array<{ argument: string; status: string; svalue?: string }>;
  errors?: Array<{ code: string; message: string }>;
  error?: { code: string; message: string };
  stats: { requests: number; bytesSent: number; bytesReceived: number; ms: number };
  exitCode: number;
}
interface FleetJson {
  meters: MeterJson[];
  exitCode: number;
}

/** The conversation on one device as request addresses and replies, e.g. ['→1', '←', '→1', '←', '→2', …]. */
function conversation(m: WireMeter): string[] {
  return m.events.map((e) => (e.dir === 'request' ? `→${addressOf(e.frame) ?? '?'}` : '←'));
}

describe('many meters: devices at the same time, one device one meter at a time', () => {
  test('two devices overlap: each holds its first reply until the other has been asked, and both are read', T, async () => {
    const bothAsked = latch();
    const asked = new Set<string>();
    const gate = (name: string) => ({
      onRequest: () => {
        asked.add(name);
        if (asked.size === 2) bothAsked.open();
      },
      beforeReply: () => bothAsked.promise,
    });
    const heat = await wireMeter({ spec: '', protocol: 'kmp', ...gate('heat') });
    const bus = await wireMeter({ spec: 'bus=10000001@1+10000002@2', protocol: 'mbus', ...gate('bus') });
    try {
      const config = writeConfig(
        [
          'registers: [60, 68]',
          'meters:',
          `  - { name: heat, device: ${JSON.stringify(heat.device)}, timeout: 5 }`,
          `  - { name: flat-1, device: ${JSON.stringify(bus.device)}, protocol: mbus, address: 1, timeout: 5 }`,
          `  - { name: flat-2, device: ${JSON.stringify(bus.device)}, protocol: mbus, address: 2, timeout: 5 }`,
        ].join('\n') + '\n',
      );
      const r = await cli(['get', '--config', config, '--json']);
      const doc = JSON.parse(r.stdout) as FleetJson;
      // Read one device after the other, the first device's reply would wait for ever (its timeout: exit 3).
      assert.equal(doc.exitCode, 0, r.stdout + r.stderr);
      assert.equal(r.code, 0);
      assert.deepEqual(
        doc.meters.map((m) => [m.name, m.registers?.map((x) => x.id), m.exitCode]),
        [
          ['heat', [60, 68], 0],
          ['flat-1', [60, 68], 0],
          ['flat-2', [60, 68], 0],
        ],
      );
      assert.deepEqual(
        doc.meters.map((m) => m.device),
        [`${heat.device}, KMP`, `${bus.device}, M-Bus primary address 1`, `${bus.device}, M-Bus primary address 2`],
      );
    } finally {
      await heat.stop();
      await bus.stop();
    }
  });

  test('one M-Bus segment: each meter finishes before the next is asked, in config order, no request while a reply is due', T, async () => {
    const bus = await wireMeter({ spec: 'bus=10000001@1+10000002@2+10000003@3,latency=60', protocol: 'mbus' });
    try {
      const config = writeConfig(
        [
          `device: ${JSON.stringify(bus.device)}`,
          'protocol: mbus',
          'meters:',
          '  - { name: c, address: 3 }',
          '  - { name: a, address: 1 }',
          '  - { name: b, address: 2 }',
        ].join('\n') + '\n',
      );
      const r = await cli(['info', '--config', config, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { meters: Array<{ name: string; id: string }> };
      assert.deepEqual(
        doc.meters.map((m) => [m.name, m.id]),
        [
          ['c', '10000003'],
          ['a', '10000001'],
          ['b', '10000002'],
        ],
      );
      // Every request is answered before the next one goes out, and a meter's requests are not split.
      const talk = conversation(bus);
      const perMeter = ['→3', '←', '→3', '←', '→1', '←', '→1', '←', '→2', '←', '→2', '←'];
      assert.deepEqual(talk, perMeter, talk.join(' '));
    } finally {
      await bus.stop();
    }
  });
});

describe("many meters: one failure is that meter's alone", () => {
  let tcp: SimMeter;
  let bus: WireMeter;
  before(async () => {
    tcp = await tcpMeter();
    bus = await wireMeter({ spec: 'bus=10000001@1', protocol: 'mbus' });
  });
  after(async () => {
    await tcp?.stop();
    await bus?.stop();
  });

  const config = (extra: string[] = []): string =>
    writeConfig(
      [
        'meters:',
        `  - name: water`,
        `    device: ${JSON.stringify(tcp.device)}`,
        '    domoticz: { push: ["90:68:0"] }',
        `  - name: dead`,
        `    device: ${JSON.stringify(bus.device)}`,
        '    protocol: mbus',
        '    address: 7',
        '    timeout: 0.3',
        '    retries: 0',
        '    domoticz: { push: ["91:60:0"] }',
        `  - name: heat`,
        `    device: ${JSON.stringify(bus.device)}`,
        '    protocol: mbus',
        '    address: 1',
        '    domoticz: { push: ["88:60:0"] }',
        ...extra,
      ].join('\n') + '\n',
    );
  const devices = [
    { idx: '88', Name: 'Heat Energy', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'kWh', Data: '1 kWh' },
    { idx: '90', Name: 'Water', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'm³', Data: '1 m³' },
    { idx: '91', Name: 'Dead', Type: 'General', SubType: 'Custom Sensor', SensorUnit: 'kWh', Data: '1 kWh' },
  ];

  test('a dead meter on the segment: the meters on both devices are still read and pushed; exit 3; one HTTP connection', T, async () => {
    const dz = await startDomoticzStandin({ devices });
    try {
      const r = await cli(['read', '--config', config(), '--url', dz.url, '--json'], { env: ADMIN });
      const doc = JSON.parse(r.stdout) as FleetJson;
      assert.equal(r.code, 3, r.stderr);
      assert.equal(doc.exitCode, 3);
      assert.deepEqual(
        doc.meters.map((m) => [m.name, m.exitCode, m.pushes?.map((p) => p.status)]),
        [
          ['water', 0, ['sent']],
          ['dead', 3, ['not-read']],
          ['heat', 0, ['sent']],
        ],
      );
      assert.deepEqual(dz.updates.map((u) => u.idx).sort(), ['88', '90'], 'the dead meter pushed nothing');
      assert.equal(dz.connections(), 1, 'every push of the run on one HTTP connection');
      assert.match(r.stderr, /^dead: error: .*address 7/m, 'the error line names the meter');
      assert.doesNotMatch(r.stderr, /^(water|heat): error/m);
    } finally {
      await dz.close();
    }
  });

  test('the exit code is the first in the documented order: meter (3) before Domoticz (4); without the dead meter, 4', T, async () => {
    const dz = await startDomoticzStandin({ devices: devices.filter((d) => d.idx !== '90') }); // water's idx is gone
    try {
      const all = await cli(['read', '--config', config(), '--url', dz.url, '-q'], { env: ADMIN });
      assert.equal(all.code, 3, all.stderr);
      assert.equal(all.stdout, '', '-q: nothing on stdout');
      assert.match(all.stderr, /^water: error: .*idx 90/m);
      const two = await cli(['read', '--config', config(), '--url', dz.url, '-q', '--meter', 'water', '--meter', 'heat'], {
        env: ADMIN,
      });
      assert.equal(two.code, 4, two.stderr);
      assert.doesNotMatch(two.stderr, /dead/, '--meter: only the meters named run');
    } finally {
      await dz.close();
    }
  });

  test('output is grouped by meter, in config order, and -q is silent when every meter succeeded', T, async () => {
    const shown = await cli(['get', '--config', config(['registers: [60]']), '--meter', 'heat', '--meter', 'water', '60']);
    assert.equal(shown.code, 0, shown.stderr);
    const heads = shown.stdout.split('\n').filter((l) => /^\S/.test(l));
    assert.deepEqual(heads, [`water  ${tcp.device}, KMP`, `heat  ${bus.device}, M-Bus primary address 1`]);
    assert.match(shown.stdout, /^ {2}60 +Heat Energy \(E1\) +[\d.]+ +MWh$/m, 'each table indented under its meter');
    const dz = await startDomoticzStandin({ devices });
    try {
      const quiet = await cli(['read', '--config', config(), '--url', dz.url, '-q', '--meter', 'water', '--meter', 'heat'], { env: ADMIN });
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.equal(quiet.stdout + quiet.stderr, '');
    } finally {
      await dz.close();
    }
  });
});

describe('many meters: set up from a scan', () => {
  test('scan --config-snippet: the entries it prints are a config that reads every meter found', T, async () => {
    const bus = await wireMeter({ spec: 'bus=58300187@5+58300188@9', protocol: 'mbus' });
    try {
      const scan = await cli(['scan', '-d', bus.device, '--addresses', '0-10', '--timeout', '0.3', '--retries', '0', '--config-snippet']);
      assert.equal(scan.code, 0, scan.stderr);
      assert.match(scan.stdout, /^# 2 meters found on \S+ by multical scan\nmeters:\n/);
      const config = writeConfig(`registers: [60]\n${scan.stdout}`);
      const r = await cli(['info', '--config', config, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { meters: Array<{ name: string; id: string; address: number; device: string }> };
      assert.deepEqual(
        doc.meters.map((m) => [m.name, m.id, m.address]),
        [
          ['heat-inlet-58300187', '58300187', 5],
          ['heat-inlet-58300188', '58300188', 9],
        ],
      );
    } finally {
      await bus.stop();
    }
  });
});

describe('many meters: settings refused before a byte goes out (exit 2)', () => {
  const refused = async (lines: string[], args: string[], pattern: RegExp): Promise<void> => {
    const r = await cli([...args, '--config', writeConfig(lines.join('\n') + '\n')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  };

  test('two meters at one M-Bus address, or one device with two protocols', T, async () => {
    await refused(
      [
        'device: /dev/ttyMULTICALTEST',
        'protocol: mbus',
        'registers: [60]',
        'meters:',
        '  - { name: a, address: 5 }',
        '  - { name: b, address: 5 }',
      ],
      ['get'],
      /meters a and b are both primary address 5 on \/dev\/ttyMULTICALTEST/,
    );
    await refused(
      ['device: /dev/ttyMULTICALTEST', 'registers: [60]', 'meters:', '  - { name: a }', '  - { name: b, protocol: mbus, address: 1 }'],
      ['get'],
      /meters a and b share \/dev\/ttyMULTICALTEST but not its line \(kmp 1200 8N2 vs mbus 2400 8E1\)/,
    );
  });

  test('push arguments on the command line with several meters; one Domoticz device fed by two meters', T, async () => {
    const two = ['meters:', '  - { name: a, device: sim }', '  - { name: b, device: sim }'];
    await refused(two, ['read', '--dry-run', '88:60:0'], /push arguments name one meter's registers/);
    await refused(
      [
        'meters:',
        '  - { name: a, device: sim, domoticz: { push: ["88:60:0"] } }',
        '  - { name: b, device: sim, domoticz: { push: ["88:68:0"] } }',
      ],
      ['read', '--dry-run'],
      /meter b: idx 88 is pushed by meter a too/,
    );
    await refused(two, ['get', '--meter', 'c', '60'], /--meter c: no such meter in .* \(it lists a, b\)/);
  });

  test('history reads one meter: with a list it needs --meter, and then reads that meter with its settings', T, async () => {
    const lines = ['meters:', '  - { name: a, device: "sim:now=2026-03-01T12:00:00Z" }', '  - { name: b, device: sim }'];
    await refused(lines, ['history', '--logger', 'daily'], /history reads one meter: name it with --meter \(.* lists a, b\)/);
    const r = await cli([
      'history',
      '--config',
      writeConfig(lines.join('\n') + '\n'),
      '--meter',
      'a',
      '--logger',
      'daily',
      '--last',
      '1',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { entries: Array<{ time: string }> };
    assert.deepEqual(
      doc.entries.map((e) => e.time),
      ['2026-03-01T00:00:00'],
      "meter a's pinned clock: its settings, not b's",
    );
  });

  test('read: a meter of the list without pushes is not read; named with --meter, or all without pushes, it is an error', T, async () => {
    const lines = ['meters:', '  - { name: a, device: sim, domoticz: { push: ["88:60:0"] } }', '  - { name: mqtt-only, device: sim }'];
    const r = await cli(['read', '--dry-run', '--config', writeConfig(lines.join('\n') + '\n')]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => /^\S/.test(l)),
      ['a  sim, KMP'],
    );
    await refused(lines, ['read', '--dry-run', '--meter', 'mqtt-only'], /meter mqtt-only: nothing to read/);
    await refused(lines.slice(0, 1).concat(lines.slice(2)), ['read', '--dry-run'], /nothing to do for the meters of/);
  });
});
