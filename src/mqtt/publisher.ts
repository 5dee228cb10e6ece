/**
 * One connection per run: connect (no reconnects, bounded by connectTimeout and the run's signal),
 * publish everything — QoS 1/2 messages acknowledged (PUBACK / PUBCOMP) before the next step — then a
 * clean DISCONNECT. mqtt.js is loaded only here, so the rest of the CLI starts without it.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Log } from '../core/io.js';
import { MqttError } from './errors.js';
import type { OutgoingMessage } from './messages.js';
import type { MqttSettings } from './options.js';

const TLS_TRUST_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) and reason codes (MQTT 5 §3.2.2.2) that mean "who are you?". */
const AUTH_CODES = new Set([4, 5, 0x86, 0x87]);

/** One line for a failure to connect; never holds the password. */
export function connectErrorMessage(
  err: unknown,
  settings: Pick<MqttSettings, 'brokerText' | 'connectTimeoutMs' | 'username'>,
): { code: string; message: string } {
  const b = `MQTT broker ${settings.brokerText}`;
  const e = err as { code?: unknown; message?: string };
  const code = e.code;
  const msg = e.message ?? String(err);
  if (typeof code === 'number') {
    if (AUTH_CODES.has(code)) {
      return {
        code: 'MQTT_AUTH',
        message: `${b} refused the login (${msg.replace(/^Connection refused: /, '')}): ${settings.username ? `check the password of user ${settings.username}` : 'it needs --username and a password'}`,
      };
    }
    return { code: 'MQTT_REFUSED', message: `${b} refused the connection: ${msg}` };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { code: 'MQTT_CONNECT', message: `${b}: connection refused (is the broker running, is the port right?)` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: 'MQTT_CONNECT', message: `${b}: host not found` };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code: 'MQTT_CONNECT', message: `${b}: cannot be reached (${code})` };
    case 'ECONNRESET':
    case 'EPIPE':
      return { code: 'MQTT_CONNECT', message: `${b}: the connection was closed (mqtts:// on a plain port, or mqtt:// on a TLS port?)` };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { code: 'MQTT_TLS', message: `${b}: TLS: the broker's certificate is not for this host name (${msg})` };
    case 'CERT_HAS_EXPIRED':
      return { code: 'MQTT_TLS', message: `${b}: TLS: the broker's certificate has expired` };
  }
  if (typeof code === 'string' && TLS_TRUST_CODES.has(code)) {
    return {
      code: 'MQTT_TLS',
      message: `${b}: TLS: the broker's certificate is not trusted (${code}): give --ca with the CA that signed it (or --insecure)`,
    };
  }
  if (typeof code === 'string' && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code === 'EPROTO')) {
    return { code: 'MQTT_TLS', message: `${b}: TLS handshake failed (${code})` };
  }
  if (msg === 'connack timeout') {
    return { code: 'MQTT_TIMEOUT', message: `${b}: no answer to CONNECT within ${settings.connectTimeoutMs / 1000} s` };
  }
  return { code: 'MQTT_CONNECT', message: `${b}: ${msg}` };
}

export interface PublishOptions {
  clientId: string;
  /** The status `offline` the broker publishes if the connection drops (none for a connection of no meter). */
  will?: OutgoingMessage;
  signal: AbortSignal;
  log: Log;
}

function clientOptions(settings: MqttSettings, o: PublishOptions): IClientOptions {
  const tls = settings.tls
    ? {
        rejectUnauthorized: !settings.insecure,
        ...(settings.ca ? { ca: settings.ca } : {}),
        ...(settings.cert ? { cert: settings.cert } : {}),
        ...(settings.key ? { key: settings.key } : {}),
      }
    : {};
  return {
    clientId: o.clientId,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: settings.connectTimeoutMs,
    ...(o.will ? { will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: o.will.qos, retain: o.will.retain } } : {}),
    ...(settings.username !== undefined ? { username: settings.username } : {}),
    ...(settings.password !== undefined ? { password: settings.password } : {}),
    ...tls,
  };
}

/** A promise that rejects with the signal's reason when it aborts (never resolves). */
function abortion(signal: AbortSignal): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  p.catch(() => {});
  return p;
}

/** Waits for CONNACK; a failure becomes one MqttError line. */
function connected(client: MqttClient, settings: MqttSettings): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (e: unknown): void => {
      const m = connectErrorMessage(e, settings);
      reject(new MqttError(m.code, m.message, { cause: e }));
    };
    client.once('connect', () => resolve());
    client.once('error', fail);
    client.once('close', () => fail(new Error('the connection was closed before the broker accepted it')));
  });
}

/** Connects, publishes `messages` in order, disconnects. Throws MqttError (exit 6) or the signal's reason. */
export async function publishMessages(settings: MqttSettings, messages: readonly OutgoingMessage[], o: PublishOptions): Promise<void> {
  if (o.signal.aborted) throw o.signal.reason;
  const mqtt = await import('mqtt');
  const how = `${settings.username ? ` (user ${settings.username})` : ''}${settings.tls ? (settings.insecure ? ', TLS without verification' : ', TLS') : ''}`;
  o.log.verbose(`mqtt: connecting to ${settings.brokerText} as ${o.clientId}${how}`);
  const aborted = abortion(o.signal);
  let ending = false;
  const client = mqtt.connect(settings.broker.href, clientOptions(settings, o));
  try {
    // mqtt.js emits 'error' more than once on some failures; an error without a listener would crash.
    client.on('error', (e) => o.log.debug(`mqtt: ${e.message}`));
    await Promise.race([connected(client, settings), aborted]);
    const closed = new Promise<never>((_, reject) => {
      client.once('close', () => {
        if (!ending)
          reject(new MqttError('MQTT_CLOSED', `MQTT broker ${settings.brokerText} closed the connection before everything was published`));
      });
    });
    closed.catch(() => {});
    o.log.verbose(`mqtt: connected; publishing ${messages.length} messages, QoS ${settings.qos}`);
    for (const m of messages) {
      o.log.debug(`mqtt: publish ${m.topic} (qos ${m.qos}${m.retain ? ', retained' : ''}) ${m.payload}`);
      await Promise.race([client.publishAsync(m.topic, m.payload, { qos: m.qos, retain: m.retain }), closed, aborted]);
    }
    ending = true;
    await Promise.race([client.endAsync(), closed, aborted]);
    o.log.verbose('mqtt: disconnected');
  } finally {
    ending = true;
    if (!client.disconnected) client.end(true);
  }
}
