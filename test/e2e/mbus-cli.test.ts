// `--protocol mbus` end to end: the built CLI reads `multical simulate --protocol mbus` over a real socat
// pty (the serialport bindings) and over TCP, and the in-process `-d sim`. Values are checked against the
// bytes on the wire (decoded by mbus-kit.ts, not by the CLI), names against kmp-registers.tsv, the frames
// sent against mbus-protocol.md; every bad option is one line and exit 2 before anything is opened.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertOneErrorLine, cli, frameLines, lines, pool, rawRegisters, tableName } from './meter-kit.js';
import { ptyMbus, tcpMbus, wireTelegrams, wireValues, type MbusSim } from './mbus-kit.js';

const T = { timeout: 60_000 };
const NKE_FE = '10 40 FE 3E 16';
const REQ_FE = '10 7B FE 79 16';
const IDS = [60, 63, 68, 74, 80, 86, 87, 89, 97, 110, 99, 139, 143, 175, 1001, 1004];

interface TelegramJson {
  protocol: string;
  meter: { id: string; manufacturer: string; version: number; medium: string; accessNumber: number; status: number };
  records: Array<{ quantity: string; value: unknown; unit: string; register?: number; dif: string; vif: string; storage: number }>;
  exitCode: number;
}

/** get --json with ids: one object; every value exactly as the wire says, name from the table. */
function checkAgainstWire(stdout: string, stderr: string, ids: number[]): void {
  assert.equal(lines(stdout).length, 1, 'one line of JSON');
  const doc = JSON.parse(stdout) as { registers: unknown[]; missing: number[]; exitCode: number };
  assert.deepEqual(Object.keys(doc), ['registers', 'missing', 'exitCode']);
  assert.equal(doc.exitCode, 0);
  const wire = wireValues(frameLines(stderr, 'rx'));
  const raws = rawRegisters(stdout);
  assert.deepEqual(
    raws.map((r) => r.id),
    ids,
  );
  for (const r of raws) {
    const w = wire.get(r.id);
    assert.ok(w, `register ${r.id} on the wire`);
    assert.equal(r.raw, w.text, `register ${r.id}: written exactly as on the wire`);
    assert.equal(r.unit, w.unit, `register ${r.id}: unit`);
    assert.equal(r.name, tableName(r.id), `register ${r.id}: name from kmp-registers.tsv`);
  }
}

describe('M-Bus over a real pty against `multical simulate --protocol mbus`', { concurrency: 1 }, () => {
  let sim: MbusSim;
  before(async () => {
    sim = await ptyMbus();
  });
  after(async () => sim?.stop());

  test('get --json with ids: SND_NKE and one REQ_UD2 to 254; every value as on the wire', T, async () => {
    const r = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--json', '--debug', ...IDS.map(String)]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [NKE_FE, REQ_FE]);
    checkAgainstWire(r.stdout, r.stderr, IDS);
  });

  test('get --json without ids: the telegram object {"protocol","meter","records"} with exitCode; the values of the wire', T, async () => {
    const r = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--json', '--debug']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(lines(r.stdout).length, 1);
    const doc = JSON.parse(r.stdout) as TelegramJson;
    assert.deepEqual(Object.keys(doc), ['protocol', 'meter', 'records', 'exitCode']);
    assert.deepEqual(doc.meter, {
      id: '12345678',
      manufacturer: 'KAM',
      version: 0x34,
      medium: 'heat (inlet)',
      accessNumber: doc.meter.accessNumber,
      status: 0,
    });
    assert.equal(doc.records.length, 20);
    assert.deepEqual(Object.keys(doc.records[1]!), [
      'quantity',
      'value',
      'unit',
      'function',
      'storage',
      'tariff',
      'subunit',
      'register',
      'dif',
      'vif',
    ]);
    const wire = wireValues(frameLines(r.stderr, 'rx'));
    for (const rec of doc.records) {
      if (rec.register === undefined || !wire.has(rec.register)) continue;
      const m = new RegExp(`"register":${rec.register},"dif":"${rec.dif}"`).exec(r.stdout);
      assert.ok(m, `record of ${rec.register}`);
      const raw = new RegExp(
        `"value":(-?[0-9.]+),"unit":"[^"]*","function":"[a-z]+","storage":0,"tariff":0,"subunit":0,"register":${rec.register},`,
      ).exec(r.stdout);
      assert.equal(raw?.[1], wire.get(rec.register)!.text, `record ${rec.register} written exactly`);
    }
    assert.deepEqual(
      doc.records.filter((x) => x.storage === 1).map((x) => [x.dif, x.vif, x.register]),
      [
        ['44', '06', undefined],
        ['44', '14', undefined],
        ['42', '6C', 98],
      ],
    );
  });

  test('get without ids: who answered, then every record with its register name', T, async () => {
    const r = await cli(['get', '-d', sim.device, '--protocol', 'mbus']);
    assert.equal(r.code, 0, r.stderr);
    const ls = lines(r.stdout);
    assert.match(ls[0]!, /^M-Bus meter 12345678 KAM, version 0x34, heat \(inlet\), primary address 78, 1 telegram$/);
    assert.match(ls[1]!, /^\s*ID\s+Record\s+Value\s+Unit$/);
    assert.equal(ls.length, 22);
    assert.match(ls[3]!, /^\s*60\s+Heat Energy \(E1\)\s+\d+\s+kWh$/);
    assert.ok(ls.some((l) => /^\s+energy, storage 1\s+\d+\s+kWh$/.test(l)));
  });

  test('info --json: who the meter is, from the same readout (2 frames, no more)', T, async () => {
    const r = await cli(['info', '-d', sim.device, '--protocol', 'mbus', '--json', '--debug']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [NKE_FE, REQ_FE]);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(
      { ...doc, accessNumber: 0 },
      {
        protocol: 'mbus',
        serialNo: 19088743,
        id: '12345678',
        manufacturer: 'KAM',
        version: 0x34,
        model: 'MULTICAL 403',
        medium: 'heat (inlet)',
        address: 78,
        accessNumber: 0,
        status: 0,
        telegrams: 1,
        infoCode: { value: 0, flags: [] },
        exitCode: 0,
      },
    );
  });

  test('--address 78 reads the meter at 78; --address 77: no reply, one line, exit 3', T, async () => {
    const ok = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--address', '78', '--debug', '60']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(frameLines(ok.stderr, 'tx'), ['10 40 4E 8E 16', '10 7B 4E C9 16']);
    const none = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--address', '77', '60']);
    assert.equal(none.code, 3);
    assert.equal(assertOneErrorLine(none.stderr), 'error: SND_NKE to address 77: no reply in 343 ms, 3 attempts');
  });

  test('--secondary 12345678: deselect, select, REQ_UD2 to FD, deselect; --secondary 99999999: no reply, exit 3', T, async () => {
    const r = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--secondary', '12345678', '--json', '--debug', '60', '68']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [
      '10 40 FD 3D 16',
      '68 0B 0B 68 73 FD 52 78 56 34 12 FF FF FF FF D2 16',
      '10 7B FD 78 16',
      '10 40 FD 3D 16',
    ]);
    checkAgainstWire(r.stdout, r.stderr, [60, 68]);
    const wild = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--secondary', '1234FFFF2D2C340C', '60']);
    assert.equal(wild.code, 0, wild.stderr);
    const none = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--secondary', '99999999', '60']);
    assert.equal(none.code, 3);
    assert.equal(assertOneErrorLine(none.stderr), 'error: select 99999999: no reply in 343 ms, 3 attempts');
  });

  test('a config file: protocol: mbus, address: 78, registers', T, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'multical-mbus-cfg-'));
    try {
      const cfg = join(dir, 'c.yaml');
      writeFileSync(cfg, `device: ${sim.device}\nprotocol: mbus\naddress: 78\nregisters: [60, 68]\n`);
      const r = await cli(['get', '--config', cfg, '--json', '--debug']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(frameLines(r.stderr, 'tx')[0], '10 40 4E 8E 16');
      checkAgainstWire(r.stdout, r.stderr, [60, 68]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bad M-Bus options: one line, exit 2, nothing opened', () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['--protocol', 'mbus', '--address', '251'],
      /^error: --address 251: must be a primary address 0–250, or 254 \(the only meter on the bus\)$/,
    ],
    [['--protocol', 'mbus', '--address', '300'], /^error: --address "300": must be a primary address 0–250, or 254/],
    [['--protocol', 'mbus', '--address', 'x'], /^error: --address "x": must be a primary address/],
    [
      ['--protocol', 'mbus', '--secondary', '1234'],
      /^error: --secondary "1234": 8 digits \(F = any digit\) or 16 hex characters IIIIIIIIMMMMVVTT$/,
    ],
    [['--protocol', 'mbus', '--secondary', '12345678ZZZZFFFF'], /^error: --secondary "12345678ZZZZFFFF": /],
    [['--protocol', 'mbus', '--address', '5', '--secondary', '12345678'], /^error: --address and --secondary: give one of them, not both$/],
    [['--address', '5'], /^error: --address is for M-Bus meters: add --protocol mbus$/],
    [['--secondary', '12345678'], /^error: --secondary is for M-Bus meters: add --protocol mbus$/],
    [['--protocol', 'modbus'], /^error: --protocol "modbus": must be kmp or mbus$/],
  ];
  for (const [args, message] of cases) {
    test(args.join(' '), T, async () => {
      const r = await cli(['get', '-d', '/nonexistent/ttyUSB9', ...args, '60']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(assertOneErrorLine(r.stderr), message);
      assert.equal(r.stdout, '');
    });
  }
  test('sim words of the other protocol', T, async () => {
    const [a, b] = await Promise.all([
      cli(['get', '-d', 'sim:nonsense=huge', '--protocol', 'mbus', '60']),
      cli(['get', '-d', 'sim:telegrams=2', '60']),
    ]);
    assert.equal(a.code, 2);
    assert.match(assertOneErrorLine(a.stderr), /"nonsense=huge" is for KMP meters only/);
    assert.equal(b.code, 2);
    assert.match(assertOneErrorLine(b.stderr), /"telegrams=2" is for M-Bus meters only/);
  });
});

describe('M-Bus simulator variants over the pty and TCP', () => {
  test('a two-telegram meter over the pty: FCB 1 then 0, every record of both', T, async () => {
    const sim = await ptyMbus(['--telegrams', '2', '--model', '603']);
    try {
      const r = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--json', '--debug']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(frameLines(r.stderr, 'tx'), [NKE_FE, REQ_FE, '10 5B FE 59 16']);
      assert.equal(wireTelegrams(frameLines(r.stderr, 'rx')).length, 2);
      const doc = JSON.parse(r.stdout) as TelegramJson;
      assert.equal(doc.records.length, 29);
      assert.equal(doc.meter.version, 0x35);
    } finally {
      await sim.stop();
    }
  });

  test('faults over the pty: crc-once repeats the REQ_UD2 with the same FCB; echo is dropped; no-answer is exit 3', T, async () => {
    const crc = await ptyMbus(['--fault', 'crc-once', '--echo']);
    try {
      const r = await cli(['get', '-d', crc.device, '--protocol', 'mbus', '--json', '--debug', '60', '68']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(frameLines(r.stderr, 'tx'), [NKE_FE, REQ_FE, REQ_FE]);
      checkAgainstWire(r.stdout, r.stderr, [60, 68]);
    } finally {
      await crc.stop();
    }
    const mute = await ptyMbus(['--fault', 'no-answer']);
    try {
      const r = await cli(['get', '-d', mute.device, '--protocol', 'mbus', '--retries', '1', '60']);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /^error: SND_NKE to 254 \(any meter\): no reply in 343 ms, 2 attempts$/m);
    } finally {
      await mute.stop();
    }
  });

  test('over TCP (an M-Bus gateway): get and info', T, async () => {
    const sim = await tcpMbus(['--model', '603', '--address', '5']);
    try {
      const r = await cli(['get', '-d', sim.device, '--protocol', 'mbus', '--address', '5', '--json', '--debug', '60', '64', '84', '86']);
      assert.equal(r.code, 0, r.stderr);
      checkAgainstWire(r.stdout.replace(/\{"id":(64|84),[^}]*\},?/g, ''), r.stderr, [60, 86]);
      assert.deepEqual(
        rawRegisters(r.stdout).map((x) => x.id),
        [60, 64, 84, 86],
      );
      const info = await cli(['info', '-d', sim.device, '--protocol', 'mbus', '--address', '5']);
      assert.equal(info.code, 0, info.stderr);
      assert.match(info.stdout, /^Model \(from the version\): MULTICAL 603$/m);
      assert.match(info.stdout, /^Primary address:\s+5$/m);
    } finally {
      await sim.stop();
    }
  });

  test('the in-process simulator: -d sim --protocol mbus, sim words for the M-Bus meter', T, async () => {
    const [a, b] = await pool(
      [
        ['get', '-d', 'sim:model=603,telegrams=3,echo', '--protocol', 'mbus', '--json'],
        ['get', '-d', 'sim:collide', '--protocol', 'mbus', '--retries', '1', '60'],
      ],
      2,
      (args) => cli(args),
    );
    assert.equal(a!.code, 0, a!.stderr);
    assert.equal((JSON.parse(a!.stdout) as TelegramJson).records.length, 29);
    assert.equal(b!.code, 3);
    assert.match(b!.stderr, /^error: REQ_UD2 to 254 \(any meter\) \(FCB 1\): garbled reply .*, 2 attempts$/m);
  });
});

describe('multical scan', () => {
  test('primary, over the pty: the meters found, a collision noted; then a secondary scan with --json', T, async () => {
    const sim = await ptyMbus(['--address', '5', '--meter', '12345679@6', '--meter', '22222222@7', '--meter', '31415926@7']);
    try {
      const r = await cli(['scan', '-d', sim.device, '--addresses', '0-8', '--timeout', '0.2']);
      assert.equal(r.code, 0, r.stderr);
      const ls = lines(r.stdout);
      assert.match(ls[0]!, /^Address\s+ID\s+Manufacturer\s+Medium\s+Version$/);
      assert.deepEqual(
        ls.slice(1).map((l) => l.trim().split(/\s{2,}/)),
        [
          ['5', '12345678', 'KAM', 'heat (inlet)', '0x34 (MULTICAL 403)'],
          ['6', '12345679', 'KAM', 'heat (inlet)', '0x34 (MULTICAL 403)'],
        ],
      );
      assert.match(r.stderr, /^note: address 7: E5, then REQ_UD2 to address 7 \(FCB 1\): garbled reply/m);
      const s = await cli(['scan', '-d', sim.device, '--secondary', '--timeout', '0.2', '--json']);
      assert.equal(s.code, 0, s.stderr);
      const doc = JSON.parse(s.stdout) as {
        scan: string;
        meters: Array<{ address: number; id: string }>;
        collisions: unknown[];
        exitCode: number;
      };
      assert.equal(doc.scan, 'secondary');
      assert.deepEqual(doc.meters.map((m) => `${m.id}@${m.address}`).sort(), ['12345678@5', '12345679@6', '22222222@7', '31415926@7']);
      assert.deepEqual(doc.collisions, []);
      assert.equal(doc.exitCode, 0);
    } finally {
      await sim.stop();
    }
  });

  test('stopped by --deadline: what was found so far, then the deadline line, exit 8', T, async () => {
    const r = await cli(['scan', '-d', 'sim:bus=12345678@0', '--deadline', '1', '--json']);
    assert.equal(r.code, 8, r.stderr);
    const doc = JSON.parse(r.stdout) as { meters: Array<{ id: string }>; error: { code: string }; exitCode: number };
    assert.deepEqual(
      doc.meters.map((m) => m.id),
      ['12345678'],
    );
    assert.equal(doc.error.code, 'DEADLINE');
    assert.match(assertOneErrorLine(r.stderr), /^error: the run deadline of 1 s ran out/);
    const table = await cli(['scan', '-d', 'sim:bus=12345678@0', '--deadline', '1']);
    assert.equal(table.code, 8);
    assert.match(table.stdout, /^\s*0\s+12345678\s+KAM/m);
  });

  test('nobody on the bus: one line, exit 3; a bad --addresses: exit 2', T, async () => {
    const r = await cli(['scan', '-d', 'sim:bus=12345678@100', '--addresses', '0-2']);
    assert.equal(r.code, 3);
    assert.equal(assertOneErrorLine(r.stderr), 'error: no meter identified at addresses 0–2');
    const bad = await cli(['scan', '-d', 'sim', '--addresses', '5-300']);
    assert.equal(bad.code, 2);
    assert.match(assertOneErrorLine(bad.stderr), /^error: --addresses "5-300": use FROM-TO within 0–250/);
  });
});
