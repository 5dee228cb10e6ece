/** The meter layer's errors: talking to the meter failed, or another run holds its lock. */
import { CodedError, MulticalError, type MulticalErrorOptions } from '../core/errors.js';

/** Talking to the meter failed (as opposed to a protocol violation, which is a KmpError or MbusError). */
export type MeterErrorCode =
  | 'METER_NO_DEVICE'
  | 'METER_PERMISSION'
  | 'METER_BUSY'
  | 'METER_OPEN'
  | 'METER_TIMEOUT'
  | 'METER_BAD_REPLY'
  | 'METER_LOST'
  | 'METER_ABORTED'
  | 'METER_WRITE';

export class MeterError extends CodedError<MeterErrorCode> {}

/** Another multical run holds the device's lock. */
export class LockedError extends MulticalError {
  constructor(message: string, options: MulticalErrorOptions = {}) {
    super('LOCKED', message, options);
  }
}
