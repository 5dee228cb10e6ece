// Helpers for the KMP tests: a KmpError probe, logger (CID 0xB8) frames as hex, and the raw fields of the
// worked example's configuration reply (kmp-loggers.md, "Worked examples — CID 0xB8", example 1).
import * as assert from 'node:assert/strict';
import { toHex } from '../../src/core/hex.js';
import { KmpError } from '../../src/kmp/errors.js';
import { encodeFrame, HEAT_METER_ADDRESS } from '../../src/kmp/frame.js';
import { CID_LOGGER, type LoggerConfigurationRaw } from '../../src/kmp/logger.js';

/** `fn` throws a KmpError with `code` (and a message matching `detail`); returns it. */
export function assertKmp(fn: () => unknown, code: string, detail?: RegExp): KmpError {
  let caught: KmpError | undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KmpError, `expected a KmpError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (detail) assert.match(e.message, detail);
    caught = e;
    return true;
  });
  return caught as KmpError;
}

/** A logger command's request frame to the heat meter, in hex. */
export const b8Request = (data: Uint8Array): string =>
  toHex(encodeFrame({ direction: 'toMeter', destination: HEAT_METER_ADDRESS, cid: CID_LOGGER, data }));

/** A logger command's reply frame from the heat meter, in hex. */
export const b8Reply = (data: Uint8Array): string =>
  toHex(encodeFrame({ direction: 'fromMeter', destination: HEAT_METER_ADDRESS, cid: CID_LOGGER, data }));

/** Example 1's fields after the register list: date 1 `01 01`, the rest 0, each with format 1. */
export const EXAMPLE_RAW: LoggerConfigurationRaw = {
  date1Format: 1,
  date1: 0x0101,
  date2Format: 1,
  date2: 0,
  maxIntervalRecordsFormat: 1,
  maxIntervalRecords: 0,
  intervalFormat: 1,
  interval: 0,
};
