/** KMP protocol violations as one error family, with the expected and actual bytes in hex. */
import { MulticalError } from '../core/errors.js';
import { toHex } from '../core/hex.js';

export type KmpErrorCode =
  | 'KMP_BAD_START'
  | 'KMP_BAD_STOP'
  | 'KMP_BAD_STUFFING'
  | 'KMP_SHORT_FRAME'
  | 'KMP_CRC'
  | 'KMP_ADDRESS'
  | 'KMP_COMMAND'
  | 'KMP_BAD_REPLY'
  | 'KMP_BAD_RECORD'
  | 'KMP_BAD_REQUEST';

/** A protocol violation: a frame or record that is not what KMP says. Expected/actual bytes in hex. */
export class KmpError extends MulticalError {
  declare readonly code: KmpErrorCode;
  readonly expected: string | undefined;
  readonly actual: string | undefined;

  constructor(
    code: KmpErrorCode,
    message: string,
    context: { expected?: number | Uint8Array | string; actual?: number | Uint8Array | string; cause?: unknown } = {},
  ) {
    const expected = hexOf(context.expected);
    const actual = hexOf(context.actual);
    super(code, message, {
      cause: context.cause,
      fields: { expected, actual },
    });
    this.expected = expected;
    this.actual = actual;
  }
}

function hexOf(v: number | Uint8Array | string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return toHex(Uint8Array.of(v & 0xff));
  return toHex(v);
}
