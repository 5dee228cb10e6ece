// fleet.ts with meters whose work the test scripts (no device: each meter is `sim`, run in-process): each
// meter's output printed as one block in config order whatever order they finish in, error lines named,
// the JSON object with one entry per meter, a meter's own deadline stopping that meter only, a stop of the
// run stopping all, and the grouping of meters by device with its checks.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Chalk } from 'chalk';
import { MeterError } from '../../src/meter/errors.js';
import { StopError } from '../../src/core/errors.js';
import { SILENT_LOG, type Io } from '../../src/core/io.js';
import type { Context } from '../../src/cli/context.js';
import { ExitCode, type ExitCodeValue } from '../../src/cli/exit-codes.js';
import { deviceGroups, runFleet, type FleetMeter } from '../../src/cli/fleet.js';
import { prefixLines } from '../../src/cli/fleet-output.js';
import { DEFAULT_TARGET, primaryTarget } from '../../src/meter/mbus-target.js';
import type { MeterSetup } from '../../src/settings/device.js';

interface Printed {
  stdout: string;
  stderr: string;
  doc: Record<string, unknown> | undefined;
}

function context(o: { signal?: AbortSignal; meterDeadlineMs?: number } = {}): { ctx: Context; printed: Printed } {
  const printed: Printed = { stdout: '', stderr: '', doc: undefined };
  const io: Io = {
    stdout: (t) => void (printed.stdout += t),
    stderr: (t) => void (printed.stderr += t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    cwd: '/',
  };
  const plain = new Chalk({ level: 0 });
  const ctx: Context = {
    io,
    out: plain,
    err: plain,
    log: SILENT_LOG,
    signal: o.signal ?? new AbortController().signal,
    sources: { cli: () => undefined, env: {}, config: undefined, warn: () => {} },
    error: (t) => io.stderr(`error: ${t}\n`),
    report: (doc) => (printed.doc = doc),
    run: { io },
    ...(o.meterDeadlineMs !== undefined ? { meterDeadlineMs: o.meterDeadlineMs } : {}),
  };
  return { ctx, printed };
}

const SIM: MeterSetup = {
  device: { kind: 'sim', options: {} },
  model: undefined,
  protocol: 'kmp',
  target: DEFAULT_TARGET,
  baud: 1200,
  timeoutMs: 2000,
  timeoutGiven: false,
  retries: 2,
  lockWaitMs: 30_000,
};

function meter(name: string, run: (ctx: Context) => Promise<ExitCodeValue>, setup: MeterSetup = SIM): FleetMeter {
  return { plan: { name, src: context().ctx.sources, listed: true }, setup, run };
}

const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `signal` aborts, rejecting with its reason (as a meter wait does). */
const untilStopped = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));

describe('fleet: each meter on its own', () => {
  test('blocks in config order although the second meter finishes first; error lines carry the name; the first code in order wins', async () => {
    const { ctx, printed } = context();
    const code = await runFleet(
      [
        meter('slow', async (c) => {
          await later(60);
          c.io.stdout('a table\nof two lines\n');
          c.report({ registers: [1] });
          return ExitCode.ok;
        }),
        meter('fast', (c) => {
          c.io.stdout('partial ');
          c.io.stdout('line\n');
          c.error('the broker said no');
          c.report({ published: false });
          return Promise.resolve(ExitCode.mqtt);
        }),
        meter('broken', () => Promise.reject(new MeterError('METER_TIMEOUT', 'no reply in 2000 ms'))),
      ],
      ctx,
    );
    assert.equal(code, ExitCode.meter, 'meter (3) comes before MQTT (6)');
    assert.equal(printed.stdout, 'slow  sim, KMP\n  a table\n  of two lines\n\nfast  sim, KMP\n  partial line\n');
    assert.equal(printed.stderr, 'fast: error: the broker said no\nbroken: error: no reply in 2000 ms\n');
    const meters = (printed.doc as { meters: Array<Record<string, unknown>> }).meters;
    assert.deepEqual(
      meters.map((m) => [m.name, m.exitCode]),
      [
        ['slow', 0],
        ['fast', 6],
        ['broken', 3],
      ],
    );
    assert.deepEqual(meters[0]!.registers, [1]);
    assert.deepEqual(meters[2]!.error, { code: 'METER_TIMEOUT', message: 'no reply in 2000 ms' });
  });

  test('a meter past its own deadline is stopped (exit 8 for it); the others are read', async () => {
    const { ctx, printed } = context({ meterDeadlineMs: 50 });
    const code = await runFleet(
      [
        meter('hung', (c) => untilStopped(c.signal)),
        meter('fine', async () => {
          await later(120); // longer than the deadline: it is each meter's, not the run's
          return ExitCode.ok;
        }),
      ],
      ctx,
    );
    assert.equal(code, ExitCode.deadline);
    assert.match(printed.stderr, /^hung: error: the meter's deadline of 0.05 s ran out/m);
    const meters = (printed.doc as { meters: Array<{ name: string; exitCode: number }> }).meters;
    assert.deepEqual(
      meters.map((m) => [m.name, m.exitCode]),
      [
        ['hung', 8],
        ['fine', 0],
      ],
    );
  });

  test('a stop of the run (SIGTERM) stops every meter: what finished is printed, the stop is thrown', async () => {
    const stop = new AbortController();
    const { ctx, printed } = context({ signal: stop.signal });
    const run = runFleet(
      [
        meter('waiting', (c) => untilStopped(c.signal)),
        meter('done', (c) => {
          c.io.stdout('read\n');
          return Promise.resolve(ExitCode.ok);
        }),
      ],
      ctx,
    );
    setTimeout(() => stop.abort(new StopError('TERMINATED', 'terminated (SIGTERM)')), 20);
    await assert.rejects(run, (e: unknown) => e instanceof StopError && e.code === 'TERMINATED');
    assert.equal(printed.stdout, 'done  sim, KMP\n  read\n');
    assert.deepEqual(
      (printed.doc as { meters: Array<{ name: string }> }).meters.map((m) => m.name),
      ['waiting', 'done'],
    );
  });
});

describe('fleet: meters by device', () => {
  const serial = (path: string, protocol: 'kmp' | 'mbus', address?: number): MeterSetup => ({
    ...SIM,
    protocol,
    device: {
      kind: 'serial',
      path,
      settings:
        protocol === 'mbus'
          ? { baudRate: 2400, dataBits: 8, stopBits: 1, parity: 'even' }
          : { baudRate: 1200, dataBits: 8, stopBits: 2, parity: 'none' },
    },
    ...(address !== undefined ? { target: primaryTarget(address) } : {}),
  });
  const ok = (): Promise<ExitCodeValue> => Promise.resolve(ExitCode.ok);

  test('one group per device in config order; every sim meter a device of its own', () => {
    const groups = deviceGroups([
      meter('a', ok, serial('/dev/ttyA', 'mbus', 1)),
      meter('s1', ok),
      meter('b', ok, serial('/dev/ttyB', 'kmp')),
      meter('c', ok, serial('/dev/ttyA', 'mbus', 2)),
      meter('s2', ok),
    ]);
    assert.deepEqual(
      groups.map((g) => g.map((m) => m.meter.plan.name)),
      [['a', 'c'], ['s1'], ['b'], ['s2']],
    );
  });

  test('one device, two serial lines or one address twice: refused', () => {
    assert.throws(
      () => deviceGroups([meter('a', ok, serial('/dev/ttyA', 'mbus', 1)), meter('b', ok, serial('/dev/ttyA', 'kmp'))]),
      /meters a and b share \/dev\/ttyA but not its line \(mbus 2400 8E1 vs kmp 1200 8N2\)/,
    );
    assert.throws(
      () => deviceGroups([meter('a', ok, serial('/dev/ttyA', 'mbus', 4)), meter('b', ok, serial('/dev/ttyA', 'mbus', 4))]),
      /meters a and b are both primary address 4 on \/dev\/ttyA/,
    );
  });

  test('prefixLines: a prefix for every line begun in the chunk, none inside a line continued', () => {
    assert.deepEqual(prefixLines('a\nb\n', '> ', true), { text: '> a\n> b\n', atStart: true });
    assert.deepEqual(prefixLines('rest\nnext', '> ', false), { text: 'rest\n> next', atStart: false });
    assert.deepEqual(prefixLines('\n\n', '> ', true), { text: '\n\n', atStart: true });
  });
});
