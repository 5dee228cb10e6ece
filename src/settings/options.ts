/**
 * One table of options: each setting once, with its flag, environment variable, config-file key, type
 * and range, default and help text. The same entry feeds commander (cli/), the config-file schema
 * (config-file.ts) and the one resolution rule (resolve.ts): command line → environment → config
 * file → default. Values parse here, from text (command line, environment) or from YAML.
 */
import { UsageError } from '../core/errors.js';
import { maskSecrets } from '../core/redact.js';

export type ValueType =
  | { kind: 'text'; check?: (value: string) => string | undefined }
  | { kind: 'secret' }
  | { kind: 'path' }
  | { kind: 'bool' }
  | { kind: 'int'; min: number; max: number; message?: string }
  | { kind: 'seconds'; min: number; max: number }
  | { kind: 'duration'; min: number; max: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list'; item: (text: string) => void; example: string; what: string };

export interface OptionSpec {
  /** The long option's name: `http-timeout` is `--http-timeout`, config key `http_timeout`. */
  name: string;
  /** Commander's flags when not `--name <arg>`: `-d, --device <device>`, `--test_kamstrup`. */
  flags?: string;
  /** The placeholder of the value in help: `seconds` gives `--timeout <seconds>`. */
  arg?: string;
  env?: string;
  /** The config-file key; false: command line only. Default: the name with `_` for `-`. */
  config?: string | false;
  /** The config-file section the key lives in (undefined: top level). */
  section?: 'domoticz' | 'mqtt';
  /**
   * Where the key may stand in the config file: at the top (`run`, the default), in an entry of the
   * `meters:` list (`meter`), or in both (`both`: the entry's value wins for that meter).
   */
  scope?: 'run' | 'meter' | 'both';
  type: ValueType;
  /** Given more than once on the command line, it collects every value (`--meter a --meter b`). */
  repeatable?: boolean;
  /** The default, as the program uses it (seconds as seconds). */
  default?: string | number | boolean;
  help: string;
}

export const text = (check?: (value: string) => string | undefined): ValueType => (check ? { kind: 'text', check } : { kind: 'text' });
export const SECRET: ValueType = { kind: 'secret' };
export const PATH: ValueType = { kind: 'path' };
export const BOOL: ValueType = { kind: 'bool' };
export const int = (min: number, max: number, message?: string): ValueType => ({ kind: 'int', min, max, ...(message ? { message } : {}) });
export const seconds = (min: number, max: number): ValueType => ({ kind: 'seconds', min, max });
export const oneOf = (...values: string[]): ValueType => ({ kind: 'enum', values });
/** A duration in seconds, or with a unit: `90`, `90s`, `5m`, `2h`. */
export const duration = (min: number, max: number): ValueType => ({ kind: 'duration', min, max });

const UNIT_S: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, min: 60, h: 3600 };

/** Seconds of `90`, `90s`, `5m`, `1.5h`; NaN for anything else. */
export function durationSeconds(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /^\s*(\d{1,9}(?:\.\d{1,6})?)\s*(s|m|min|h)?\s*$/.exec(v) : null;
  return m ? Number(m[1]) * UNIT_S[m[2] ?? '']! : Number.NaN;
}

export function configKey(spec: OptionSpec): string | undefined {
  if (spec.config === false) return undefined;
  return spec.config ?? spec.name.replace(/-/g, '_');
}

/** Commander's flags for the option. */
export function flagsOf(spec: OptionSpec): string {
  if (spec.flags) return spec.flags;
  return spec.type.kind === 'bool' ? `--${spec.name}` : `--${spec.name} <${spec.arg ?? 'value'}>`;
}

/** The help line: the text, then the environment variable and the default. */
export function helpOf(spec: OptionSpec): string {
  const extra: string[] = [];
  if (spec.env) extra.push(`env ${spec.env}`);
  if (spec.default !== undefined && spec.type.kind !== 'bool') extra.push(`default: ${String(spec.default)}`);
  return extra.length ? `${spec.help} (${extra.join('; ')})` : spec.help;
}

/** "a, b or c" */
export function either(values: readonly string[]): string {
  return values.length < 2 ? (values[0] ?? '') : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** What is wrong with a value for `type`, or undefined; `v` is text (command line, environment) or YAML. */
export function problemOf(type: ValueType, v: unknown): string | undefined {
  switch (type.kind) {
    case 'text':
      return typeof v !== 'string' || v.trim() === '' ? 'must not be empty' : type.check?.(v);
    case 'secret':
    case 'path':
      return typeof v !== 'string' || v === '' ? 'must not be empty' : undefined;
    case 'bool':
      return v === true || v === false || v === 'true' || v === 'false' ? undefined : 'must be true or false';
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,16}$/.test(v.trim()) ? Number(v) : Number.NaN;
      return Number.isSafeInteger(n) && n >= type.min && n <= type.max
        ? undefined
        : (type.message ?? `must be a whole number from ${type.min} to ${type.max}`);
    }
    case 'seconds': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,9}(\.\d{1,9})?$/.test(v.trim()) ? Number(v) : Number.NaN;
      return Number.isFinite(n) && n >= type.min && n <= type.max
        ? undefined
        : `must be a number of seconds from ${type.min} to ${type.max}`;
    }
    case 'duration': {
      const n = durationSeconds(v);
      return Number.isFinite(n) && n >= type.min && n <= type.max
        ? undefined
        : `must be a duration from ${type.min} s to ${type.max} s (90, 90s, 5m, 1h)`;
    }
    case 'enum':
      return (typeof v === 'string' || typeof v === 'number') && type.values.includes(String(v))
        ? undefined
        : `must be ${either(type.values)}`;
    case 'list':
      return undefined; // lists are checked item by item (checkList)
  }
}

/** A checked value in the program's terms: seconds as milliseconds, booleans and numbers as such. */
export function valueOf(type: ValueType, v: unknown): unknown {
  switch (type.kind) {
    case 'bool':
      return v === true || v === 'true';
    case 'int':
      return typeof v === 'number' ? v : Number(v);
    case 'seconds':
      return Math.round((typeof v === 'number' ? v : Number(v)) * 1000);
    case 'duration':
      return Math.round(durationSeconds(v) * 1000);
    case 'enum':
      return String(v);
    default:
      return v;
  }
}

/** Parses text given for an option (command line or environment), naming `label` in the one-line error. */
export function parseOption(spec: OptionSpec, v: unknown, label: string): unknown {
  const problem = problemOf(spec.type, v);
  if (problem !== undefined) {
    const shown = spec.type.kind === 'secret' ? '' : ` ${maskSecrets(JSON.stringify(String(v)))}`;
    throw new UsageError(`${label}${shown}: ${problem}`);
  }
  return valueOf(spec.type, v);
}
