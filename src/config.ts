import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseRegisterId } from './args.js';
import { MulticalError, UsageError } from './core/errors.js';
import type { Io } from './io.js';
import { domoticzHostProblem, domoticzUrlProblem } from './domoticz/client.js';

/**
 * The config file: YAML holding what would otherwise be a long crontab line. Found at `--config FILE`,
 * else $MULTICAL_CONFIG, else $XDG_CONFIG_HOME/multical/config.yaml (~/.config/multical/config.yaml)
 * when that exists. Checked completely before anything is contacted: an unknown key, a wrong type or a
 * bad value is one line naming the file and the key, exit 2. Its values rank below the command line and
 * the environment: they fill in only what neither gave (see `Sources` in settings.ts).
 *
 * Relative paths in the file (password_file, token_file, ca, cert, key) are relative to the file's folder.
 * The YAML parser and the checkers borrowed from the commands load only when there is a file to read.
 */

interface Checkers {
  parseReadArgument: typeof import('./commands/read.js').parseReadArgument;
  parseBrokerUrl: typeof import('./mqtt/settings.js').parseBrokerUrl;
  checkTopic: typeof import('./mqtt/settings.js').checkTopic;
}
let checkers: Checkers | undefined;
const use = (): Checkers => checkers ?? fail('internal: config checkers not loaded');

async function loadCheckers(): Promise<Checkers> {
  const [read, mqtt] = await Promise.all([import('./commands/read.js'), import('./mqtt/settings.js')]);
  checkers = { parseReadArgument: read.parseReadArgument, parseBrokerUrl: mqtt.parseBrokerUrl, checkTopic: mqtt.checkTopic };
  return checkers;
}

type Spec =
  | { kind: 'string' }
  | { kind: 'secret' }
  | { kind: 'path' }
  | { kind: 'bool' }
  | { kind: 'seconds'; min: number; max: number }
  | { kind: 'int'; min: number; max: number; message?: string }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'registers' }
  | { kind: 'push' }
  | { kind: 'check'; base: 'string'; check: (value: string) => void }
  | { kind: 'section'; keys: Readonly<Record<string, Spec>> };

const str: Spec = { kind: 'string' };
const secret: Spec = { kind: 'secret' };
const path: Spec = { kind: 'path' };
const bool: Spec = { kind: 'bool' };

const DOMOTICZ: Record<string, Spec> = {
  url: { kind: 'check', base: 'string', check: (v) => void problem(domoticzUrlProblem(v)) },
  ip: { kind: 'check', base: 'string', check: (v) => void problem(domoticzHostProblem(v)) },
  port: { kind: 'int', min: 1, max: 65535 },
  user: { kind: 'check', base: 'string', check: (v) => void (v.includes(':') && fail('must not contain ":" (HTTP Basic cannot carry it)')) },
  password: secret,
  password_file: path,
  token: secret,
  token_file: path,
  ca: path,
  insecure: bool,
  http_timeout: { kind: 'seconds', min: 0.1, max: 300 },
  push: { kind: 'push' },
};

const MQTT: Record<string, Spec> = {
  broker: { kind: 'check', base: 'string', check: (v) => void use().parseBrokerUrl(v, '') },
  username: str,
  password: secret,
  password_file: path,
  ca: path,
  cert: path,
  key: path,
  insecure: bool,
  client_id: str,
  qos: { kind: 'int', min: 0, max: 2, message: 'must be 0, 1 or 2' },
  retain: bool,
  topic: { kind: 'check', base: 'string', check: (v) => void use().checkTopic(v, '') },
  ha_discovery: bool,
  registers: { kind: 'registers' },
};

/** Settings every meter command shares; the sections below only for the command that uses them. */
const METER_KEYS: Record<string, Spec> = {
  device: str,
  baud: { kind: 'int', min: 50, max: 4_000_000 },
  stopbits: { kind: 'int', min: 1, max: 2, message: 'must be 1 or 2' },
  parity: { kind: 'enum', values: ['none', 'even', 'odd'] },
  timeout: { kind: 'seconds', min: 0.1, max: 60 },
  retries: { kind: 'int', min: 0, max: 5 },
  deadline: { kind: 'seconds', min: 1, max: 86_400 },
  lock_wait: { kind: 'seconds', min: 0, max: 3600 },
};

export const CONFIG_SCHEMA: Readonly<Record<string, Spec>> = {
  ...METER_KEYS,
  registers: { kind: 'registers' },
  domoticz: { kind: 'section', keys: DOMOTICZ },
  mqtt: { kind: 'section', keys: MQTT },
};

function fail(message: string): never {
  throw new Error(message);
}

function problem(message: string | undefined): void {
  if (message !== undefined) fail(message);
}

export type ConfigData = Record<string, unknown>;

export interface LoadedConfig {
  path: string;
  data: ConfigData;
}

/** Where the config file is, or undefined when there is none. `explicit` is --config. */
export function findConfigPath(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): { path: string; what: string } | undefined {
  if (explicit !== undefined) return { path: resolve(cwd, explicit), what: '--config' };
  const fromEnv = env.MULTICAL_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolve(cwd, fromEnv), what: 'MULTICAL_CONFIG' };
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  const p = join(base, 'multical', 'config.yaml');
  return existsSync(p) ? { path: p, what: 'default' } : undefined;
}

/** Reads, parses and checks a config file. Throws UsageError (exit 2) naming the file. */
export async function loadConfigFile(file: string, what: string, warn: (text: string) => void): Promise<LoadedConfig> {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(file, 'utf8');
    mode = statSync(file).mode;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a folder' : 'cannot be read';
    throw new UsageError(`${what === 'default' ? '' : `${what} `}${file}: ${why}`);
  }
  const [{ LineCounter, parseDocument }] = await Promise.all([import('yaml'), loadCheckers()]);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const syntax = doc.errors[0];
  if (syntax) {
    const pos = lineCounter.linePos(syntax.pos[0]);
    throw new UsageError(`${file}: YAML syntax error at line ${pos.line}, column ${pos.col}: ${syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new UsageError(`${file}: YAML error: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${file}: must hold settings as "key: value" lines (a YAML mapping), e.g. device: /dev/ttyUSB0`);
  }
  const data = checkSection(raw as Record<string, unknown>, CONFIG_SCHEMA, '', file, dirname(file));

  const secrets = secretKeys(data);
  if (secrets.length > 0 && (mode & 0o044) !== 0) {
    warn(`warning: ${file} holds ${secrets.join(' and ')} and can be read by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 ${file}`);
  }
  return { path: file, data };
}

function secretKeys(data: ConfigData): string[] {
  const out: string[] = [];
  for (const section of ['domoticz', 'mqtt']) {
    const sec = data[section] as Record<string, unknown> | undefined;
    if (!sec) continue;
    for (const k of ['password', 'token']) if (sec[k] !== undefined) out.push(`${section}.${k}`);
  }
  return out;
}

function checkSection(raw: Record<string, unknown>, keys: Readonly<Record<string, Spec>>, prefix: string, file: string, dir: string): ConfigData {
  const out: ConfigData = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = prefix + k;
    const spec = keys[k];
    if (!spec) {
      const near = Object.keys(keys).find((known) => editDistance(known, k) <= 2);
      throw new UsageError(`${file}: unknown key ${name}${near ? ` (did you mean ${prefix}${near}?)` : ''}`);
    }
    out[k] = checkValue(v, spec, name, file, dir);
  }
  return out;
}

function checkValue(v: unknown, spec: Spec, name: string, file: string, dir: string): unknown {
  const bad = (message: string): never => {
    throw new UsageError(`${file}: ${name} ${message}`);
  };
  if (v === null || v === undefined) bad('has no value');
  const needString = (): string => {
    if (typeof v !== 'string') bad(`must be text${typeof v === 'number' || typeof v === 'boolean' ? ` (put it in quotes: ${name.split('.').pop()}: "${String(v)}")` : ''}`);
    if ((v as string).trim() === '') bad('is empty');
    return v as string;
  };
  const needNumber = (): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) bad('must be a number');
    return v as number;
  };
  switch (spec.kind) {
    case 'string':
    case 'secret':
      return needString();
    case 'path': {
      const p = needString();
      return isAbsolute(p) ? p : resolve(dir, p);
    }
    case 'bool':
      if (typeof v !== 'boolean') bad('must be true or false');
      return v;
    case 'seconds': {
      const n = needNumber();
      if (n < spec.min || n > spec.max) bad(`must be a number of seconds from ${spec.min} to ${spec.max}`);
      return n;
    }
    case 'int': {
      const n = needNumber();
      if (!Number.isInteger(n) || n < spec.min || n > spec.max) bad(spec.message ?? `must be a whole number from ${spec.min} to ${spec.max}`);
      return n;
    }
    case 'enum': {
      const s = needString();
      if (!spec.values.includes(s)) bad(`must be ${spec.values.slice(0, -1).join(', ')} or ${spec.values[spec.values.length - 1]}`);
      return s;
    }
    case 'check': {
      const s = needString();
      try {
        spec.check(s);
      } catch (e) {
        bad((e instanceof MulticalError ? e.message.replace(/^\s*/, '') : e instanceof Error ? e.message : String(e)).replace(/^"[^"]*":?\s*|^:\s*/, ''));
      }
      return s;
    }
    case 'registers':
    case 'push': {
      if (!Array.isArray(v)) bad(spec.kind === 'push' ? 'must be a list of idx:CommandNr:mode[:idx2] entries, e.g. ["88:60:0"]' : 'must be a list of register ids, e.g. [60, 68, 80]');
      const list = (v as unknown[]).map((item, i) => {
        if (typeof item !== 'string' && typeof item !== 'number') bad(`[${i}] must be ${spec.kind === 'push' ? 'text like 88:60:0' : 'a register id like 60 or 0x3C'}`);
        const text = String(item);
        try {
          if (spec.kind === 'push') use().parseReadArgument(text);
          else parseRegisterId(text);
        } catch (e) {
          bad(`[${i}]: ${e instanceof Error ? e.message : String(e)}`);
        }
        return text;
      });
      if (list.length === 0) bad('is an empty list');
      return list;
    }
    case 'section': {
      if (typeof v !== 'object' || Array.isArray(v)) bad('must be a section of "key: value" lines');
      return checkSection(v as Record<string, unknown>, spec.keys, `${name}.`, file, dir);
    }
  }
}

function editDistance(a: string, b: string): number {
  const d: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

/** Which section of the file a command reads, besides the meter settings. */
const SECTION_OF: Readonly<Record<string, 'domoticz' | 'mqtt' | null>> = { read: 'domoticz', mqtt: 'mqtt', get: null, info: null };

/** A command's view of the config file: values by option name (kebab-case, as on the command line). */
export interface ConfigView {
  path: string;
  value(option: string): unknown;
}

export function configView(loaded: LoadedConfig, command: string): ConfigView {
  const section = SECTION_OF[command];
  const data = loaded.data;
  return {
    path: loaded.path,
    value(option: string): unknown {
      if (section === undefined) return undefined; // simulate, ports: nothing from the file
      const key = option.replace(/-/g, '_');
      if (section !== null) {
        const sec = data[section] as Record<string, unknown> | undefined;
        if (sec && sec[key] !== undefined) return sec[key];
        return key in METER_KEYS ? data[key] : undefined;
      }
      return key in METER_KEYS || key === 'registers' ? data[key] : undefined;
    },
  };
}

/**
 * Loads the config file for a command and fills in its meter options (device, serial settings, timeout,
 * retries, deadline, lock wait) the command line did not give, so meterSetup and the run deadline see
 * them. Returns the command's view, or undefined when there is no config file.
 */
export async function applyConfig(cmd: Command, io: Io, warn: (text: string) => void): Promise<ConfigView | undefined> {
  const explicit = cmd.getOptionValueSource('config') === 'cli' ? (cmd.getOptionValue('config') as string) : undefined;
  const found = findConfigPath(explicit, io.env, io.cwd);
  if (!found) return undefined;
  const view = configView(await loadConfigFile(found.path, found.what, warn), cmd.name());
  for (const key of Object.keys(METER_KEYS)) {
    const option = key.replace(/_/g, '-');
    const attr = option.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (!cmd.options.some((o) => o.long === `--${option}`)) continue;
    if (cmd.getOptionValueSource(attr) === 'cli') continue;
    const v = view.value(option);
    if (v !== undefined) cmd.setOptionValueWithSource(attr, String(v), 'config');
  }
  return view;
}
