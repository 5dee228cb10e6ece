import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { readSecretFile } from '../secrets.js';
import { pick, type Sources } from '../settings.js';
import type { QoS } from './messages.js';

/**
 * MQTT settings for one run, from (strongest first) the command line, MQTT_BROKER / MQTT_USERNAME /
 * MQTT_PASSWORD, the config file's `mqtt:` section, the defaults. Everything is checked and every file
 * read here, before the meter or the broker is contacted.
 */
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
  /** Undefined: multical-<serial>, or multical-<random> when the serial is not known. */
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
    throw new UsageError(`${what} ${JSON.stringify(redactUrl(text))} is not a URL: use mqtt://host:1883 or mqtts://host:8883`);
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

/** A URL that may hold credentials, with them masked, for error messages. */
function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@');
}

export function brokerText(url: URL): string {
  const port = url.port || (url.protocol === 'mqtts:' ? '8883' : '1883');
  return `${url.protocol}//${url.hostname.includes(':') ? `[${url.hostname.replace(/^\[|\]$/g, '')}]` : url.hostname}:${port}`;
}

/** A base topic: no wildcards, no empty levels, no leading or trailing slash. */
export function checkTopic(text: string, what = '--topic'): string {
  if (text === '' || /[#+\0]/.test(text) || text.startsWith('/') || text.endsWith('/') || text.includes('//') || text.startsWith('$')) {
    throw new UsageError(`${what} ${JSON.stringify(text)}: must be a topic like kamstrup or home/heat, without +, #, $ at the start, or empty levels`);
  }
  return text;
}

export function parseQos(text: unknown, what = '--qos'): QoS {
  const s = String(text).trim();
  if (s !== '0' && s !== '1' && s !== '2') throw new UsageError(`${what} ${JSON.stringify(String(text))}: must be 0, 1 or 2`);
  return Number(s) as QoS;
}

function readFileOption(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read'}`);
  }
}

const isTrue = (v: unknown): boolean => v === true || v === 'true';

/**
 * @param configPath the config file in use, named in the message when a required setting is missing.
 */
export function resolveMqtt(s: Sources, warn: (text: string) => void, configPath?: string): MqttSettings {
  const where = (key: string, option: string): string => {
    const c = s.cli(key);
    if (c !== undefined) return option;
    return s.config(key) !== undefined && configPath ? `${configPath}: mqtt.${key.replace(/-/g, '_')}` : option;
  };

  const brokerPick = pick<string | undefined>(s, 'broker', 'MQTT_BROKER', undefined);
  if (brokerPick.value === undefined) {
    throw new UsageError(
      configPath
        ? `${configPath}: mqtt.broker is missing: add it (e.g. broker: mqtt://localhost:1883), or give --broker or MQTT_BROKER`
        : 'no MQTT broker: give --broker mqtt://host:1883 (or MQTT_BROKER, or mqtt.broker in the config file)',
    );
  }
  const brokerWhat = brokerPick.source === 'env' ? 'MQTT_BROKER' : brokerPick.source === 'config' ? `${configPath}: mqtt.broker` : '--broker';
  const broker = parseBrokerUrl(String(brokerPick.value), brokerWhat);
  const tls = broker.protocol === 'mqtts:';

  const username = pick<string | undefined>(s, 'username', 'MQTT_USERNAME', undefined).value;
  const secret = (): string | undefined => {
    const direct = s.cli('password');
    if (direct !== undefined) return String(direct);
    const file = s.cli('password-file');
    if (file !== undefined) return readSecretFile(String(file), '--password-file', warn);
    const e = s.env.MQTT_PASSWORD;
    if (e !== undefined && e !== '') return e;
    const cf = s.config('password-file');
    if (cf !== undefined) return readSecretFile(String(cf), `${configPath ?? 'config file'}: mqtt.password_file`, warn);
    const c = s.config('password');
    return c === undefined ? undefined : String(c);
  };
  const password = secret();
  if (password !== undefined && (username === undefined || username === '')) {
    throw new UsageError('an MQTT password was given without a user name: add --username (or MQTT_USERNAME)');
  }

  const file = (key: 'ca' | 'cert' | 'key', option: string): Buffer | undefined => {
    const p = pick<string | undefined>(s, key, undefined, undefined).value;
    return p === undefined ? undefined : readFileOption(String(p), where(key, option));
  };
  const ca = file('ca', '--ca');
  const cert = file('cert', '--cert');
  const key = file('key', '--key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('a client certificate needs both --cert and --key');
  const insecure = isTrue(pick<boolean>(s, 'insecure', undefined, false).value);
  if (!tls && (ca || cert || insecure)) {
    warn(`warning: ${brokerText(broker)} is not TLS: --ca, --cert, --key and --insecure apply only to mqtts:// brokers`);
  }

  const clientIdValue = pick<string | undefined>(s, 'client-id', undefined, undefined).value;
  if (clientIdValue !== undefined && (String(clientIdValue) === '' || Buffer.byteLength(String(clientIdValue)) > 65535)) {
    throw new UsageError(`${where('client-id', '--client-id')}: must not be empty`);
  }
  const qosPick = pick<number>(s, 'qos', undefined, 0);
  const qos = parseQos(qosPick.value, where('qos', '--qos'));
  const retain = isTrue(pick<boolean>(s, 'retain', undefined, false).value);
  const topic = checkTopic(String(pick<string>(s, 'topic', undefined, DEFAULT_TOPIC).value), where('topic', '--topic'));
  const haDiscovery = isTrue(pick<boolean>(s, 'ha-discovery', undefined, false).value);
  const registersConfig = s.config('registers');

  return {
    broker,
    brokerText: brokerText(broker),
    tls,
    username: username === undefined ? undefined : String(username),
    password,
    ca,
    cert,
    key,
    insecure,
    clientId: clientIdValue === undefined ? undefined : String(clientIdValue),
    qos,
    retain,
    topic,
    haDiscovery,
    registers: Array.isArray(registersConfig) ? registersConfig.map(String) : undefined,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  };
}
