/**
 * What one MQTT run publishes, decided without I/O: the values object, one topic per register, the
 * discovery configs and the status, in order, with their QoS and retain flags; and the last will.
 */
import { RawNumber, stringifyJson } from '../core/json.js';
import type { MeterIdentity, Reading } from '../core/reading.js';
import { alarmConfigs, alarmsObject, alarmsTopic } from './alarms.js';
import { discoveryConfigs, PAYLOAD_OFFLINE, PAYLOAD_ONLINE, statusTopic, valuesTopic } from './discovery.js';
import type { PublishedReading } from './sensors.js';

export type QoS = 0 | 1 | 2;

export interface OutgoingMessage {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
}

export { localTimestamp } from '../core/time.js';

/** The object published on <topic>/values: timestamp, then per register its value and its unit. */
export function valuesObject(readings: readonly PublishedReading[], timestamp: string): Record<string, unknown> {
  const doc: Record<string, unknown> = { timestamp };
  for (const r of readings) {
    doc[r.key] = r.numeric ? new RawNumber(r.text) : r.text;
    if (r.numeric && r.unit !== '') doc[`${r.key}_unit`] = r.unit;
  }
  return doc;
}

export interface PublicationInput {
  baseTopic: string;
  qos: QoS;
  retain: boolean;
  /** Registers that were read; empty when the meter could not be read at all. */
  readings: readonly PublishedReading[];
  timestamp: string;
  /** Set with --ha-discovery when the meter's serial number and type are known. */
  identity?: MeterIdentity | undefined;
  /** The info code reading, when it was read: its flags go to <topic>/alarms. */
  info?: Reading | undefined;
}

/**
 * Everything one run publishes, in order: the discovery configs (retained), the values object, one topic
 * per register, and last the status — `online` when the meter answered, `offline` when nothing could be
 * read (both retained, so Home Assistant knows after a restart). Nothing is published for a register
 * that was not read: no zero, no key, no topic.
 */
export function publication(input: PublicationInput): OutgoingMessage[] {
  const { baseTopic, qos, retain, readings } = input;
  const out: OutgoingMessage[] = [];
  if (input.identity && readings.length > 0) {
    const alarms = input.info ? alarmConfigs(input.identity, baseTopic) : [];
    for (const d of [...discoveryConfigs(readings, input.identity, baseTopic), ...alarms]) {
      out.push({ topic: d.topic, payload: stringifyJson(d.payload), qos, retain: true });
    }
  }
  if (readings.length > 0) {
    out.push({ topic: valuesTopic(baseTopic), payload: stringifyJson(valuesObject(readings, input.timestamp)), qos, retain });
    for (const r of readings) out.push({ topic: `${baseTopic}/${r.key}`, payload: r.text, qos, retain });
  }
  if (input.info) {
    const doc = alarmsObject(input.info, input.identity?.modelNumber);
    out.push({ topic: alarmsTopic(baseTopic), payload: stringifyJson(doc), qos, retain });
  }
  out.push({ topic: statusTopic(baseTopic), payload: readings.length > 0 ? PAYLOAD_ONLINE : PAYLOAD_OFFLINE, qos, retain: true });
  return out;
}

/**
 * Discovery configs a run published before for registers it no longer publishes: each cleared with an
 * empty retained payload (Home Assistant then removes the sensor). `keep` holds the config topics of the
 * registers still asked for — a register that is asked for but was not read this time keeps its sensor.
 */
export function clearedConfigs(previous: readonly string[], keep: ReadonlySet<string>, qos: QoS): OutgoingMessage[] {
  return previous.filter((t) => !keep.has(t)).map((topic) => ({ topic, payload: '', qos, retain: true }));
}

/** The last will: the broker publishes it if the connection drops before a clean disconnect. */
export function lastWill(baseTopic: string, qos: QoS): OutgoingMessage {
  return { topic: statusTopic(baseTopic), payload: PAYLOAD_OFFLINE, qos, retain: true };
}
