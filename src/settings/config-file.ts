/**
 * The config file: YAML holding what would otherwise be a long crontab line. Found at `--config FILE`,
 * else $MULTICAL_CONFIG, else $XDG_CONFIG_HOME/multical/config.yaml (~/.config/multical/config.yaml)
 * when that exists. Checked completely against the option table before anything is contacted: an
 * unknown key, a wrong type or a bad value is one line naming the file and the key, and a secret's value
 * is never echoed. Relative paths in the file are relative to the file's folder. The YAML parser loads
 * only when there is a file to read.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { MAX_CONFIG_BYTES, readUserFile } from './files.js';
import { configKey, either, problemOf, type OptionSpec, type ValueType } from './options.js';

export type ConfigData = Record<string, unknown>;

/** The keys a file may hold: top-level options, a section's options under its name, and the `meters:` list. */
export interface ConfigSchema {
  top: ReadonlyMap<string, OptionSpec>;
  sections: ReadonlyMap<string, ReadonlyMap<string, OptionSpec>>;
  /** The keys of one entry of `meters:`, when the file may list meters. */
  meters?: ConfigSchema;
}

function mapsOf(specs: readonly OptionSpec[], inScope: (s: OptionSpec) => boolean): ConfigSchema {
  const top = new Map<string, OptionSpec>();
  const sections = new Map<string, Map<string, OptionSpec>>();
  for (const spec of specs) {
    const key = configKey(spec);
    if (key === undefined || !inScope(spec)) continue;
    if (spec.section === undefined) top.set(key, spec);
    else {
      const sec = sections.get(spec.section) ?? new Map<string, OptionSpec>();
      sec.set(key, spec);
      sections.set(spec.section, sec);
    }
  }
  return { top, sections };
}

export function schemaOf(specs: readonly OptionSpec[]): ConfigSchema {
  const run = mapsOf(specs, (s) => s.scope !== 'meter');
  const meter = mapsOf(specs, (s) => s.scope === 'meter' || s.scope === 'both');
  return meter.top.size > 0 ? { ...run, meters: meter } : run;
}

/** The key of the list of meters. */
export const METERS_KEY = 'meters';

/** A loaded, checked file: values by section and key, each with the label that names it in messages. */
export interface ConfigView {
  readonly path: string;
  readonly data: ConfigData;
  lookup(section: string | undefined, key: string): { value: unknown; label: string } | undefined;
}

export function viewOf(path: string, data: ConfigData): ConfigView {
  return {
    path,
    data,
    lookup(section, key) {
      const where = section === undefined ? data : (data[section] as ConfigData | undefined);
      const value = where?.[key];
      return value === undefined ? undefined : { value, label: `${path}: ${section ? `${section}.` : ''}${key}` };
    },
  };
}

/** The view one meter of `meters:` has: its entry's keys first, then the file's top-level ones. */
export function meterView(file: ConfigView, index: number): ConfigView {
  const entries = file.data[METERS_KEY] as ConfigData[] | undefined;
  const entry = entries?.[index];
  if (!entry) return file;
  const own = viewOf(file.path, entry);
  return {
    path: file.path,
    data: file.data,
    lookup(section, key) {
      const mine = own.lookup(section, key);
      if (mine) return { value: mine.value, label: mine.label.replace(`${file.path}: `, `${file.path}: ${METERS_KEY}[${index}].`) };
      return file.lookup(section, key);
    },
  };
}

/** Where the config file is, or undefined when there is none. `explicit` is --config. */
export function findConfigPath(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): { path: string; what: string } | undefined {
  if (explicit !== undefined) return { path: resolve(cwd, explicit), what: '--config' };
  const fromEnv = env.MULTICAL_CONFIG;
  if (fromEnv !== undefined && fromEnv !== '') return { path: resolve(cwd, fromEnv), what: 'MULTICAL_CONFIG' };
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  const p = join(base, 'multical', 'config.yaml');
  return existsSync(p) ? { path: p, what: 'default' } : undefined;
}

/** Reads, parses and checks a config file. Throws a UsageError (exit 2) naming the file. */
export async function loadConfigFile(file: string, what: string, schema: ConfigSchema, warn: (text: string) => void): Promise<ConfigView> {
  const { data: bytes, mode } = readUserFile(file, what === 'default' ? 'config file' : what, MAX_CONFIG_BYTES);
  const raw = await parseYaml(file, bytes.toString('utf8'));
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`${file}: must hold settings as "key: value" lines (a YAML mapping), e.g. device: /dev/ttyUSB0`);
  }
  const data = checkMapping(raw as Record<string, unknown>, schema, '', file);
  const secrets = secretKeys(data, schema);
  if (secrets.length > 0 && (mode & 0o044) !== 0) {
    warn(
      `warning: ${file} holds ${secrets.join(' and ')} and can be read by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 ${file}`,
    );
  }
  return viewOf(file, data);
}

async function parseYaml(file: string, text: string): Promise<unknown> {
  const { LineCounter, parseDocument, isMap, visit } = await import('yaml');
  const lineCounter = new LineCounter();
  const where = (offset: number): string => {
    const pos = lineCounter.linePos(offset);
    return `line ${pos.line}, column ${pos.col}`;
  };
  // uniqueKeys off: the parser's own check is quadratic in the keys of a map; this walk is linear.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, lineCounter });
  const syntax = doc.errors[0];
  if (syntax) {
    throw new UsageError(
      `${file}: YAML syntax error at ${where(syntax.pos[0])}: ${syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  visit(doc, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Set<unknown>();
      for (const item of map.items) {
        const k = (item.key as { value?: unknown } | null)?.value ?? item.key;
        if (seen.has(k)) {
          const range = (item.key as { range?: [number, number, number] } | null)?.range;
          throw new UsageError(`${file}: YAML syntax error at ${where(range?.[0] ?? 0)}: Map keys must be unique`);
        }
        seen.add(k);
      }
    },
  });
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new UsageError(`${file}: YAML error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

function secretKeys(data: ConfigData, schema: ConfigSchema): string[] {
  const out: string[] = [];
  for (const [name, keys] of schema.sections) {
    const sec = data[name] as ConfigData | undefined;
    for (const [k, spec] of keys) if (spec.type.kind === 'secret' && sec?.[k] !== undefined) out.push(`${name}.${k}`);
  }
  return out;
}

function checkMapping(raw: Record<string, unknown>, schema: ConfigSchema, prefix: string, file: string): ConfigData {
  const out: ConfigData = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = prefix + k;
    const section = schema.sections.get(k);
    if (section) {
      if (v === null || typeof v !== 'object' || Array.isArray(v))
        throw new UsageError(`${file}: ${name} must be a section of "key: value" lines`);
      out[k] = checkMapping(v as Record<string, unknown>, { top: section, sections: new Map() }, `${name}.`, file);
      continue;
    }
    if (k === METERS_KEY && schema.meters) {
      out[k] = checkMeters(v, schema.meters, name, file);
      continue;
    }
    const spec = schema.top.get(k);
    if (!spec) {
      const known = [...schema.top.keys(), ...schema.sections.keys(), ...(schema.meters ? [METERS_KEY] : [])];
      const near = known.find((key) => editDistance(key, k) <= 2);
      throw new UsageError(`${file}: unknown key ${name}${near ? ` (did you mean ${prefix}${near}?)` : ''}`);
    }
    const problem = checkValue(spec.type, v, name);
    if (problem !== undefined) throw new UsageError(`${file}: ${name} ${problem}`);
    if (spec.type.kind === 'list') out[k] = (v as unknown[]).map(String);
    else out[k] = spec.type.kind === 'path' && !isAbsolute(v as string) ? resolve(dirname(file), v as string) : v;
  }
  return out;
}

/** `meters:` — a list of entries, each checked against the meter keys, with a unique `name`. */
function checkMeters(v: unknown, schema: ConfigSchema, name: string, file: string): ConfigData[] {
  if (!Array.isArray(v) || v.length === 0) throw new UsageError(`${file}: ${name} must be a list of meters, each with a name and a device`);
  const names = new Set<string>();
  return v.map((entry, i) => {
    const where = `${name}[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new UsageError(`${file}: ${where} must be a section of "key: value" lines (name:, device:, …)`);
    }
    const data = checkMapping(entry as Record<string, unknown>, schema, `${where}.`, file);
    const meterName = data.name;
    if (typeof meterName !== 'string') throw new UsageError(`${file}: ${where}.name is missing: every meter needs a name`);
    if (names.has(meterName)) throw new UsageError(`${file}: ${where}.name ${JSON.stringify(meterName)} is used twice`);
    names.add(meterName);
    return data;
  });
}

/** What is wrong with a YAML value for `type`; a secret's value is never put in the message. */
function checkValue(type: ValueType, v: unknown, name: string): string | undefined {
  if (v === null || v === undefined) return 'has no value';
  const wantsText =
    type.kind === 'text' || type.kind === 'secret' || type.kind === 'path' || (type.kind === 'enum' && typeof v !== 'number');
  if (wantsText && typeof v !== 'string') {
    if (typeof v !== 'number' && typeof v !== 'boolean') return 'must be text';
    const key = name.split('.').pop();
    return type.kind === 'secret'
      ? `must be text: put the value in quotes (YAML reads it as a ${typeof v}, which may change it)`
      : `must be text (put it in quotes: ${key}: "${String(v)}")`;
  }
  if (wantsText && (v as string).trim() === '') return 'is empty';
  if ((type.kind === 'int' || type.kind === 'seconds') && (typeof v !== 'number' || !Number.isFinite(v))) return 'must be a number';
  if (type.kind === 'list') return checkList(type, v);
  if (type.kind === 'enum' && !(typeof v === 'number' || typeof v === 'string')) return `must be ${either(type.values)}`;
  return problemOf(type, v);
}

function checkList(type: Extract<ValueType, { kind: 'list' }>, v: unknown): string | undefined {
  if (!Array.isArray(v)) return `must be a list of ${type.what}, e.g. ${type.example}`;
  if (v.length === 0) return 'is an empty list';
  for (const [i, item] of v.entries()) {
    if (typeof item !== 'string' && typeof item !== 'number') return `[${i}] must be ${type.what}`;
    try {
      type.item(String(item));
    } catch (e) {
      return `[${i}]: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return undefined;
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
