/**
 * The config file's keys: every option of the table that has one (loaded only when there is a file).
 * A meter's own settings (its device, serial line, model, registers, pushes, read interval) may also
 * stand in an entry of `meters:`, where they beat the top-level ones for that meter.
 */
import { DOMOTICZ_OPTIONS } from '../domoticz/options.js';
import { HTTP_OPTIONS } from '../http/options.js';
import { MQTT_OPTIONS } from '../mqtt/options.js';
import { schemaOf, type ConfigSchema } from '../settings/config-file.js';
import { METER_OPTIONS } from '../settings/device.js';
import { METER_NAME } from '../settings/meters.js';
import type { OptionSpec } from '../settings/options.js';
import { GET_REGISTERS } from './commands/get.js';

let schema: ConfigSchema | undefined;

const RUN_WIDE: ReadonlySet<OptionSpec> = new Set([METER_OPTIONS.lockWait, METER_OPTIONS.deadline]);

export function configSchema(): ConfigSchema {
  const meter = Object.values(METER_OPTIONS).map((s): OptionSpec => (RUN_WIDE.has(s) ? s : { ...s, scope: 'both' }));
  const perMeter = (s: OptionSpec): OptionSpec => ({ ...s, scope: 'both' });
  const { push, ...domoticz } = DOMOTICZ_OPTIONS;
  const { registers, ...mqtt } = MQTT_OPTIONS;
  schema ??= schemaOf([
    ...meter,
    perMeter(GET_REGISTERS),
    METER_NAME,
    ...Object.values(HTTP_OPTIONS),
    ...Object.values(domoticz),
    perMeter(push),
    ...Object.values(mqtt),
    perMeter(registers),
  ]);
  return schema;
}
