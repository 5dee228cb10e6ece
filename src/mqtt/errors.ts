/** The MQTT broker could not be reached, refused the client, or closed the connection. */
import { MulticalError, type MulticalErrorOptions } from '../core/errors.js';

export class MqttError extends MulticalError {
  constructor(code: string, message: string, options: MulticalErrorOptions = {}) {
    super(code, message, options);
  }
}
