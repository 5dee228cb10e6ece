/**
 * Which meters a run acts on. The classic command line (`-d DEV`) is one meter and needs no config
 * file; else the config file's `meters:` list (all of them, or the ones named with `--meter`); else the
 * one meter of the file's top-level keys. Each meter sees its settings through its own Sources: its
 * entry's keys first, then the file's top-level keys (and, above both, the command line and environment).
 */
import { UsageError } from '../core/errors.js';
import { meterView, METERS_KEY, type ConfigData } from './config-file.js';
import { text, type OptionSpec } from './options.js';
import type { Sources } from './resolve.js';

export function meterNameProblem(value: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(value)
    ? undefined
    : 'must be letters, digits, - and _ (at most 64), starting with a letter or digit';
}

/** A meter's name in the `meters:` list: it names the meter in output, MQTT topics and the HTTP API. */
export const METER_NAME: OptionSpec = { name: 'name', scope: 'meter', type: text(meterNameProblem), help: "the meter's name" };

/** `--meter NAME` (repeatable): act on these meters of the config file only. */
export const METER_SELECT: OptionSpec = {
  name: 'meter',
  flags: '--meter <name>',
  config: false,
  repeatable: true,
  type: text(),
  help: 'act on this meter of the config file only (repeatable; default: every meter listed)',
};

export interface MeterPlan {
  /** The meter's name: from `meters:`, else "meter". */
  name: string;
  /** Where this meter's settings come from. */
  src: Sources;
  /** Whether the run has a list of meters (MQTT topics and output then carry the names). */
  listed: boolean;
}

/** The meters of this run, in the order the file lists them; `selected` are the `--meter` names. */
export function metersOf(src: Sources, selected: readonly string[] | undefined): MeterPlan[] {
  const entries = src.config?.data[METERS_KEY] as ConfigData[] | undefined;
  const classic = src.cli('device') !== undefined;
  if (selected && selected.length > 0 && (classic || !entries)) {
    throw new UsageError(
      `--meter ${selected.join(', ')}: ${classic ? '-d names one meter already' : 'the config file lists no meters (meters:)'}`,
    );
  }
  if (classic || !entries) return [{ name: 'meter', src, listed: false }];
  const all = entries.map((e, i): MeterPlan => ({
    name: String(e.name),
    src: { ...src, config: meterView(src.config!, i) },
    listed: true,
  }));
  if (!selected || selected.length === 0) return all;
  const unknown = selected.filter((n) => !all.some((m) => m.name === n));
  if (unknown.length > 0) {
    throw new UsageError(
      `--meter ${unknown.join(', ')}: no such meter in ${src.config!.path} (it lists ${all.map((m) => m.name).join(', ')})`,
    );
  }
  return all.filter((m) => selected.includes(m.name));
}
