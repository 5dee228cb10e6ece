/**
 * One MQTT run: read the registers (≤ 8 per request; with --ha-discovery also GetSerialNo and GetType,
 * two more requests), then connect, publish, disconnect. A register that was not read is not published
 * and makes the run exit 3, after what was read has been published; when nothing could be read, only the
 * status `offline` is published.
 */
import { randomBytes } from 'node:crypto';
import { MulticalError } from '../../core/errors.js';
import type { MeterIdentity, ReadResult } from '../../core/reading.js';
import { implausible } from '../../core/units.js';
import { registerName } from '../../kmp/registers.js';
import { MqttError } from '../../mqtt/errors.js';
import { configTopic, DISCOVERY_PREFIX, INFO_CODE_REGISTER, nodeId } from '../../mqtt/discovery.js';
import { DiscoveryState } from '../../mqtt/discovery-state.js';
import { clearedConfigs, lastWill, localTimestamp, publication, valuesObject, type OutgoingMessage } from '../../mqtt/messages.js';
import { registerKey } from '../../mqtt/names.js';
import { stateDir } from '../../settings/state.js';
import { DEFAULT_REGISTERS, type MqttSettings } from '../../mqtt/options.js';
import { publishedReading, type PublishedReading } from '../../mqtt/sensors.js';
import { parseRegisterIds } from '../../settings/arguments.js';
import type { MeterSetup } from '../../settings/device.js';
import type { Context } from '../context.js';
import { exitCodeOf } from '../error-codes.js';
import { ExitCode, firstOf, type ExitCodeValue } from '../exit-codes.js';
import { withMeter } from '../meter-access.js';
import { reportFailures } from '../readings-view.js';

export interface MeterOutcome {
  result?: ReadResult;
  identity?: MeterIdentity;
  /** The meter could not be opened, or GetSerialNo/GetType failed. */
  error?: MulticalError;
}

export interface PublishFlags {
  json: boolean;
  quiet: boolean;
  /** Told which Home Assistant device (node) the meter is; undefined when it could not be learnt this run. */
  onNode?: (node: string | undefined) => void;
}

/** One meter's MQTT run: read `ids` (checked by mqttIds), then publish. */
export async function publishMeter(
  ids: number[],
  settings: MqttSettings,
  setup: MeterSetup,
  f: PublishFlags,
  ctx: Context,
): Promise<ExitCodeValue> {
  ctx.log.redact(settings.password);
  const meter = await readMeter(ids, settings.haDiscovery, settings.clientId === undefined, setup, ctx);
  f.onNode?.(meter.identity ? nodeId(meter.identity) : undefined);
  return publishOutcome(ids, meter, settings, f, ctx);
}

/** The registers an MQTT run reads: the ones given, else mqtt.registers, else the default seven; with discovery also the info code. */
export function mqttIds(registerArgs: readonly string[], settings: MqttSettings): number[] {
  const asked = parseRegisterIds(registerArgs.length > 0 ? registerArgs : (settings.registers ?? [...DEFAULT_REGISTERS]));
  // With discovery, the info code is read too: its flags are the meter's alarm sensors.
  return settings.haDiscovery && !asked.includes(INFO_CODE_REGISTER) ? [...asked, INFO_CODE_REGISTER] : asked;
}

/** Publishes what a read gave (or the status `offline` when it gave nothing); the exit code it earns. */
export async function publishOutcome(
  ids: number[],
  meter: MeterOutcome,
  settings: MqttSettings,
  f: { json: boolean; quiet: boolean },
  ctx: Context,
): Promise<ExitCodeValue> {
  const { readings, missing, code: readCode } = collect(ids, meter, f, ctx);
  let code: ExitCodeValue = readCode;
  const timestamp = localTimestamp(new Date());
  const messages = publication({
    baseTopic: settings.topic,
    qos: settings.qos,
    retain: settings.retain,
    readings,
    timestamp,
    identity: meter.identity,
    info: meter.result?.readings.get(INFO_CODE_REGISTER),
  });
  const published = messages.filter((m) => m.topic.startsWith(`${DISCOVERY_PREFIX}/`)).map((m) => m.topic);
  const discovery = meter.identity && readings.length > 0 ? staleDiscovery(ids, published, meter.identity, settings, ctx) : undefined;
  const clientId = settings.clientId ?? `multical-${meter.identity?.serial ?? meter.result?.serial ?? randomBytes(4).toString('hex')}`;
  let brokerError: MulticalError | undefined;
  try {
    const { publishMessages } = await import('../../mqtt/publisher.js');
    const all = [...(discovery?.cleared ?? []), ...messages];
    await publishMessages(settings, all, { clientId, will: lastWill(settings.topic, settings.qos), signal: ctx.signal, log: ctx.log });
    discovery?.save();
  } catch (e) {
    if (!(e instanceof MqttError) || ctx.signal.aborted) throw e;
    brokerError = e;
    ctx.error(e.message);
    code = firstOf([code, ExitCode.mqtt]);
  }
  const status = readings.length > 0 ? 'online' : 'offline';
  if (f.json) {
    const result = meter.result;
    ctx.report(jsonReport({ settings, clientId, messages, readings, timestamp, status, missing, result, meter, brokerError }));
  } else if (!f.quiet && !brokerError) {
    ctx.io.stdout(summary(settings, messages, readings.length, status));
  }
  return code;
}

/** The readings to publish (implausible ones refused), what the meter left out, and the exit code so far. */
function collect(
  ids: number[],
  meter: MeterOutcome,
  f: { json: boolean; quiet: boolean },
  ctx: Context,
): { readings: PublishedReading[]; missing: number[]; code: ExitCodeValue } {
  const result = meter.result;
  const readings: PublishedReading[] = [];
  let code: ExitCodeValue = ExitCode.ok;
  for (const id of ids) {
    const r = result?.readings.get(id);
    if (!r) continue;
    // A value that cannot be right for its unit (a temperature of 1000 °C) is not published.
    const bad = r.value === undefined ? undefined : implausible(r.value, r.unit);
    if (bad) {
      ctx.error(`register ${id} (${r.name}) reads ${r.text} ${r.unit}, which cannot be right: not published (${bad})`);
      code = ExitCode.refused;
      continue;
    }
    readings.push(publishedReading({ ...r, register: id }));
  }
  if (result && reportFailures(ctx, result) !== ExitCode.ok) code = ExitCode.meter;
  if (meter.error) {
    ctx.error(meter.error.message);
    code = ExitCode.meter;
  }
  // Nothing to publish because the meter gave nothing (not because what it gave was refused).
  if (readings.length === 0 && code === ExitCode.ok) code = ExitCode.meter;
  const missing = result ? ids.filter((id) => result.missing.includes(id)) : [];
  if (!f.quiet && !f.json) {
    for (const id of missing) ctx.io.stderr(`note: the meter does not report register ${id} (${registerName(id)}): left out\n`);
  }
  return { readings, missing, code };
}

/** The configs this meter had on the broker for registers no longer asked for, and how to remember the new set. */
function staleDiscovery(
  ids: number[],
  published: string[],
  identity: MeterIdentity,
  settings: MqttSettings,
  ctx: Context,
): { cleared: OutgoingMessage[]; save: () => void } {
  const state = new DiscoveryState(stateDir(ctx.io.env), settings.brokerText);
  const node = nodeId(identity);
  const keep = new Set([...published, ...ids.map((id) => configTopic(node, registerKey(id)))]);
  const previous = state.nodes()[node] ?? [];
  const cleared = clearedConfigs(previous, keep, settings.qos);
  if (cleared.length > 0) ctx.log.verbose(`mqtt: clearing ${cleared.length} discovery config(s) no longer published`);
  const kept = previous.filter((t) => keep.has(t));
  return { cleared, save: () => state.save(node, [...new Set([...kept, ...published])]) };
}

function summary(settings: MqttSettings, messages: OutgoingMessage[], n: number, status: string): string {
  const discovery = messages.filter((m) => m.topic.startsWith('homeassistant/')).length;
  if (n === 0) return `nothing read: published ${settings.topic}/status ${status} to ${settings.brokerText}\n`;
  const plural = (k: number, w: string): string => `${k} ${w}${k === 1 ? '' : 's'}`;
  const disc = discovery > 0 ? `, ${plural(discovery, 'Home Assistant discovery config')}` : '';
  return `published ${plural(n, 'register')} to ${settings.brokerText}: ${settings.topic}/values and ${plural(n, 'register topic')}${disc}; ${settings.topic}/status ${status}\n`;
}

/** Reads `ids`; with `wantIdentity` also who the meter is, with `wantSerial` (for the client id) its serial. */
async function readMeter(
  ids: number[],
  wantIdentity: boolean,
  wantSerial: boolean,
  setup: MeterSetup,
  ctx: Context,
): Promise<MeterOutcome> {
  try {
    const { value } = await withMeter(setup, ctx, async (meter): Promise<MeterOutcome> => {
      const result = await meter.read(ids, { serial: wantSerial && !wantIdentity });
      // Nothing answered: asking for the serial number would only wait out another timeout.
      if (!wantIdentity || result.readings.size === 0) return { result };
      try {
        return { result, identity: await meter.identify() };
      } catch (e) {
        if (isMeterFailure(e, ctx)) return { result, error: e };
        throw e;
      }
    });
    return value;
  } catch (e) {
    if (isMeterFailure(e, ctx)) return { error: e };
    throw e;
  }
}

function isMeterFailure(e: unknown, ctx: Context): e is MulticalError {
  return e instanceof MulticalError && exitCodeOf(e) === ExitCode.meter && !ctx.signal.aborted;
}

function jsonReport(r: {
  settings: MqttSettings;
  clientId: string;
  messages: OutgoingMessage[];
  readings: PublishedReading[];
  timestamp: string;
  status: string;
  missing: number[];
  result: ReadResult | undefined;
  meter: MeterOutcome;
  brokerError: MulticalError | undefined;
}): Record<string, unknown> {
  const errors: Array<Record<string, unknown>> = [];
  for (const f of r.result?.failed ?? []) errors.push({ registers: f.registers, code: f.error.code, message: f.error.message });
  if (r.meter.error) errors.push({ code: r.meter.error.code, message: r.meter.error.message });
  if (r.brokerError) errors.push({ code: r.brokerError.code, message: r.brokerError.message });
  const id = r.meter.identity;
  return {
    broker: r.settings.brokerText,
    clientId: r.clientId,
    topic: r.settings.topic,
    qos: r.settings.qos,
    retain: r.settings.retain,
    published: r.brokerError ? false : true,
    status: r.status,
    ...(id
      ? {
          meter: Object.fromEntries(
            id.facts.filter((f) => f.key !== 'meterTypeHex').map((f) => [f.key, f.key === 'serialNo' ? String(f.value) : f.value]),
          ),
        }
      : {}),
    values: r.readings.length > 0 ? valuesObject(r.readings, r.timestamp) : undefined,
    messages: r.messages.map((m) => ({ topic: m.topic, qos: m.qos, retain: m.retain, bytes: Buffer.byteLength(m.payload) })),
    missing: r.missing,
    ...(errors.length ? { errors } : {}),
  };
}
