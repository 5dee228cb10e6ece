/**
 * The one resolution rule: a setting's value comes from the command line, else its environment
 * variable, else the config file, else its default — key by key — and every message names where the
 * value came from (`--url`, `DOMOTICZ_URL`, `/etc/multical.yaml: domoticz.url`). Secrets add a file
 * at each level: option, option file, environment, config file's `*_file`, config value.
 */
import type { ConfigView } from './config-file.js';
import { readSecretFile } from './files.js';
import { configKey, parseOption, type OptionSpec } from './options.js';

export type Source = 'cli' | 'env' | 'config' | 'default';

/** A value as given: command-line text, a flag, a repeated option, or a checked YAML value. */
export type RawValue = string | number | boolean | string[];

export interface Sources {
  /** The value given on the command line for the option `name`, if any (as commander parsed it). */
  cli(name: string): RawValue | undefined;
  env: Readonly<Record<string, string | undefined>>;
  config: ConfigView | undefined;
  /** Where warnings go (a secret file others can read). */
  warn: (text: string) => void;
}

export interface Resolved {
  /** The checked value (seconds in ms), or undefined when nothing gave one and there is no default. */
  value: unknown;
  source: Source;
  /** Where the value came from, for messages. */
  label: string;
}

export function flagLabel(spec: OptionSpec): string {
  return `--${spec.name}`;
}

function fromConfig(spec: OptionSpec, src: Sources): { value: RawValue; label: string } | undefined {
  const key = configKey(spec);
  const found = key === undefined ? undefined : src.config?.lookup(spec.section, key);
  // The file was checked against the option table when it was loaded: its values have the table's types.
  return found === undefined ? undefined : { value: found.value as RawValue, label: found.label };
}

/** Where one option's value comes from by the rule, unchecked (the value as given). */
export function resolveRaw(spec: OptionSpec, src: Sources): { raw: RawValue | undefined; source: Source; label: string } {
  const c = src.cli(spec.name);
  if (c !== undefined) return { raw: c, source: 'cli', label: flagLabel(spec) };
  const e = spec.env ? src.env[spec.env] : undefined;
  if (spec.env && e !== undefined && e !== '') return { raw: e, source: 'env', label: spec.env };
  const f = fromConfig(spec, src);
  if (f !== undefined) return { raw: f.value, source: 'config', label: f.label };
  return { raw: spec.default, source: 'default', label: flagLabel(spec) };
}

/** The value of one option by the rule, checked. */
export function resolve(spec: OptionSpec, src: Sources): Resolved {
  const r = resolveRaw(spec, src);
  return { value: r.raw === undefined ? undefined : parseOption(spec, r.raw, r.label), source: r.source, label: r.label };
}

/** A text option (a path, a name) with the label that names where it came from; undefined when not given. */
export function resolveText(spec: OptionSpec, src: Sources): { value: string; label: string } | undefined {
  const r = resolve(spec, src);
  return typeof r.value === 'string' ? { value: r.value, label: r.label } : undefined;
}

export function resolveValue<T>(spec: OptionSpec, src: Sources): T {
  return resolve(spec, src).value as T;
}

/**
 * A secret by the rule, each level offering the value itself or a file holding it: `--password`,
 * `--password-file`, PASSWORD_ENV, the config file's `password_file`, its `password`. Files are checked
 * (regular, small, not readable by others without a warning); the value is never put in a message.
 */
export function resolveSecret(valueSpec: OptionSpec, fileSpec: OptionSpec, src: Sources): { secret: string; label: string } | undefined {
  const direct = src.cli(valueSpec.name);
  if (direct !== undefined) return { secret: String(direct), label: flagLabel(valueSpec) };
  const file = src.cli(fileSpec.name);
  if (file !== undefined) return { secret: readSecretFile(String(file), flagLabel(fileSpec), src.warn), label: flagLabel(fileSpec) };
  const e = valueSpec.env ? src.env[valueSpec.env] : undefined;
  if (valueSpec.env && e !== undefined && e !== '') return { secret: e, label: valueSpec.env };
  const cf = fromConfig(fileSpec, src);
  if (cf !== undefined) return { secret: readSecretFile(String(cf.value), cf.label, src.warn), label: cf.label };
  const cv = fromConfig(valueSpec, src);
  return cv === undefined ? undefined : { secret: String(cv.value), label: cv.label };
}
