// Which log ids a run reads (kmp-loggers.md, "Walking a log incrementally", steps 3 and 5): the newest N,
// everything, or what follows the last run's entry — which is read again and compared, so that a reset or
// reconfigured log is reported and never merged.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import type { RegisterRecord } from '../../src/kmp/app.js';
import { encodeValue } from '../../src/kmp/value.js';
import { HistoryError } from '../../src/meter/kmp-logger-errors.js';
import { checkMark, markOf, planSpan, type LogMark } from '../../src/meter/kmp-logger-span.js';

const log = { label: 'daily logger', oldest: 40, newest: 100, empty: false };

function rec(id: number, unitCode: number, value: string): RegisterRecord {
  const v = Decimal.parse(value)!;
  const e = encodeValue(v, 4);
  return { id, unitCode, value: v, mantissa: e.mantissa, siex: e.siex };
}

const entry = (logId: number, e1: string): { logId: number; records: RegisterRecord[] } => ({
  logId,
  records: [rec(1003, 0x30, '260105'), rec(60, 0x03, e1)],
});

function changed(f: () => unknown, message: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof HistoryError && e.code === ('LOG_CHANGED' as string) && message.test(e.message));
}

describe('planSpan', () => {
  test('the newest N, within the log; everything; nothing in an empty log', () => {
    assert.deepEqual(planSpan(log, { kind: 'last', count: 24 }), { lo: 77, hi: 100 });
    assert.deepEqual(planSpan(log, { kind: 'last', count: 1000 }), { lo: 40, hi: 100 });
    assert.deepEqual(planSpan(log, { kind: 'all' }), { lo: 40, hi: 100 });
    const empty = planSpan({ ...log, empty: true, oldest: 0, newest: 0 }, { kind: 'all' });
    assert.ok(empty.lo > empty.hi);
  });

  test('after a mark: from the mark (read again), nothing when it is the newest', () => {
    const mark: LogMark = { logId: 90, values: {} };
    assert.deepEqual(planSpan(log, { kind: 'after', mark }), { lo: 90, hi: 100, reread: mark });
    const none = planSpan(log, { kind: 'after', mark: { logId: 100, values: {} } });
    assert.ok(none.lo > none.hi && none.reread === undefined);
  });

  test('a mark the meter has overwritten since: the entries lost are said, no re-read is possible', () => {
    assert.deepEqual(planSpan(log, { kind: 'after', mark: { logId: 30, values: {} } }), { lo: 40, hi: 100, lost: { from: 31, to: 39 } });
    assert.deepEqual(
      planSpan(log, { kind: 'after', mark: { logId: 39, values: {} } }),
      { lo: 40, hi: 100 },
      'just the next one: nothing lost',
    );
  });

  test('log id 0 marks a log that was empty: everything it holds now, nothing lost', () => {
    assert.deepEqual(planSpan(log, { kind: 'after', mark: { logId: 0, values: {} } }), { lo: 40, hi: 100 });
    const still = planSpan({ ...log, empty: true }, { kind: 'after', mark: { logId: 0, values: {} } });
    assert.ok(still.lo > still.hi);
  });

  test('fewer ids than the last run read, or an empty log: reset', () => {
    changed(
      () => planSpan(log, { kind: 'after', mark: { logId: 101, values: {} } }),
      /holds log ids 40–100, but the last run read up to log id 101: the log was reset/,
    );
    changed(
      () => planSpan({ ...log, empty: true }, { kind: 'after', mark: { logId: 5, values: {} } }),
      /is empty, but the last run read up to log id 5/,
    );
  });
});

describe('checkMark', () => {
  test('the same values under the same log id: the log goes on', () => {
    const mark = markOf(entry(90, '56.186'));
    assert.deepEqual(mark, {
      logId: 90,
      values: { '1003': { text: '2026-01-05', unit: 'yy:mm:dd' }, '60': { text: '56.186', unit: 'MWh' } },
    });
    checkMark('daily logger', mark, entry(90, '56.186'));
  });

  test('another value, another unit, or the id gone: changed, naming the register and both values', () => {
    const mark = markOf(entry(90, '56.186'));
    changed(() => checkMark('daily logger', mark, entry(90, '12.001')), /log id 90 held Heat Energy \(E1\) = 56\.186 MWh, now 12\.001 MWh/);
    const gj = { logId: 90, records: [rec(1003, 0x30, '260105'), rec(60, 0x08, '56.186')] };
    changed(() => checkMark('daily logger', mark, gj), /56\.186 MWh, now 56\.186 GJ/);
    changed(() => checkMark('daily logger', mark, undefined), /no longer holds log id 90/);
    changed(() => checkMark('daily logger', mark, entry(91, '56.186')), /no longer holds log id 90/);
  });

  test('a register no longer asked is not compared', () => {
    const mark = markOf(entry(90, '56.186'));
    checkMark('daily logger', mark, { logId: 90, records: [rec(1003, 0x30, '260105')] });
  });
});
