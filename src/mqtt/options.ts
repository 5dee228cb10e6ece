/**
 * MQTT settings: the `mqtt:` options of the option table and how they resolve for one run — command
 * line, MQTT_BROKER / MQTT_USERNAME / MQTT_PASSWORD, the config file's `mqtt:` section, the defaults.
 * Everything is checked and every file read here, before the meter or the broker is contacted.
 */
import { UsageError } from '../core/errors.js';
import { maskUrlCredentials } from '../core/redact.js';
import { REGISTER_LIST } from '../settings/arguments.js';
import { MAX_PEM_BYTES, readUserFile } from '../settings/files.js';
import { BOOL, int, PATH, SECRET, text, type OptionSpec } from '../settings/options.js';
import { resolveRaw, resolveSecret, resolveText, resolveValue, type Sources } from '../settings/resolve.js';
import type { QoS } from './messages.js';

export const DEFAULT_TOPIC = 'kamstrup';
export const DEFAULT_REGISTERS: readonly string[] = ['60', '68', '74', '80', '86', '87', '89'];
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface MqttSettings {
  broker: URL;
  /** The broker URL as printed: scheme, host and port only. */
  brokerText: string;
  tls: boolean;
  username?: string | undefined;
  password?: string | undefined;
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  insecure: boolean;
  /** Undefined: multical-<serial>. */
  clientId?: string | undefined;
  qos: QoS;
  retain: boolean;
  topic: string;
  haDiscovery: boolean;
  /** Registers from the config file (mqtt.registers), used when none are given on the command line. */
  registers?: string[] | undefined;
  connectTimeoutMs: number;
}

/** `mqtt://host[:1883]` or `mqtts://host[:8883]`; credentials inside are refused (they would show in ps and logs). */
export function parseBrokerUrl(text: string, what = '--broker'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${what} ${JSON.stringify(maskUrlCredentials(text))} is not a URL: use mqtt://host:1883 or mqtts://host:8883`);
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') {
    throw new UsageError(`${what} ${url.protocol}//…: must start with mqtt:// or mqtts:// (e.g. mqtt://localhost:1883)`);
  }
  if (url.username || url.password) {
    throw new UsageError(`${what} must not hold credentials: use --username with --password-file, or MQTT_USERNAME/MQTT_PASSWORD`);
  }
  if (!url.hostname) throw new UsageError(`${what} ${url.href}: needs a host, e.g. mqtt://localhost:1883`);
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    throw new UsageError(`${what} ${url.protocol}//${url.host}: leave out the path, ?query and #fragment`);
  }
  return url;
}

export function brokerText(url: URL): string {
  const port = url.port || (url.protocol === 'mqtts:' ? '8883' : '1883');
  return `${url.protocol}//${url.hostname.includes(':') ? `[${url.hostname.replace(/^\[|\]$/g, '')}]` : url.hostname}:${port}`;
}

/** A base topic: no wildcards, no empty levels, no leading or trailing slash. */
export function checkTopic(text: string, what = '--topic'): string {
  if (text === '' || /[#+\0]/.test(text) || text.startsWith('/') || text.endsWith('/') || text.includes('//') || text.startsWith('$')) {
    throw new UsageError(
      `${what} ${JSON.stringify(text)}: must be a topic like kamstrup or home/heat, without +, #, $ at the start, or empty levels`,
    );
  }
  return text;
}

/** What is wrong with a broker URL, for the config-file check (the command line gets parseBrokerUrl's lines). */
export function brokerProblem(value: string): string | undefined {
  try {
    parseBrokerUrl(value, '');
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^\s*("[^"]*"|\S+\/\/…)?:?\s*/, '') : String(e);
  }
}

/** What is wrong with a base topic, or undefined. */
export function topicProblem(value: string): string | undefined {
  try {
    checkTopic(value, '');
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^\s*"[^"]*":\s*/, '') : String(e);
  }
}

const SECTION = 'mqtt' as const;
export const MQTT_OPTIONS = {
  broker: {
    name: 'broker',
    section: SECTION,
    arg: 'url',
    env: 'MQTT_BROKER',
    type: text(brokerProblem),
    help: 'mqtt://host:1883 or mqtts://host:8883',
  },
  username: { name: 'username', section: SECTION, arg: 'name', env: 'MQTT_USERNAME', type: text(), help: 'MQTT user name' },
  password: {
    name: 'password',
    section: SECTION,
    arg: 'password',
    env: 'MQTT_PASSWORD',
    type: SECRET,
    help: 'MQTT password (prefer MQTT_PASSWORD or --password-file: options show in ps)',
  },
  passwordFile: { name: 'password-file', section: SECTION, arg: 'path', type: PATH, help: 'read the MQTT password from this file' },
  ca: { name: 'ca', section: SECTION, arg: 'file', type: PATH, help: 'trust this CA certificate (PEM) for mqtts://' },
  cert: { name: 'cert', section: SECTION, arg: 'file', type: PATH, help: 'client certificate (PEM) for mqtts://' },
  key: { name: 'key', section: SECTION, arg: 'file', type: PATH, help: 'private key (PEM) of --cert' },
  insecure: { name: 'insecure', section: SECTION, type: BOOL, help: "do not verify the broker's TLS certificate" },
  clientId: { name: 'client-id', section: SECTION, arg: 'id', type: text(), help: 'MQTT client id (default: multical-<serial number>)' },
  qos: {
    name: 'qos',
    section: SECTION,
    arg: 'n',
    type: int(0, 2, 'must be 0, 1 or 2'),
    default: 0,
    help: 'QoS of every message: 0, 1 or 2',
  },
  retain: { name: 'retain', section: SECTION, type: BOOL, help: 'publish the values retained (discovery configs and status always are)' },
  topic: {
    name: 'topic',
    section: SECTION,
    arg: 'topic',
    type: text(topicProblem),
    default: DEFAULT_TOPIC,
    help: 'base topic: <topic>/values, <topic>/<register>, <topic>/status',
  },
  haDiscovery: {
    name: 'ha-discovery',
    section: SECTION,
    type: BOOL,
    help: 'also publish Home Assistant discovery configs: one device, one sensor per register',
  },
  registers: { name: 'registers', section: SECTION, type: REGISTER_LIST, help: 'registers to publish when none are given' },
} satisfies Record<string, OptionSpec>;

function pemFile(spec: OptionSpec, src: Sources): Buffer | undefined {
  const r = resolveText(spec, src);
  return r === undefined ? undefined : readUserFile(r.value, r.label, MAX_PEM_BYTES).data;
}

export function resolveMqtt(src: Sources): MqttSettings {
  const o = MQTT_OPTIONS;
  const b = resolveRaw(o.broker, src);
  if (b.raw === undefined) {
    throw new UsageError(
      src.config
        ? `${src.config.path}: mqtt.broker is missing: add it (e.g. broker: mqtt://localhost:1883), or give --broker or MQTT_BROKER`
        : 'no MQTT broker: give --broker mqtt://host:1883 (or MQTT_BROKER, or mqtt.broker in the config file)',
    );
  }
  const broker = parseBrokerUrl(String(b.raw), b.label);
  const tls = broker.protocol === 'mqtts:';
  const username = resolveValue<string | undefined>(o.username, src);
  const password = resolveSecret(o.password, o.passwordFile, src)?.secret;
  if (password !== undefined && (username === undefined || username === '')) {
    throw new UsageError('an MQTT password was given without a user name: add --username (or MQTT_USERNAME)');
  }
  const ca = pemFile(o.ca, src);
  const cert = pemFile(o.cert, src);
  const key = pemFile(o.key, src);
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('a client certificate needs both --cert and --key');
  const insecure = resolveValue<boolean | undefined>(o.insecure, src) === true;
  if (!tls && (ca || cert || insecure)) {
    src.warn(`warning: ${brokerText(broker)} is not TLS: --ca, --cert, --key and --insecure apply only to mqtts:// brokers`);
  }
  const clientId = resolveValue<string | undefined>(o.clientId, src);
  if (clientId !== undefined && Buffer.byteLength(clientId) > 65535) throw new UsageError('--client-id: too long');
  return {
    broker,
    brokerText: brokerText(broker),
    tls,
    username,
    password,
    ca,
    cert,
    key,
    insecure,
    clientId,
    qos: resolveValue<QoS>(o.qos, src),
    retain: resolveValue<boolean | undefined>(o.retain, src) === true,
    topic: resolveValue<string>(o.topic, src),
    haDiscovery: resolveValue<boolean | undefined>(o.haDiscovery, src) === true,
    registers: resolveValue<string[] | undefined>(o.registers, src),
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  };
}
