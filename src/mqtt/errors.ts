/** The MQTT broker could not be reached, refused the client, or closed the connection. */
import { MulticalError } from '../core/errors.js';

export class MqttError extends MulticalError {}
