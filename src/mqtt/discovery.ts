/**
 * Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
 * one retained config per register on `homeassistant/sensor/<node_id>/<object_id>/config`, every one
 * naming the same `device`, so all registers show up as sensors of one meter. A config depends only on
 * the meter (serial, type, revision), the register and its unit, and the base topic — never on the value
 * or the clock — so every run publishes the same topics and payloads, and Home Assistant sees no change.
 */
import type { MeterIdentity } from '../core/reading.js';
import type { PublishedReading } from './sensors.js';

export const DISCOVERY_PREFIX = 'homeassistant';
/** Register 99, InfoCode. */
export const INFO_CODE_REGISTER = 99;
export const PAYLOAD_ONLINE = 'online';
export const PAYLOAD_OFFLINE = 'offline';

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

export function nodeId(identity: MeterIdentity): string {
  return `kamstrup_${identity.serial}`;
}

/** The `device` block shared by every sensor of the meter. */
export function deviceBlock(identity: MeterIdentity): Record<string, unknown> {
  return {
    identifiers: [nodeId(identity)],
    manufacturer: 'Kamstrup',
    model: identity.model,
    name: `Kamstrup MULTICAL ${identity.serial}`,
    serial_number: identity.serial,
    sw_version: identity.revision,
  };
}

/** Where the discovery config of one register of one meter is retained. */
export function configTopic(node: string, key: string): string {
  return `${DISCOVERY_PREFIX}/sensor/${node}/${key}/config`;
}

export function statusTopic(baseTopic: string): string {
  return `${baseTopic}/status`;
}

export function valuesTopic(baseTopic: string): string {
  return `${baseTopic}/values`;
}

/** The discovery config of one register of one meter. */
export function discoveryConfig(reading: PublishedReading, identity: MeterIdentity, baseTopic: string): DiscoveryMessage {
  const node = nodeId(identity);
  const payload: Record<string, unknown> = {
    name: reading.name,
    unique_id: `${node}_${reading.key}`,
    state_topic: valuesTopic(baseTopic),
    value_template: `{{ value_json.${reading.key} }}`,
  };
  if (reading.unit !== '') payload.unit_of_measurement = reading.unit;
  if (reading.ha.deviceClass !== undefined) payload.device_class = reading.ha.deviceClass;
  if (reading.ha.stateClass !== undefined) payload.state_class = reading.ha.stateClass;
  // The info code is for diagnosis; its flags are the binary sensors of alarms.ts.
  if (reading.id === INFO_CODE_REGISTER) payload.entity_category = 'diagnostic';
  payload.availability_topic = statusTopic(baseTopic);
  payload.payload_available = PAYLOAD_ONLINE;
  payload.payload_not_available = PAYLOAD_OFFLINE;
  payload.device = deviceBlock(identity);
  payload.origin = { name: 'multical' };
  return { topic: configTopic(node, reading.key), payload };
}

export function discoveryConfigs(readings: readonly PublishedReading[], identity: MeterIdentity, baseTopic: string): DiscoveryMessage[] {
  return readings.map((r) => discoveryConfig(r, identity, baseTopic));
}
