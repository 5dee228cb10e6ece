import { randomBytes } from 'node:crypto';
import { parseRegisterId } from '../args.js';
import { ExitCode, MulticalError, type ExitCodeValue } from '../core/errors.js';
import { stringifyJson } from '../core/json.js';
import { registerName } from '../kmp/registers.js';
import { formatRecord } from '../kmp/format.js';
import { plausibleRange } from '../core/units.js';
import type { RegisterReadResult } from '../meter/client.js';
import type { MeterIdentity } from '../mqtt/discovery.js';
import { lastWill, localTimestamp, publication, valuesObject, type OutgoingMessage } from '../mqtt/messages.js';
import { publishedReading, type PublishedReading } from '../mqtt/sensors.js';
import { DEFAULT_REGISTERS, type MqttSettings } from '../mqtt/settings.js';
import { meterSetup, summarizeStats, withMeter, type Context, type MeterOptionText, type MeterSetup } from './context.js';
import { reportFailures } from './registers-view.js';

export interface MqttCommandOptions extends MeterOptionText {
  json?: boolean;
  quiet?: boolean;
  /** Resolved and checked before anything is contacted. */
  mqtt: MqttSettings;
}

interface MeterOutcome {
  result?: RegisterReadResult;
  identity?: MeterIdentity;
  /** The meter could not be opened, or GetSerialNo/GetType failed. */
  error?: MulticalError;
}

/**
 * `multical mqtt`: validate everything, read the registers once (≤ 8 per request; with --ha-discovery also
 * GetSerialNo and GetType, two more requests), then connect, publish, disconnect. A register that was not
 * read is not published and makes the run exit 3, after what was read has been published; when nothing
 * could be read, only the status `offline` is published.
 */
export async function mqttCommand(registerArgs: string[], o: MqttCommandOptions, ctx: Context): Promise<ExitCodeValue> {
  const s = o.mqtt;
  ctx.log.redact(s.password);
  const texts = registerArgs.length > 0 ? registerArgs : (s.registers ?? [...DEFAULT_REGISTERS]);
  const ids = [...new Set(texts.map((t) => parseRegisterId(String(t))))];
  const setup = meterSetup(o);

  const meter = await readMeter(ids, s.haDiscovery, setup, ctx);
  const result = meter.result;
  const readings: PublishedReading[] = [];
  let code: ExitCodeValue = ExitCode.ok;
  for (const id of ids) {
    const rec = result?.records.get(id);
    if (!rec) continue;
    // A value that cannot be right for its unit (a temperature of 1000 °C) is not published.
    const f = formatRecord(rec);
    const range = f.numeric ? plausibleRange(f.unit) : undefined;
    const n = rec.value.toNumber();
    if (range && (n < range.min || n > range.max)) {
      ctx.io.stderr(ctx.err.red(`error: register ${id} (${registerName(id)}) reads ${f.text} ${f.unit}, which cannot be right: not published`) + '\n');
      code = ExitCode.refused;
      continue;
    }
    readings.push(publishedReading(id, rec));
  }
  if (result && reportFailures(ctx, result) !== ExitCode.ok) code = ExitCode.meter;
  if (meter.error) {
    ctx.io.stderr(ctx.err.red(`error: ${meter.error.message}`) + '\n');
    code = ExitCode.meter;
  }
  if (readings.length === 0) code = ExitCode.meter;
  const missing = result ? ids.filter((id) => result.missing.includes(id)) : [];
  if (!o.quiet && !o.json) {
    for (const id of missing) ctx.io.stderr(`note: the meter does not report register ${id} (${registerName(id)}): left out\n`);
  }

  const timestamp = localTimestamp(new Date());
  const messages = publication({ baseTopic: s.topic, qos: s.qos, retain: s.retain, readings, timestamp, identity: meter.identity });
  const clientId = s.clientId ?? `multical-${meter.identity?.serial ?? serialFrom(result) ?? randomBytes(4).toString('hex')}`;

  let brokerError: MulticalError | undefined;
  try {
    const { publishMessages } = await import('../mqtt/publisher.js');
    await publishMessages(s, messages, { clientId, will: lastWill(s.topic, s.qos), signal: ctx.signal, log: ctx.log });
  } catch (e) {
    if (!(e instanceof MulticalError) || e.exitCode !== ExitCode.mqtt || ctx.signal.aborted) throw e;
    brokerError = e;
    ctx.io.stderr(ctx.err.red(`error: ${ctx.log.clean(e.message)}`) + '\n');
    if (code === ExitCode.ok) code = ExitCode.mqtt;
  }

  const status = readings.length > 0 ? 'online' : 'offline';
  if (o.json) {
    ctx.io.stdout(jsonReport({ s, clientId, messages, readings, timestamp, status, missing, result, meter, brokerError }) + '\n');
  } else if (!o.quiet && !brokerError) {
    const discovery = messages.filter((m) => m.topic.startsWith('homeassistant/')).length;
    ctx.io.stdout(
      readings.length > 0
        ? `published ${readings.length} register${readings.length === 1 ? '' : 's'} to ${s.brokerText}: ${s.topic}/values and ${readings.length} register topic${readings.length === 1 ? '' : 's'}` +
            `${discovery > 0 ? `, ${discovery} Home Assistant discovery config${discovery === 1 ? '' : 's'}` : ''}; ${s.topic}/status ${status}\n`
        : `nothing read: published ${s.topic}/status ${status} to ${s.brokerText}\n`,
    );
  }
  return code;
}

async function readMeter(ids: number[], wantIdentity: boolean, setup: MeterSetup, ctx: Context): Promise<MeterOutcome> {
  try {
    const { value, stats } = await withMeter(setup, ctx, async (client): Promise<MeterOutcome> => {
      const result = await client.readRegisters(ids);
      // Nothing answered: asking for the serial number would only wait out another timeout.
      if (!wantIdentity || result.records.size === 0) return { result };
      try {
        const serial = await client.getSerialNo();
        const type = await client.getType();
        return { result, identity: { serial: String(serial), meterType: type.type, revision: type.revision } };
      } catch (e) {
        if (isMeterFailure(e, ctx)) return { result, error: e };
        throw e;
      }
    });
    ctx.log.verbose(`meter: ${summarizeStats(stats)}`);
    return value;
  } catch (e) {
    if (isMeterFailure(e, ctx)) return { error: e };
    throw e;
  }
}

function isMeterFailure(e: unknown, ctx: Context): e is MulticalError {
  return e instanceof MulticalError && e.exitCode === ExitCode.meter && !ctx.signal.aborted;
}

function serialFrom(result: RegisterReadResult | undefined): string | undefined {
  const rec = result?.records.get(1001);
  return rec ? rec.value.toString() : undefined;
}

function jsonReport(r: {
  s: MqttSettings;
  clientId: string;
  messages: OutgoingMessage[];
  readings: PublishedReading[];
  timestamp: string;
  status: string;
  missing: number[];
  result: RegisterReadResult | undefined;
  meter: MeterOutcome;
  brokerError: MulticalError | undefined;
}): string {
  const errors: Array<Record<string, unknown>> = [];
  for (const f of r.result?.failed ?? []) errors.push({ registers: f.ids, code: f.error.code, message: f.error.message });
  if (r.meter.error) errors.push({ code: r.meter.error.code, message: r.meter.error.message });
  if (r.brokerError) errors.push({ code: r.brokerError.code, message: r.brokerError.message });
  return stringifyJson({
    broker: r.s.brokerText,
    clientId: r.clientId,
    topic: r.s.topic,
    qos: r.s.qos,
    retain: r.s.retain,
    published: r.brokerError ? false : true,
    status: r.status,
    ...(r.meter.identity ? { meter: { serialNo: r.meter.identity.serial, meterType: r.meter.identity.meterType, revision: r.meter.identity.revision } } : {}),
    values: r.readings.length > 0 ? valuesObject(r.readings, r.timestamp) : undefined,
    messages: r.messages.map((m) => ({ topic: m.topic, qos: m.qos, retain: m.retain, bytes: Buffer.byteLength(m.payload) })),
    missing: r.missing,
    ...(errors.length ? { errors } : {}),
  });
}
