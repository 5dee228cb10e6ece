/** A Domoticz request failed: one error family naming the request, with a stable code. */
import { CodedError } from '../core/errors.js';

export type DomoticzErrorCode =
  | 'DZ_AUTH'
  | 'DZ_FORBIDDEN'
  | 'DZ_ERR'
  | 'DZ_NO_DEVICE'
  | 'DZ_TIMEOUT'
  | 'DZ_CONNECT'
  | 'DZ_NOT_JSON'
  | 'DZ_BAD_ANSWER'
  | 'DZ_TOO_BIG'
  | 'DZ_HTTP'
  | 'DZ_TLS'
  | 'DZ_ABORTED';

export class DomoticzError extends CodedError<DomoticzErrorCode> {}
