// The meter-reading CLI end to end: the built `bin/multical.js` as a child process reads `multical
// simulate` (also a child process) over a real socat pty (the real serialport bindings) and over TCP,
// and the in-process `-d sim`. Values are checked against the bytes on the wire (decoded here, not by
// the CLI), names and units against ../shared/data, request counts against the tx lines of --debug.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, type CliResult } from '../support/cli.js';
import { crc16, frame } from '../support/oracle.js';
import { closedPort } from '../support/ports.js';
import { ptyPair } from '../support/pty.js';
import {
  ANY_FRAME_LINE,
  CLASSIC_31,
  EIGHT,
  EIGHT_REQUEST,
  GET_SERIAL_REQUEST,
  GET_TYPE_REQUEST,
  REQUEST_1002,
  SIM_UNIT,
  assertOneErrorLine,
  checkGetJson,
  cli,
  frameLines,
  getRegisterRequest,
  hexOf,
  lines,
  pool,
  ptyMeter,
  requestIds,
  sleep,
  tableName,
  tableUnit,
  tcpMeter,
  wireRegisters,
  type SimMeter,
} from './meter-kit.js';

const T = { timeout: 60_000 };
/** `info --json` of the simulated meter: its GetSerialNo and GetType answers, no info code bit set. */
const SIM_INFO = {
  serialNo: 19088743,
  meterType: 4,
  meterTypeHex: '0x0004',
  revision: 'F1',
  infoCode: { value: 0, flags: [] },
  exitCode: 0,
};

/** The data rows of a register table (`ID  Register  Value  Unit`), as cells. */
function tableRows(stdout: string, idHeader: string): string[][] {
  const ls = lines(stdout);
  assert.match(ls[0]!, new RegExp(`^\\s*${idHeader}\\s{2,}Register\\s{2,}Value\\s{2,}Unit$`), 'header');
  return ls.slice(1).map((l) => l.trim().split(/\s{2,}/));
}

describe('meter CLI end to end', { concurrency: 3 }, () => {
  test("the tests' own KMP reader agrees with the protocol description's vectors", () => {
    assert.equal(crc16([...Buffer.from('123456789')]), 0x31c3);
    assert.equal(getRegisterRequest(EIGHT), EIGHT_REQUEST);
    assert.equal(getRegisterRequest([1002]), REQUEST_1002);
    assert.equal(getRegisterRequest([60]), '80 3F 10 01 00 3C B2 5F 0D');
    assert.equal(getRegisterRequest([0x80]), '80 3F 10 01 00 1B 7F D4 08 0D');
    assert.deepEqual(requestIds(EIGHT_REQUEST), EIGHT);
    assert.deepEqual(requestIds('80 3F 10 01 00 1B 7F D4 08 0D'), [0x80]);
    // An echo and noise before the reply are skipped; a corrupt copy (last CRC bit flipped) is not read.
    const reply = '40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D';
    const wire = wireRegisters(['80 3F 10 01 00 1B 7F D4 08 0D 0D 17 22', '40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 02 0D', reply]);
    assert.deepEqual([...wire], [[128, { unitCode: 0x16, text: '1959120400000000000000000', numeric: true }]]);
    assert.equal(wireRegisters(['40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 02 0D']).size, 0);
    // The float vectors, and the date and time units, each in a reply built here.
    const replyWith = (records: number[]): string => hexOf(frame(0x40, [0x3f, 0x10, ...records]));
    const vectors: Array<[number[], string]> = [
      [[0x04, 0xc2, 0x00, 0x00, 0x30, 0x39], '-123.45'],
      [[0x04, 0x03, 0x05, 0x39, 0x7f, 0xb1], '87654321000'],
      [[0x01, 0x03, 0xff], '255000'],
      [[0x04, 0x43, 0x00, 0x00, 0x00, 0xfb], '0.251'],
      [[0x02, 0x42, 0x18, 0xc8], '63.44'],
    ];
    for (const [float, text] of vectors) {
      assert.deepEqual(wireRegisters([replyWith([0x00, 0x50, 0x16, ...float])]).get(80), { unitCode: 0x16, text, numeric: true });
    }
    const dated = wireRegisters([
      replyWith([0x03, 0xea, 0x2f, 0x04, 0x00, 0x00, 0x03, 0x0e, 0x33, 0x03, 0xeb, 0x30, 0x04, 0x00, 0x00, 0x03, 0x5e, 0xe5]),
    ]);
    assert.deepEqual(dated.get(1002), { unitCode: 0x2f, text: '20:02:43', numeric: false });
    assert.deepEqual(dated.get(1003), { unitCode: 0x30, text: '2022-09-01', numeric: false });
    assert.equal(tableUnit(0x16), 'kW');
    assert.equal(tableName(60), 'Heat Energy (E1)');
  });

  describe('over a real pty against `multical simulate` (serialport bindings)', { concurrency: 1 }, () => {
    let meter: SimMeter;
    let dir: string;
    before(async () => {
      meter = await ptyMeter();
      dir = mkdtempSync(join(tmpdir(), 'multical-e2e-'));
    });
    after(async () => {
      await meter?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('get: a table with names, exact values and units; a register the meter does not know is marked; exit 0', T, async () => {
      const r = await cli(['get', '-d', meter.device, '--debug', '60', '68', '86', '1003', '9999']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes('\x1b['), 'no colours when stdout is not a terminal');
      const wire = wireRegisters(frameLines(r.stderr, 'rx'));
      const rows = tableRows(r.stdout, 'ID');
      assert.deepEqual(
        rows.map((c) => c[0]),
        ['60', '68', '86', '1003', '9999'],
      );
      for (const cells of rows.slice(0, 4)) {
        const id = Number(cells[0]);
        const w = wire.get(id)!;
        assert.ok(w, `register ${id} on the wire`);
        assert.deepEqual(cells, [String(id), tableName(id), w.text, SIM_UNIT[id]]);
      }
      assert.equal(rows[4]![0], '9999');
      assert.match(rows[4]!.join('  '), /not reported by the meter/);
      assert.equal(frameLines(r.stderr, 'tx').length, 1, 'one request for 5 registers');
    });

    test('get --json: one JSON object, exact values, names and units from the tables, dates as strings, 9999 missing', T, async () => {
      const asked = [60, 68, 74, 80, 86, 87, 89, 266, 1002, 1003, 9999];
      const started = Date.now();
      const r = await cli(['get', '-d', meter.device, '--json', '--debug', ...asked.map(String)]);
      checkGetJson(r, asked, { missing: [9999], startedMs: started });
      assert.equal(frameLines(r.stdout, 'tx').length, 0, 'frames go to stderr, never into the JSON');
    });

    test("get of the 8 common registers is ONE request with the protocol description's bytes", T, async () => {
      const seen = meter.simRxHex().length;
      const r = await cli(['get', '-d', meter.device, '--json', '--debug', ...EIGHT.map(String)]);
      checkGetJson(r, EIGHT);
      assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST]);
      await sleep(100);
      assert.equal(meter.simRxHex().slice(seen).trim(), EIGHT_REQUEST, 'exactly these bytes reached the meter');
    });

    test(
      'info: serial 19088743, type 0x0004, revision F1, info code 0 (text and --json): GetSerialNo, GetType, GetRegister 99',
      T,
      async () => {
        const text = await cli(['info', '-d', meter.device, '--debug']);
        assert.equal(text.code, 0, text.stderr);
        assert.match(text.stdout, /^Serial number:\s+19088743$/m);
        assert.match(text.stdout, /^Meter type:\s+0x0004$/m);
        assert.match(text.stdout, /^Software revision:\s+F1$/m);
        assert.match(text.stdout, /^Info code:\s+0$/m);
        assert.deepEqual(frameLines(text.stderr, 'tx').sort(), [GET_SERIAL_REQUEST, GET_TYPE_REQUEST, getRegisterRequest([99])].sort());

        const json = await cli(['info', '-d', meter.device, '--json']);
        assert.equal(json.code, 0, json.stderr);
        assert.equal(lines(json.stdout).length, 1);
        const doc = JSON.parse(json.stdout) as Record<string, unknown>;
        assert.equal(doc.serialNo, 19088743);
        assert.equal(doc.meterType, 4);
        assert.equal(doc.revision, 'F1');
        assert.equal(json.stderr, '');
      },
    );

    test('read --test_kamstrup: the 31 classic registers in 4 requests, every CommandNr printed with its value', T, async () => {
      const r = await cli(['read', '-d', meter.device, '--test_kamstrup', '--debug']);
      assert.equal(r.code, 0, r.stderr);
      const tx = frameLines(r.stderr, 'tx');
      assert.equal(tx.length, 4, `4 requests, got ${tx.length}`);
      const batches = tx.map(requestIds);
      assert.deepEqual(
        batches.map((b) => b.length),
        [8, 8, 8, 7],
      );
      assert.deepEqual(batches.flat(), CLASSIC_31, 'each of the 31 asked once, in the classic order');
      const rows = tableRows(r.stdout, 'CommandNr');
      assert.deepEqual(
        rows.map((c) => Number(c[0])),
        CLASSIC_31,
      );
      const wire = wireRegisters(frameLines(r.stderr, 'rx'));
      for (const cells of rows) {
        const id = Number(cells[0]);
        const w = wire.get(id);
        assert.ok(w, `register ${id} on the wire`);
        assert.equal(cells[1], tableName(id));
        assert.equal(cells[2], w.text, `value of ${id}`);
        assert.equal(cells[3] ?? '', tableUnit(w.unitCode), `unit of ${id}`);
      }
    });

    test('--debug-file writes the tx/rx lines to the file (appending), and without --debug none reach stderr', T, async () => {
      const file = join(dir, 'debug.log');
      const r = await cli(['get', '-d', meter.device, '--debug-file', file, '60', '68']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', 'nothing on stderr without --debug');
      const log = readFileSync(file, 'utf8');
      assert.deepEqual(frameLines(log, 'tx', true), [getRegisterRequest([60, 68])]);
      const wire = wireRegisters(frameLines(log, 'rx', true));
      assert.deepEqual([...wire.keys()].sort(), [60, 68]);
      assert.match(
        r.stdout,
        new RegExp(`^60\\s+${tableName(60)!.replace(/[()]/g, '\\$&')}\\s+${wire.get(60)!.text.replace('.', '\\.')}\\s+MWh$`, 'm'),
      );

      const again = await cli(['info', '-d', meter.device, '--debug-file', file]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stderr, '');
      assert.deepEqual(
        frameLines(readFileSync(file, 'utf8'), 'tx', true).slice(0, 1),
        [getRegisterRequest([60, 68])],
        'the first run is kept: appended',
      );
      assert.equal(frameLines(readFileSync(file, 'utf8'), 'tx', true).length, 4, '1 request by get, 3 by info');
    });

    test('without --debug raw frames never appear on stderr (plain, --verbose, --json)', T, async () => {
      const plain = await cli(['get', '-d', meter.device, '60']);
      assert.equal(plain.code, 0, plain.stderr);
      assert.equal(plain.stderr, '');
      const verbose = await cli(['get', '-d', meter.device, '--verbose', '60', '68']);
      assert.equal(verbose.code, 0, verbose.stderr);
      assert.match(verbose.stderr, /meter: /, '--verbose says something');
      assert.doesNotMatch(verbose.stderr, ANY_FRAME_LINE);
      const json = await cli(['get', '-d', meter.device, '--json', '60']);
      assert.equal(json.code, 0, json.stderr);
      assert.doesNotMatch(json.stderr + json.stdout, ANY_FRAME_LINE);
      const debug = await cli(['get', '-d', meter.device, '--debug', '60']);
      assert.match(debug.stderr, ANY_FRAME_LINE, 'control: --debug does show them');
    });
  });

  describe('over TCP (as through ser2net)', { concurrency: 1 }, () => {
    let meter: SimMeter;
    before(async () => {
      meter = await tcpMeter();
    });
    after(async () => {
      await meter?.stop();
    });

    test('get --json: exact values, tables, dates as strings, 9999 missing, exit 0', T, async () => {
      const asked = [60, 68, 74, 80, 86, 87, 89, 266, 1002, 1003, 9999];
      const started = Date.now();
      const r = await cli(['get', '-d', meter.device, '--json', '--debug', ...asked.map(String)]);
      checkGetJson(r, asked, { missing: [9999], startedMs: started });
      assert.equal(frameLines(r.stderr, 'tx').length, 2, '11 registers: 2 requests');
    });

    test("8 registers: exactly ONE request, byte for byte the protocol description's", T, async () => {
      const r = await cli(['get', '-d', meter.device, '--json', '--debug', ...EIGHT.map(String)]);
      checkGetJson(r, EIGHT);
      const tx = frameLines(r.stderr, 'tx');
      assert.equal(tx.length, 1, `one tx line, got:\n${r.stderr}`);
      assert.equal(tx[0], EIGHT_REQUEST);
    });

    test('9 registers: 2 requests (8 + 1)', T, async () => {
      const r = await cli(['get', '-d', meter.device, '--json', '--debug', ...EIGHT.map(String), '1002']);
      checkGetJson(r, [...EIGHT, 1002]);
      assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST, REQUEST_1002]);
    });

    test('a register asked for twice (60, 0x3C) is requested and printed once', T, async () => {
      const r = await cli(['get', '-d', meter.device, '--json', '--debug', '60', '0x3C', '68', '60', '0x44']);
      checkGetJson(r, [60, 68]);
      assert.deepEqual(frameLines(r.stderr, 'tx'), [getRegisterRequest([60, 68])]);
    });

    test('read --test_kamstrup: 4 requests, 31 CommandNr', T, async () => {
      const r = await cli(['read', '-d', meter.device, '--test_kamstrup', '--debug']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(frameLines(r.stderr, 'tx').map(requestIds).flat(), CLASSIC_31);
      assert.equal(frameLines(r.stderr, 'tx').length, 4);
      assert.deepEqual(
        tableRows(r.stdout, 'CommandNr').map((c) => Number(c[0])),
        CLASSIC_31,
      );
    });

    test('info --json', T, async () => {
      const r = await cli(['info', '-d', meter.device, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), SIM_INFO);
    });
  });

  describe('the in-process simulator (-d sim)', { concurrency: 1 }, () => {
    test('get --json: one request for 8 registers, exact values', T, async () => {
      const r = await cli(['get', '-d', 'sim', '--json', '--debug', ...EIGHT.map(String), '1003']);
      checkGetJson(r, [...EIGHT, 1003]);
      assert.deepEqual(frameLines(r.stderr, 'tx').slice(0, 1), [EIGHT_REQUEST]);
    });

    test('sim:echo,crc-once: the echo is skipped, the corrupt reply retried once', T, async () => {
      const r = await cli(['get', '-d', 'sim:echo,crc-once', '--json', '--debug', '60', '68']);
      checkGetJson(r, [60, 68]);
      assert.equal(frameLines(r.stderr, 'tx').length, 2);
    });

    test('info text', T, async () => {
      const r = await cli(['info', '-d', 'sim']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Serial number:\s+19088743\nMeter type:\s+0x0004\nSoftware revision:\s+F1\nInfo code:\s+0\n$/);
    });
  });

  describe('an IR head that echoes every request (simulate --echo) over the pty', { concurrency: 1 }, () => {
    let meter: SimMeter;
    before(async () => {
      meter = await ptyMeter(['--echo']);
    });
    after(async () => {
      await meter?.stop();
    });

    test('the echo is not taken for the reply: one request, correct values', T, async () => {
      const r = await cli(['get', '-d', meter.device, '--json', '--debug', ...EIGHT.map(String)]);
      checkGetJson(r, EIGHT);
      assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST]);
      assert.ok(frameLines(r.stderr, 'rx').join(' ').startsWith(EIGHT_REQUEST), 'the echo did arrive first');
    });

    test('info through the echo', T, async () => {
      const r = await cli(['info', '-d', meter.device, '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), SIM_INFO);
    });
  });

  describe('bad input: exit 2, one line naming the bad thing, nothing sent to the meter', { concurrency: 1 }, () => {
    let meter: SimMeter;
    before(async () => {
      meter = await ptyMeter();
    });
    after(async () => {
      await meter?.stop();
    });

    // Every bad option value, register and push argument is in test/cli/usage.test.ts, in-process; here the
    // process's exit status, and not one byte on the real serial line.
    test('a bad register and a bad push argument: the process exits 2, nothing reaches the meter', T, async () => {
      const d = meter.device;
      const cases: Array<{ args: string[]; names: RegExp[] }> = [
        { args: ['get', '-d', d, '60', 'abc'], names: [/"abc"/] },
        { args: ['read', '-d', d, '88:60:3'], names: [/"88:60:3"/, /mode/] },
      ];
      const results = await pool(cases, 4, (c) => cli(c.args));
      for (const [i, r] of results.entries()) {
        const c = cases[i]!;
        const what = `multical ${c.args.join(' ')}`;
        assert.equal(r.code, 2, `${what}: exit 2, got ${r.code}: ${r.stderr}`);
        const line = assertOneErrorLine(r.stderr);
        for (const re of c.names) assert.match(line, re, `${what}: the message names the bad thing`);
        assert.equal(r.stdout, '', `${what}: nothing on stdout`);
        assert.ok(r.ms < 10_000, `${what}: fast (${r.ms} ms)`);
      }
      await sleep(300); // anything written would have reached the simulator by now
      assert.equal(meter.simRx(), 0, `no bytes reached the meter:\n${meter.simStderr()}`);

      // Control: the same meter does log what it receives.
      const good = await cli(['get', '-d', meter.device, '60']);
      assert.equal(good.code, 0, good.stderr);
      await sleep(100);
      assert.ok(meter.simRx() >= 1, 'a good run is seen by the simulator');
    });
  });

  describe('a device that is missing, silent, refused or not permitted: exit 3 and a message that says so', { concurrency: 1 }, () => {
    test('a path that does not exist: exit 3, the message names it', T, async () => {
      const path = join(tmpdir(), `multical-no-such-tty-${process.pid}`);
      const r = await cli(['get', '-d', path, '60']);
      assert.equal(r.code, 3, r.stderr);
      const line = assertOneErrorLine(r.stderr);
      assert.ok(line.includes(path), `names ${path}: ${line}`);
      assert.match(line, /does not exist|no such/i);
    });

    test('a pty nobody answers on (--timeout 0.3 --retries 1): exit 3 after about 2 × 0.3 s, saying what was awaited', T, async (t) => {
      const pair = await ptyPair();
      t.after(() => pair.close());
      const r = await cli(['get', '-d', pair.b, '--timeout', '0.3', '--retries', '1', '--debug', '60']);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /^error: GetRegister 60 to 0x3F: no reply in 300 ms, 2 attempts$/m);
      assert.equal(frameLines(r.stderr, 'tx').length, 2, 'the request and one retry');
      assert.ok(r.ms >= 600, `waited (retries + 1) × timeout: ${r.ms} ms`);
      assert.ok(r.ms < 10_000, `and then gave up: ${r.ms} ms`);
      assert.match(r.stdout, /^60\s+Heat Energy \(E1\)\s+\(not read\)$/m);

      const json = await cli(['get', '-d', pair.b, '--timeout', '0.3', '--retries', '0', '--json', '60', '68']);
      assert.equal(json.code, 3, json.stderr);
      assertOneErrorLine(json.stderr);
      const doc = JSON.parse(json.stdout) as {
        registers: unknown[];
        missing: number[];
        errors: Array<{ registers: number[]; code: string; message: string }>;
      };
      assert.deepEqual(doc.registers, []);
      assert.deepEqual(doc.missing, [], 'not read is not "the meter does not know it"');
      assert.deepEqual(
        doc.errors.map((e) => [e.registers, e.code]),
        [[[60, 68], 'METER_TIMEOUT']],
      );
      assert.ok(json.ms >= 300);

      const info = await cli(['info', '-d', pair.b, '--timeout', '0.3', '--retries', '0']);
      assert.equal(info.code, 3, info.stderr);
      assert.match(assertOneErrorLine(info.stderr), /GetSerialNo to 0x3F: no reply in 300 ms, 1 attempt$/);
    });

    test('tcp:// with nobody listening: exit 3, connection refused, the address named', T, async () => {
      const port = await closedPort();
      const r = await cli(['get', '-d', `tcp://127.0.0.1:${port}`, '60']);
      assert.equal(r.code, 3, r.stderr);
      const line = assertOneErrorLine(r.stderr);
      assert.ok(line.includes(`tcp://127.0.0.1:${port}`), line);
      assert.match(line, /refused/);
    });

    test('permission denied on the device: exit 3 and the message says to join the dialout group', T, async (t) => {
      const pair = await ptyPair();
      t.after(() => pair.close());
      const tty = realpathSync(pair.b); // /dev/pts/N: its mode, not the temp dir's, is what is tested
      chmodSync(tty, 0o000);
      const r = process.getuid?.() === 0 ? await withoutPrivileges(['get', '-d', tty, '60']) : await cli(['get', '-d', tty, '60']);
      assert.equal(r.code, 3, `exit 3, got ${r.code}: ${r.stderr}`);
      const line = assertOneErrorLine(r.stderr);
      assert.match(line, /permission denied/i);
      assert.ok(line.includes(tty), `names ${tty}: ${line}`);
      assert.match(line, /dialout/);
    });
  });

  describe('ports', { concurrency: 1 }, () => {
    test('ports: exit 0 without udevadm; text and --json agree; no ptys listed', T, async () => {
      // PATH with nothing on it: no udevadm, whatever this machine has.
      const env = { PATH: '/nonexistent' };
      const json = await cli(['ports', '--json'], { env });
      assert.equal(json.code, 0, json.stderr);
      assert.equal(json.stderr, '');
      const doc = JSON.parse(json.stdout) as { ports: Array<{ path: unknown; byId?: unknown }> };
      assert.deepEqual(Object.keys(doc), ['ports', 'exitCode']);
      assert.ok(Array.isArray(doc.ports));
      for (const p of doc.ports) {
        assert.equal(typeof p.path, 'string');
        assert.match(String(p.path), /^\/dev\/tty/, 'a serial device node');
        assert.ok(existsSync(String(p.path)), `${String(p.path)} exists`);
      }
      const text = await cli(['ports'], { env });
      assert.equal(text.code, 0, text.stderr);
      assert.equal(text.stderr, '');
      const ls = lines(text.stdout);
      if (doc.ports.length === 0) {
        assert.equal(ls.length, 1);
        assert.match(ls[0]!, /No serial ports found/);
      } else {
        assert.equal(ls.length, doc.ports.length, 'one line per port');
        doc.ports.forEach((p, i) => assert.ok(ls[i]!.startsWith(String(p.byId ?? p.path)), ls[i]));
      }
    });
  });
});

/**
 * The CLI run as a user who may not open the device. Root opens anything, so under root it runs as the
 * owner of the build — who can read the build wherever it is checked out, a 0700 folder included — with
 * every capability dropped (setpriv): the kernel then refuses its open() of the mode-0000 tty with EACCES,
 * as it refuses a user outside dialout.
 */
function withoutPrivileges(args: string[]): Promise<CliResult> {
  const { uid, gid } = statSync(BIN);
  return cli(args, { wrap: ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'] });
}
