/** The config file's keys: every option of the table that has one (loaded only when there is a file). */
import { DOMOTICZ_OPTIONS } from '../domoticz/options.js';
import { MQTT_OPTIONS } from '../mqtt/options.js';
import { schemaOf, type ConfigSchema } from '../settings/config-file.js';
import { METER_OPTIONS } from '../settings/device.js';
import { GET_REGISTERS } from './commands/get.js';

let schema: ConfigSchema | undefined;

export function configSchema(): ConfigSchema {
  schema ??= schemaOf([...Object.values(METER_OPTIONS), GET_REGISTERS, ...Object.values(DOMOTICZ_OPTIONS), ...Object.values(MQTT_OPTIONS)]);
  return schema;
}
