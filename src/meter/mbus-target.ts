/**
 * Which meter on a wired M-Bus a master talks to, and how long it waits (mbus-protocol.md §1 "Physical
 * layer and timing", §2 "Addresses", "Secondary addressing"): a primary address (0–250, or 254 when the
 * meter is alone on the bus) or a secondary address (selection with CI 0x52, then address 253), and the
 * reply deadline that follows from the baud rate and the longest frame that can come back.
 */
import { UsageError } from '../core/errors.js';
// Single modules, not the codec's index: settings load this to check --address and --secondary, KMP runs too.
import { MbusError } from '../mbus/errors.js';
import { MAX_FRAME_BYTES } from '../mbus/framer.js';
import { Address } from '../mbus/link.js';
import { parseSecondaryMask, type SecondaryMask } from '../mbus/secondary.js';

export type MbusTarget = { kind: 'primary'; address: number } | { kind: 'secondary'; mask: SecondaryMask; text: string };

/** 254: every slave answers with its own address — only right when the meter is alone on the bus. */
export const DEFAULT_TARGET: MbusTarget = { kind: 'primary', address: Address.BROADCAST_REPLY };

export const ADDRESS_RULE = 'a primary address 0–250, or 254 (the only meter on the bus)';

/** A primary address a master may read: 0–250 or 254; `label` names where the value came from. */
export function primaryTarget(address: number, label = '--address'): MbusTarget {
  if (!Number.isInteger(address) || address < 0 || address > 254 || (address > 250 && address < 254)) {
    throw new UsageError(`${label} ${address}: must be ${ADDRESS_RULE}`);
  }
  return { kind: 'primary', address };
}

/** `58300187`, `3141FFFF` or libmbus's `IIIIIIIIMMMMVVTT` (F = any digit, FFFF / FF = any field). */
export function secondaryTarget(text: string, label = '--secondary'): MbusTarget {
  try {
    return { kind: 'secondary', mask: parseSecondaryMask(text), text: text.trim().toUpperCase() };
  } catch (e) {
    if (!(e instanceof MbusError)) throw e;
    throw new UsageError(`${label} ${JSON.stringify(text)}: 8 digits (F = any digit) or 16 hex characters IIIIIIIIMMMMVVTT`, { cause: e });
  }
}

export function describeTarget(t: MbusTarget): string {
  if (t.kind === 'secondary') return `secondary address ${t.text}`;
  return t.address === Address.BROADCAST_REPLY ? 'address 254 (any one meter)' : `primary address ${t.address}`;
}

/** The address frames go to: the primary address, or 253 (FD) for the meter selected by secondary address. */
export function linkAddress(t: MbusTarget): number {
  return t.kind === 'primary' ? t.address : Address.NETWORK;
}

// ---- timing ----------------------------------------------------------------------------------------

/** Start, 8 data bits, even parity, stop: 8E1. */
export const MBUS_BITS_PER_BYTE = 11;
/** Added to every deadline for USB-serial and gateway latency (libmbus adds 150 ms for the same reason). */
export const DEADLINE_MARGIN_MS = 150;

/** The latest a slave may start its reply: 330 bit times + 50 ms after our last stop bit (EN 13757-2). */
export function firstByteMs(baud: number): number {
  return (330 * 1000) / baud + 50;
}

export function wireMs(bytes: number, baud: number): number {
  return (bytes * MBUS_BITS_PER_BYTE * 1000) / baud;
}

/**
 * The deadline for one answer: the latest first byte, the wire time of the longest answer that may come
 * (1 byte for an E5, 261 for a long frame) and the margin. 2400 Bd: 342 ms for an E5, 1534 ms for a RSP_UD.
 */
export function replyDeadlineMs(baud: number, longestReply: number): number {
  return Math.ceil(firstByteMs(baud) + wireMs(longestReply, baud) + DEADLINE_MARGIN_MS);
}

export const ACK_BYTES = 1;
export const TELEGRAM_BYTES = MAX_FRAME_BYTES;
