/**
 * From settings to the service's jobs: each meter of the run (the config file's `meters:`, or the one
 * meter of `-d`) with its interval, the registers its consumers need and its sinks — Domoticz pushes
 * (the meter's `domoticz.push`, or the arguments with `-d`) and MQTT (when a broker is set; with a list
 * of meters the topics are `<topic>/<meter name>/`). Everything is checked before the service starts,
 * and again on a reload.
 */
import { parseReadArgument, type ReadArgument } from '../../domoticz/argument.js';
import type { DomoticzClient } from '../../domoticz/client.js';
import { DOMOTICZ_OPTIONS, resolveDomoticz, type DomoticzSettings } from '../../domoticz/options.js';
import { intervalOf } from '../../http/options.js';
import { FLAT_REGISTERS } from '../../http/views.js';
import { INFO_CODE_REGISTER } from '../../mqtt/discovery.js';
import { MQTT_OPTIONS, resolveMqtt } from '../../mqtt/options.js';
import { meterSetup } from '../../settings/device.js';
import { metersOf } from '../../settings/meters.js';
import { resolveRaw, resolveValue, type Sources } from '../../settings/resolve.js';
import { mqttIds } from '../commands/mqtt-publish.js';
import type { MeterJobSpec } from './meter-job.js';

export interface ServicePlan {
  meters: MeterJobSpec[];
  /** The one Domoticz connection every meter's pushes share, when any meter pushes. */
  domoticz: DomoticzClient | undefined;
}

/** The jobs of the service, checked; `connect` makes the shared Domoticz client from its settings. */
export function servicePlan(
  src: Sources,
  args: string[],
  selected: string[] | undefined,
  connect: (s: DomoticzSettings) => DomoticzClient,
): ServicePlan {
  const plans = metersOf(src, selected);
  const needsDomoticz = plans.some((p) => pushesOf(p.src, p.listed ? [] : args).length > 0);
  const domoticz = needsDomoticz ? connect(resolveDomoticz(src, true)) : undefined;
  const meters = plans.map((plan): MeterJobSpec => {
    const setup = meterSetup(plan.src);
    const pushes = pushesOf(plan.src, plan.listed ? [] : args);
    const mqttSrc = mqttSources(plan.src);
    const mqttSettings = resolveRaw(MQTT_OPTIONS.broker, mqttSrc).raw !== undefined ? resolveMqtt(mqttSrc) : undefined;
    const mqtt = mqttSettings && (plan.listed ? { ...mqttSettings, topic: `${mqttSettings.topic}/${plan.name}` } : mqttSettings);
    const mqttRegisters = mqtt ? mqttIds([], mqtt) : [];
    // The info code rides along: its flags are gauges in /metrics and fields of /api/meters.
    const ids = [...new Set([...FLAT_REGISTERS, INFO_CODE_REGISTER, ...pushes.map((p) => p.register), ...mqttRegisters])];
    return {
      name: plan.name,
      setup,
      intervalMs: intervalOf(plan.src, setup.device.kind === 'sim' ? 'sim' : setup.protocol),
      ids,
      identity: true,
      ...(pushes.length > 0 && domoticz ? { domoticz: { client: domoticz, args: pushes, allowDecrease: false } } : {}),
      ...(mqtt ? { mqtt: { settings: mqtt, ids: mqttRegisters } } : {}),
    };
  });
  return { meters, domoticz };
}

/**
 * `serve` has both sinks' options on one command line, and `--password`, `--ca` and `--insecure` are
 * Domoticz's there (as for `read`): MQTT takes its secrets and TLS files from the environment and the
 * config file only, never a Domoticz value by accident.
 */
const MQTT_ON_SERVE_LINE = new Set(['broker', 'username', 'client-id', 'qos', 'retain', 'topic', 'ha-discovery']);

function mqttSources(src: Sources): Sources {
  return { ...src, cli: (name) => (MQTT_ON_SERVE_LINE.has(name) ? src.cli(name) : undefined) };
}

function pushesOf(src: Sources, args: string[]): ReadArgument[] {
  const texts = args.length > 0 ? args : (resolveValue<string[] | undefined>(DOMOTICZ_OPTIONS.push, src) ?? []);
  return texts.map(parseReadArgument);
}
