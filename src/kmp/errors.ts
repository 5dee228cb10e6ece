/** KMP protocol violations as one error family, with the expected and actual bytes in hex. */
import { ProtocolError } from '../core/errors.js';

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
export class KmpError extends ProtocolError<KmpErrorCode> {}
