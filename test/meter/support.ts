// Helpers for the meter tests, whatever the protocol.
import * as assert from 'node:assert/strict';
import { exitCodeOf } from '../../src/cli/error-codes.js';
import { MeterError } from '../../src/meter/errors.js';

/** `p` rejects with a MeterError of `code` (and a message matching `message`), which exits 3 as every meter failure. */
export async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<MeterError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MeterError, `expected a MeterError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    assert.equal(exitCodeOf(e), 3, 'exit code 3, as every meter failure');
    return e;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}
