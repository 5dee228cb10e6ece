/**
 * Reply sizes and wire times of the KMP logger commands, so a client can ask for as many entries per
 * request as the meter gives and derive a per-request deadline from the baud rate.
 *
 * Sources (kmp-loggers.md): B8 log readout body, DST and CRC included, unstuffed:
 * 17 + Σ(5 + LENᵢ) + (E − 1)·ΣLENᵢ + 2 bytes ("Log readout reply"; the yearly capture: 32).
 * A0–A3 APL (CID … INFO): 3 + 2m + 5n + m·ΣNoBᵢ + 5 (5512-447; 3 + 2m + 5n + 4mn + 5 with NoB = 4);
 * the frame adds DST and CRC. On the wire a frame adds start and stop, and stuffing can double every
 * byte between them (5512-447 §3.1). One byte is 11 bits at 8N2 (start, 8 data, 2 stop) ("Timing").
 */
import { KmpError } from './errors.js';
import { logReadoutDataLength } from './logger-readout.js';

const DST_CID = 2;
const CRC = 2;
const START_STOP = 2;
export const MAX_LOG_COUNT = 0xffff;

function sum(lengths: readonly number[]): number {
  let s = 0;
  for (const l of lengths) {
    if (!Number.isInteger(l) || l < 1 || l > 255) throw new KmpError('KMP_BAD_REQUEST', `mantissa length ${l} is not between 1 and 255`);
    s += l;
  }
  return s;
}

/** Unstuffed frame body (DST … CRC) of a B8 log readout with `entries` entries of registers of these LENs. */
export function logReadoutBodyLength(mantissaLengths: readonly number[], entries: number): number {
  sum(mantissaLengths); // range check
  return DST_CID + logReadoutDataLength(mantissaLengths, Math.max(0, entries)) + CRC;
}

/**
 * How many B8 entries fit in a body of at most `maxBodyLength` bytes (0 if not even one; at most 0xFFFF,
 * the count field). The meter's buffer is not documented: learn the budget from a truncated reply.
 */
export function maxLogEntries(mantissaLengths: readonly number[], maxBodyLength: number): number {
  const s = sum(mantissaLengths);
  const one = logReadoutBodyLength(mantissaLengths, 1);
  if (maxBodyLength < one) return 0;
  if (s === 0) return MAX_LOG_COUNT;
  return Math.min(MAX_LOG_COUNT, 1 + Math.floor((maxBodyLength - one) / s));
}

/** A0–A3 reply APL, CID to INFO: 3 + 2m + 5n + m·ΣNoB + 5 with records; 8 bytes with none. */
export function getLogReplyAplLength(valueLengths: readonly number[], records: number): number {
  const s = sum(valueLengths);
  if (records <= 0) return 3 + 5;
  return 3 + 2 * records + 5 * valueLengths.length + records * s + 5;
}

/** How many A0–A3 records fit under MaxL (largest reply APL; one byte, so at most 255). */
export function maxGetLogRecords(valueLengths: readonly number[], maxLength: number): number {
  const s = sum(valueLengths);
  const one = getLogReplyAplLength(valueLengths, 1);
  if (maxLength < one) return 0;
  return Math.min(255, 1 + Math.floor((maxLength - one) / (2 + s)));
}

/** Unstuffed frame body of an A0–A3 reply: DST + APL + CRC. */
export function getLogReplyBodyLength(valueLengths: readonly number[], records: number): number {
  return 1 + getLogReplyAplLength(valueLengths, records) + CRC;
}

/** Bytes on the wire for an unstuffed body: start and stop added; worst case every body byte stuffed. */
export function frameWireLength(bodyLength: number): { unstuffed: number; worstCase: number } {
  return { unstuffed: bodyLength + START_STOP, worstCase: 2 * bodyLength + START_STOP };
}

/** Milliseconds to send `bytes` at `baud`, rounded up; 11 bits per byte for 8N2, 10 for 8N1. */
export function wireTimeMs(bytes: number, baud: number, bitsPerByte = 11): number {
  if (!(baud > 0)) throw new RangeError(`baud ${baud} must be positive`);
  return Math.ceil((bytes * bitsPerByte * 1000) / baud);
}
