// `multical history` end to end: the built CLI as a child process reads `multical simulate` (a child
// process too, its clock pinned with the sim word now=…, restarted to move time) over a real socat pty.
// Children get an empty HOME and their own XDG_STATE_HOME. Values are checked against what the
// simulated meter's registers read at each entry's moment (GetRegister in-process, not the logger code),
// names against kmp-registers.tsv, request counts against the frames logged with --debug.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Cid, decodeRegisterRecords, encodeGetRegisterRequest } from '../../src/kmp/app.js';
import { formatRecord } from '../../src/kmp/format.js';
import { decodeFrame, encodeFrame } from '../../src/kmp/frame.js';
import { KmpSimulator } from '../../src/simulator/kmp-meter.js';
import { BIN, cleanEnv, type CliResult } from '../support/cli.js';
import { assertOneErrorLine, cli, frameLines, lines, ptyMeter, tableName, type SimMeter } from './meter-kit.js';

const T = { timeout: 120_000 };
/** The simulated meter's clock; its logs start 2025-10-01T00:00Z: daily log ids 1–97, hourly 1–2309. */
const NOW = '2026-01-05T04:01:40Z';
const DAY = 86_400_000;
const LOG_START = Date.UTC(2025, 9, 1);

const roots: string[] = [];
after(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh, empty state directory for one test's runs. */
function stateHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'multical-history-state-'));
  roots.push(dir);
  return dir;
}

/** `multical simulate` on a pty with these sim words (now=… pins its clock). */
function meter(...words: string[]): Promise<SimMeter> {
  return ptyMeter(words.flatMap((w) => ['--fault', w]));
}

async function withMeter<T>(words: string[], fn: (m: SimMeter) => Promise<T>): Promise<T> {
  const m = await meter(...words);
  try {
    return await fn(m);
  } finally {
    await m.stop();
  }
}

function history(m: SimMeter, args: string[], state?: string): Promise<CliResult> {
  return cli(['history', '-d', m.device, ...args], state ? { env: { XDG_STATE_HOME: state } } : {});
}

/** Register `id` as GetRegister reads it at `ms`: what a log entry stamped `ms` must hold. */
function registerAt(ms: number, id: number): string {
  const s = new KmpSimulator({ now: () => ms });
  const frame = encodeFrame({ direction: 'toMeter', destination: 0x3f, cid: Cid.GetRegister, data: encodeGetRegisterRequest([id]) });
  return formatRecord(decodeRegisterRecords(decodeFrame(s.reply(frame)!).data)[0]!).text;
}

const csv = (stdout: string): string[][] => lines(stdout).map((l) => l.split(','));
const dailyAt = (logId: number): number => LOG_START + (logId - 1) * DAY;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

/** Data rows of a daily CSV of 60 and 68: each entry's id, the meter's time, and the registers' values then. */
function assertDailyRows(rows: string[][], ids: number[]): void {
  assert.deepEqual(
    rows.map((r) => Number(r[0])),
    ids,
    'log ids, in order, each once',
  );
  for (const r of rows) {
    const at = dailyAt(Number(r[0]));
    assert.deepEqual(r, [r[0], iso(at), '', registerAt(at, 60), registerAt(at, 68)], `log id ${r[0]}`);
  }
}

describe('history over a real pty', T, () => {
  test('--csv: a header with names and units, one row per entry, exact values of the moment each was logged, 3 requests', async () => {
    await withMeter([`now=${NOW}`], async (m) => {
      const r = await history(m, ['--logger', 'daily', '--last', '5', '--csv', '--debug', '60', '68']);
      assert.equal(r.code, 0, r.stderr);
      const [header, ...rows] = csv(r.stdout);
      assert.deepEqual(header, ['log_id', 'time', 'dst', `${tableName(60)} [MWh]`, `${tableName(68)} [m³]`]);
      assertDailyRows(rows, [93, 94, 95, 96, 97]);
      assert.deepEqual(rows[0]!.slice(1), ['2026-01-01T00:00:00', '', '55.006', '1234.56'], 'the totals of 1 January, by hand');
      assert.equal(frameLines(r.stderr, 'tx').length, 3, 'GetConfiguration, the range, one page: nothing more');
      assert.ok(
        frameLines(r.stderr, 'tx').every((f) => f.startsWith('80 3F B8 ')),
        'every request a B8 to 0x3F',
      );
    });
  });

  test('--json: one object, entries in log order, numbers written exactly, time with the summer-time offset of 348', async () => {
    await withMeter([`now=2026-03-15T12:00:00Z`], async (m) => {
      const r = await history(m, ['--logger', 'monthly', '--json', '61', '68', '124', '123']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lines(r.stdout).length, 1, 'one line of JSON');
      const doc = JSON.parse(r.stdout) as {
        logger: string;
        registers: Array<{ id: number; name: string; unit: string }>;
        entries: Array<{ logId: number; time: string; dst: number | null; values: Array<{ id: number; value: unknown; unit: string }> }>;
        exitCode: number;
      };
      assert.equal(doc.logger, 'monthly');
      assert.equal(doc.exitCode, 0);
      assert.deepEqual(
        doc.registers.map((x) => [x.id, x.name, x.unit]),
        [
          [61, tableName(61), 'MWh'],
          [68, tableName(68), 'm³'],
          [124, tableName(124), 'l/h'],
          [123, tableName(123), 'yy:mm:dd'],
        ],
      );
      assert.deepEqual(
        doc.entries.map((e) => [e.logId, e.time, e.dst]),
        [1, 2, 3, 4, 5, 6].map((k) => [k, iso(Date.UTC(2025, 8 + k, 1)), 0]),
        'the 1st of each month since October 2025, 00:00, no summer time',
      );
      // Exact: the raw JSON text of each number is the meter's decimal, trailing zeros kept.
      assert.match(r.stdout, /\{"id":61,"value":98\.110,"unit":"MWh"\}/, 'E4 on 1 January 2026, as the register read then');
      for (const e of doc.entries) {
        const at = Date.parse(e.time + 'Z');
        for (const v of e.values) assert.equal(String(v.value), String(v.id === 123 ? registerAt(at, 123) : Number(registerAt(at, v.id))));
      }
    });
  });

  test('the table: the newest 24 hourly entries by default, a legend of names', async () => {
    await withMeter([`now=${NOW}`], async (m) => {
      const r = await history(m, ['--logger', 'hourly']);
      assert.equal(r.code, 0, r.stderr);
      const ls = lines(r.stdout);
      assert.match(ls[0]!, /^Log id {2}Time \(meter\) {9}DST {2}60 \[MWh\] {2}63 \[MWh\] {2}68 \[m³\]/);
      assert.equal(ls.length, 1 + 24 + 1);
      assert.match(ls[1]!, /^ {2}2286 {2}2026-01-04 05:00:00 /);
      assert.match(ls[24]!, /^ {2}2309 {2}2026-01-05 04:00:00 {9}56\.236 /);
      assert.match(ls[25]!, new RegExp(`^60 ${tableName(60)!.replace(/[()]/g, '\\$&')} · 63 `));
    });
  });

  test("--from/--to choose entries by the meter's own clock (pinned far from this machine's)", async () => {
    await withMeter([`now=${NOW}`], async (m) => {
      const r = await history(m, ['--logger', 'hourly', '--from', '2026-01-04T22:00', '--to', '2026-01-05T02:00', '--csv', '1004']);
      assert.equal(r.code, 0, r.stderr);
      const rows = csv(r.stdout).slice(1);
      assert.deepEqual(
        rows.map((x) => x[1]),
        ['2026-01-04T22:00:00', '2026-01-04T23:00:00', '2026-01-05T00:00:00', '2026-01-05T01:00:00', '2026-01-05T02:00:00'],
      );
      const day = await history(m, ['--logger', 'daily', '--from', '2026-01-02', '--to', '2026-01-03', '--csv', '60', '68']);
      assertDailyRows(csv(day.stdout).slice(1), [94, 95]);
    });
  });

  test('faults on the wire (echo, corrupt CRC, a cut reply, noise, silence, a reply to another command): the same CSV as from a clean meter', async () => {
    const args = ['--logger', 'daily', '--last', '20', '--csv', '--timeout', '0.5', '--baud', '38400', '60', '68'];
    const clean = await withMeter([`now=${NOW}`], (m) => history(m, args));
    assert.equal(clean.code, 0, clean.stderr);
    assertDailyRows(
      csv(clean.stdout).slice(1),
      Array.from({ length: 20 }, (_, i) => 78 + i),
    );
    for (const fault of ['echo', 'crc-once', 'truncate-once', 'garbage', 'silent-first', 'wrong-command-once']) {
      const r = await withMeter([`now=${NOW}`, fault, 'log-reply=100'], (m) => history(m, args));
      assert.equal(r.code, 0, `${fault}: ${r.stderr}`);
      assert.equal(r.stdout, clean.stdout, fault);
    }
  });
});

describe('history --new from cron', T, () => {
  test('runs with the clock moved append to one CSV: one header, no duplicates, no gaps, even after a week off', async () => {
    const state = stateHome();
    let file = '';
    const run = async (now: string): Promise<CliResult> => {
      const r = await withMeter([`now=${now}`], (m) => history(m, ['--logger', 'daily', '--new', '--csv', '60', '68'], state));
      assert.equal(r.code, 0, r.stderr);
      file += r.stdout;
      return r;
    };
    const first = await run(NOW);
    assert.equal(csv(first.stdout).length, 1 + 97, 'the first run: the header and everything the meter holds');
    const again = await run('2026-01-05T20:00:00Z');
    assert.equal(again.stdout, '', 'the same day again: nothing');
    assert.match(again.stderr, /^note: nothing new in the daily logger since log id 97$/m);
    assert.equal(csv((await run('2026-01-06T00:30:00Z')).stdout).length, 1, 'the next day: its one row, no header');
    assert.equal(csv((await run('2026-01-13T08:00:00Z')).stdout).length, 7, 'a week off: the seven days missed');
    const [header, ...rows] = csv(file);
    assert.deepEqual(header, ['log_id', 'time', 'dst', `${tableName(60)} [MWh]`, `${tableName(68)} [m³]`]);
    assertDailyRows(
      rows,
      Array.from({ length: 105 }, (_, i) => i + 1),
    );
    const saved = JSON.parse(readFileSync(join(state, 'multical', 'history-19088743-daily.json'), 'utf8')) as { mark: { logId: number } };
    assert.equal(saved.mark.logId, 105);
    assert.deepEqual(readdirSync(join(state, 'multical')), ['history-19088743-daily.json'], 'no temporary files left');
  });

  test('a reset log is reported, nothing printed, the state kept; --restart starts over with a header', async () => {
    const state = stateHome();
    const args = ['--logger', 'daily', '--new', '--csv', '60', '68'];
    await withMeter([`now=${NOW}`], (m) => history(m, args, state));
    const path = join(state, 'multical', 'history-19088743-daily.json');
    const before = readFileSync(path, 'utf8');
    // The same ids now hold other days: the log was started again a day later.
    const shifted = await withMeter([`now=2026-01-07T04:00:00Z`, 'log-start=2025-10-02'], (m) => history(m, args, state));
    assert.equal(shifted.code, 3);
    assert.equal(shifted.stdout, '');
    const line = assertOneErrorLine(shifted.stderr);
    assert.match(line, /daily logger changed since the last run: log id 97 held Heat Energy \(E1\) = 56\.186 MWh, now 56\.482 MWh/);
    assert.match(line, /start over with --new --restart$/);
    // Fewer ids than were read: the log was cleared.
    const cleared = await withMeter([`now=2026-01-07T04:00:00Z`, 'log-start=2026-01-01'], (m) => history(m, args, state));
    assert.equal(cleared.code, 3);
    assert.match(assertOneErrorLine(cleared.stderr), /holds log ids 1–7, but the last run read up to log id 97: the log was reset/);
    assert.equal(readFileSync(path, 'utf8'), before, 'the state is untouched');
    const restart = await withMeter([`now=2026-01-07T04:00:00Z`, 'log-start=2026-01-01'], (m) => history(m, [...args, '--restart'], state));
    assert.equal(restart.code, 0, restart.stderr);
    assert.deepEqual(
      csv(restart.stdout).map((r) => r[0]),
      ['log_id', '1', '2', '3', '4', '5', '6', '7'],
    );
  });

  test('a run stopped by its deadline leaves whole windows printed and remembered; the next run goes on from there', async () => {
    const state = stateHome();
    const args = ['--logger', 'daily', '--new', '--csv', '--deadline', '4'];
    // 0.3 s before every reply, 6 entries of 12 registers a page: the 97 entries need 19 requests, 5.7 s.
    const cut = await withMeter([`now=${NOW}`, 'latency=300'], (m) => history(m, args, state));
    assert.equal(cut.code, 8, cut.stderr);
    assert.match(assertOneErrorLine(cut.stderr), /the run deadline of 4 s ran out/);
    const rest = await withMeter([`now=${NOW}`], (m) => history(m, ['--logger', 'daily', '--new', '--csv'], state));
    assert.equal(rest.code, 0, rest.stderr);
    const ids = csv(cut.stdout + rest.stdout)
      .slice(1)
      .map((r) => Number(r[0]));
    assert.deepEqual(
      ids,
      Array.from({ length: 97 }, (_, i) => i + 1),
      'together: every entry once, in order',
    );
    assert.ok(csv(cut.stdout).length - 1 < 97, 'the first run was cut short');
  });

  test('output first: when the output is closed, the state is not saved', async () => {
    const state = stateHome();
    await withMeter([`now=${NOW}`], async (m) => {
      const child = spawn(process.execPath, [BIN, 'history', '-d', m.device, '--logger', 'daily', '--new', '--csv'], {
        env: cleanEnv({ XDG_STATE_HOME: state }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      assert.equal(code, 141);
    });
    assert.equal(existsSync(join(state, 'multical', 'history-19088743-daily.json')), false);
  });
});

describe('which meters answer which commands', T, () => {
  test('a 601 logger module (GetLog at 0x7F): --logger interval reads it; --logger daily says so', async () => {
    await withMeter([`now=${NOW}`, 'logger=module'], async (m) => {
      const r = await history(m, ['--logger', 'interval', '--last', '3', '--csv', '60']);
      assert.equal(r.code, 0, r.stderr);
      const rows = csv(r.stdout).slice(1);
      assert.deepEqual(
        rows.map((x) => [x[0], x[1]]),
        [
          ['2307', '2026-01-05T02:00:00'],
          ['2308', '2026-01-05T03:00:00'],
          ['2309', '2026-01-05T04:00:00'],
        ],
      );
      assert.equal(rows[2]![3], registerAt(Date.UTC(2026, 0, 5, 4), 60));
      const daily = await history(m, ['--logger', 'daily', '--timeout', '0.3', '--retries', '0', '--baud', '38400']);
      assert.equal(daily.code, 3);
      assert.match(
        assertOneErrorLine(daily.stderr),
        /does not answer B8, but a logger at 0x7F answers GetLog: read it with --logger interval/,
      );
    });
  });

  test('a meter that answers neither: one line, exit 3; --json says it with a code of its own', async () => {
    await withMeter([`now=${NOW}`, 'logger=none'], async (m) => {
      const r = await history(m, ['--logger', 'hourly', '--json', '--timeout', '0.3', '--retries', '0', '--baud', '38400']);
      assert.equal(r.code, 3);
      const doc = JSON.parse(r.stdout) as { error: { code: string; message: string }; exitCode: number };
      assert.equal(doc.error.code, 'NO_LOGGER');
      assert.match(doc.error.message, /answers neither logger command: not B8 at 0x3F .* nor GetLog at 0x7F or 0xBF/);
      assert.equal(doc.exitCode, 3);
    });
  });

  test('an empty log: a note, the CSV header only; --new remembers it, so the header is not written twice', async () => {
    const state = stateHome();
    const early = ['now=2025-09-01T00:00:00Z'];
    const a = await withMeter(early, (m) => history(m, ['--logger', 'daily', '--new', '--csv', '60'], state));
    assert.equal(a.code, 0, a.stderr);
    assert.deepEqual(lines(a.stdout), [`log_id,time,dst,${tableName(60)}`]);
    assert.match(a.stderr, /^note: the daily logger is empty$/m);
    const b = await withMeter(['now=2025-10-03T12:00:00Z'], (m) => history(m, ['--logger', 'daily', '--new', '--csv', '60'], state));
    assert.deepEqual(
      csv(b.stdout).map((r) => r[0]),
      ['1', '2', '3'],
    );
  });
});

describe('history usage errors: exit 2, nothing contacted', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /history needs --logger hourly, daily, monthly or yearly/],
    [['--logger', 'weekly'], /--logger "weekly": must be hourly, daily, monthly, yearly or interval/],
    [['--logger', 'daily', '--csv', '--json'], /--csv and --json: choose one output/],
    [['--logger', 'daily', '--new', '--json'], /--new works with the table or --csv/],
    [['--logger', 'daily', '--restart'], /--restart goes with --new/],
    [['--logger', 'daily', '--last', '3', '--from', '2026-01-01'], /--last and --from\/--to choose entries in two ways/],
    [['--logger', 'daily', '--from', '2026-02-30'], /--from "2026-02-30": is not a date/],
    [['--logger', 'daily', '--from', '2026-01-05', '--to', '2026-01-04'], /--from 2026-01-05 is after --to 2026-01-04/],
    [['--logger', 'daily', '--no-header'], /--no-header goes with --csv/],
    [['--logger', 'daily', 'sixty'], /bad register "sixty"/],
  ];
  for (const [args, message] of cases) {
    test(args.join(' ') || '(no options)', async () => {
      const r = await cli(['history', '-d', '/nonexistent/ttyUSB9', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(assertOneErrorLine(r.stderr), message);
      if (args.includes('--json')) {
        const doc = JSON.parse(r.stdout) as { error: { code: string }; exitCode: number };
        assert.deepEqual([doc.error.code, doc.exitCode], ['USAGE', 2], 'with --json, the one object says it too');
      } else assert.equal(r.stdout, '');
    });
  }

  test('--help says which meters answer which commands and how times are written', async () => {
    const r = await cli(['history', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /CID B8 at 0x3F: the MULTICAL 303\/403\/603\/803 generation/);
    assert.match(r.stdout, /GetLog A2 by record id at 0x7F, else 0xBF/);
    assert.match(r.stdout, /--no-header/);
    assert.match(r.stdout, /ISO 8601 without a zone/);
  });
});
