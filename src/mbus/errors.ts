/**
 * M-Bus errors (EN 13757-2 link layer, EN 13757-3 application layer): one class, a stable `code`, the
 * bytes in hex in the message and in `expected`/`actual`. No exit code here: the CLI maps the class.
 */

import { ProtocolError } from '../core/errors.js';
import { toHex } from '../core/hex.js';

export type MbusErrorCode =
  | 'MBUS_EMPTY'
  | 'MBUS_BAD_START'
  | 'MBUS_BAD_STOP'
  | 'MBUS_LENGTH'
  | 'MBUS_CHECKSUM'
  | 'MBUS_NOT_TELEGRAM'
  | 'MBUS_UNKNOWN_CI'
  | 'MBUS_BAD_REQUEST'
  | 'MBUS_ENCODE';

export class MbusError extends ProtocolError<MbusErrorCode> {}

/** `0x7B` */
export function hexByte(b: number): string {
  return '0x' + (b & 0xff).toString(16).toUpperCase().padStart(2, '0');
}

/** Up to `max` bytes of hex for an error message, with `…` when there were more. */
export function hexContext(bytes: Uint8Array, max = 16): string {
  if (bytes.length === 0) return '(none)';
  return bytes.length > max ? `${toHex(bytes.subarray(0, max))} …` : toHex(bytes);
}
