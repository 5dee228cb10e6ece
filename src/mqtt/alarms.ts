/**
 * The meter's alarms for Home Assistant (kamstrup-info-codes.md): the info code's flags that matter to a
 * user — leaks, external alarms, a low battery, sensor and flow problems — each a binary sensor on the
 * meter's device, with the device class Home Assistant has for it (moisture, safety, battery, problem),
 * plus one "alarm" sensor that is on while any flag is set. Which flags a meter can raise depends on its
 * model; for an unknown model only the "alarm" sensor is offered. Pure: topics and payloads only.
 */
import type { MeterIdentity, Reading } from '../core/reading.js';
import { alarmFlags, INFO_CATEGORY_TRAITS, type InfoFlag } from '../kmp/info-code.js';
import { deviceBlock, DISCOVERY_PREFIX, nodeId, PAYLOAD_OFFLINE, PAYLOAD_ONLINE, statusTopic } from './discovery.js';
import type { DiscoveryMessage } from './discovery.js';

export const ANY_ALARM = 'alarm';

export function alarmsTopic(baseTopic: string): string {
  return `${baseTopic}/alarms`;
}

/** `{"alarm":"ON","LOW_BATTERY_LEVEL":"ON","V1_AIR":"OFF",…}` from the info code reading. */
export function alarmsObject(info: Reading, modelNumber: string | undefined): Record<string, string> {
  const set = new Set((info.flags ?? []).map((f) => f.name));
  const doc: Record<string, string> = { [ANY_ALARM]: set.size > 0 ? 'ON' : 'OFF' };
  for (const f of alarmFlags(modelNumber)) doc[f.name] = set.has(f.name) ? 'ON' : 'OFF';
  return doc;
}

/** A sensor's name from the flag's meaning: "t1 below measuring range or short-circuited" → "T1 below …". */
function sensorName(f: InfoFlag): string {
  if (f.alternatives) return 'External alarm or sensor error';
  const t = f.meaning.replace(/\s*\([^()]*\)$/, '');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/** One binary sensor per alarm flag, on the same device as the meter's sensors. */
export function alarmConfigs(identity: MeterIdentity, baseTopic: string): DiscoveryMessage[] {
  const node = nodeId(identity);
  const sensors: Array<{ key: string; name: string; deviceClass: string | undefined }> = [
    { key: ANY_ALARM, name: 'Meter alarm (any info code flag)', deviceClass: 'problem' },
    ...alarmFlags(identity.modelNumber).map((f) => ({
      key: f.name,
      name: sensorName(f),
      deviceClass: INFO_CATEGORY_TRAITS[f.category].haDeviceClass,
    })),
  ];
  return sensors.map((s) => {
    const id = s.key.toLowerCase();
    const payload: Record<string, unknown> = {
      name: s.name,
      unique_id: `${node}_${id}`,
      state_topic: alarmsTopic(baseTopic),
      value_template: `{{ value_json.${s.key} }}`,
      payload_on: 'ON',
      payload_off: 'OFF',
      ...(s.deviceClass ? { device_class: s.deviceClass } : {}),
      availability_topic: statusTopic(baseTopic),
      payload_available: PAYLOAD_ONLINE,
      payload_not_available: PAYLOAD_OFFLINE,
      device: deviceBlock(identity),
      origin: { name: 'multical' },
    };
    return { topic: `${DISCOVERY_PREFIX}/binary_sensor/${node}/${id}/config`, payload };
  });
}
