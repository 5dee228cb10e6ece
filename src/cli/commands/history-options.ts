/**
 * `multical history`'s options and what they ask for, checked before the meter is contacted: which log,
 * which registers, which entries (the newest N, a span of the meter's dates, or what is new since the
 * last run), and how to print them.
 */
import { UsageError } from '../../core/errors.js';
import { parseRegisterIds } from '../../settings/arguments.js';
import { BOOL, int, oneOf, text, type OptionSpec } from '../../settings/options.js';
import { resolveValue, type Sources } from '../../settings/resolve.js';
import { JSON_OPTION } from './get.js';

export const LOGGER_NAMES = ['hourly', 'daily', 'monthly', 'yearly', 'interval'] as const;
export type LoggerName = (typeof LOGGER_NAMES)[number];

/** The newest entries shown when no span is given: a day of hours, a month of days, a year of months, ten years. */
export const DEFAULT_LAST: Readonly<Record<LoggerName, number>> = { hourly: 24, daily: 31, monthly: 12, yearly: 10, interval: 24 };

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

function dateProblem(v: string): string | undefined {
  const m = DATE.exec(v.trim());
  if (!m) return 'use a date of the meter clock: 2026-01-31 or 2026-01-31T06:00';
  const [y, mo, d, h = '00', mi = '00', s = '00'] = m.slice(1) as [string, string, string, string?, string?, string?];
  const ms = Date.UTC(+y, +mo - 1, +d);
  const ok = new Date(ms).toISOString().slice(0, 10) === `${y}-${mo}-${d}` && +h < 24 && +mi < 60 && +s < 60;
  return ok ? undefined : 'is not a date';
}

const local = (spec: Omit<OptionSpec, 'config'>): OptionSpec => ({ ...spec, config: false });

export const HISTORY_OPTIONS = {
  logger: local({
    name: 'logger',
    arg: 'name',
    type: oneOf(...LOGGER_NAMES),
    help:
      'which log: hourly, daily, monthly or yearly (CID B8: MULTICAL 303/403/603/803 generation), or interval ' +
      "(GetLog A2: a MULTICAL 601's logger module at 0x7F/0xBF, the 801's logger)",
  }),
  last: local({
    name: 'last',
    arg: 'n',
    type: int(1, 65535),
    help: 'the newest N entries (default: 24 hourly, 31 daily, 12 monthly, 10 yearly)',
  }),
  from: local({
    name: 'from',
    arg: 'date',
    type: text(dateProblem),
    help: "entries from this date of the meter's clock (2026-01-31 or 2026-01-31T06:00)",
  }),
  to: local({ name: 'to', arg: 'date', type: text(dateProblem), help: 'entries up to this date (a date alone: to the end of that day)' }),
  new: local({
    name: 'new',
    type: BOOL,
    help: "only entries newer than the last --new run's, per meter and log (state in $XDG_STATE_HOME/multical); the first run prints all the meter holds, or --last N / --from",
  }),
  restart: local({
    name: 'restart',
    type: BOOL,
    help: 'with --new: forget what earlier runs read (after a reset was reported) and start over',
  }),
  csv: local({ name: 'csv', type: BOOL, help: "CSV: a header, then one row per entry (log id, the meter's time, DST minutes, values)" }),
  json: { ...JSON_OPTION, help: 'print one JSON object: the log, and its entries in log order with time stamps and exact values' },
  header: local({
    name: 'header',
    type: BOOL,
    help: 'with --csv: print the header line (default: yes, except on --new runs after the first)',
  }),
} satisfies Record<string, OptionSpec>;

export type Span = { kind: 'last'; count: number } | { kind: 'dates'; from: string | undefined; to: string | undefined };

export interface HistoryPlan {
  logger: LoggerName;
  /** Registers given on the command line; undefined: what the log holds. */
  registers: number[] | undefined;
  /** undefined: the default (the newest entries; with --new: everything the meter holds). */
  span: Span | undefined;
  incremental: boolean;
  restart: boolean;
  format: 'table' | 'csv' | 'json';
  header: boolean | undefined;
}

/** `2026-01-31` → `2026-01-31T00:00:00`, or with `endOfDay`, `2026-01-31T23:59:59`. */
export function normalizeDate(v: string, endOfDay: boolean): string {
  const m = DATE.exec(v.trim())!;
  if (m[4] === undefined) return `${m[1]}-${m[2]}-${m[3]}T${endOfDay ? '23:59:59' : '00:00:00'}`;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? (endOfDay ? '59' : '00')}`;
}

export function parsePlan(src: Sources, args: readonly string[]): HistoryPlan {
  const o = HISTORY_OPTIONS;
  const logger = resolveValue<LoggerName | undefined>(o.logger, src);
  if (logger === undefined) {
    throw new UsageError(
      'history needs --logger hourly, daily, monthly or yearly (or interval for a MULTICAL 601 logger module or an 801)',
    );
  }
  const last = resolveValue<number | undefined>(o.last, src);
  const from = resolveValue<string | undefined>(o.from, src);
  const to = resolveValue<string | undefined>(o.to, src);
  const incremental = resolveValue<boolean | undefined>(o.new, src) === true;
  const restart = resolveValue<boolean | undefined>(o.restart, src) === true;
  const csv = resolveValue<boolean | undefined>(o.csv, src) === true;
  const json = resolveValue<boolean | undefined>(o.json, src) === true;
  if (last !== undefined && (from !== undefined || to !== undefined))
    throw new UsageError('--last and --from/--to choose entries in two ways: give one');
  if (csv && json) throw new UsageError('--csv and --json: choose one output');
  if (restart && !incremental) throw new UsageError('--restart goes with --new');
  if (incremental && json) {
    throw new UsageError(
      '--new works with the table or --csv: the one JSON object is printed when the run ends, after the state would be saved',
    );
  }
  if (incremental && to !== undefined) throw new UsageError('--new prints up to the newest entry: --to does not go with it');
  const span: Span | undefined =
    last !== undefined
      ? { kind: 'last', count: last }
      : from !== undefined || to !== undefined
        ? { kind: 'dates', from: from && normalizeDate(from, false), to: to && normalizeDate(to, true) }
        : undefined;
  if (span?.kind === 'dates' && span.from && span.to && span.from > span.to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const header = src.cli('header') as boolean | undefined;
  if (header !== undefined && !csv) throw new UsageError(`--${header ? '' : 'no-'}header goes with --csv`);
  const registers = args.length > 0 ? parseRegisterIds(args) : undefined;
  return { logger, registers, span, incremental, restart, format: csv ? 'csv' : json ? 'json' : 'table', header };
}
