/**
 * The words that configure a simulated meter: `-d sim:echo,crc-once,omit=86+87,energy=GJ` and
 * `multical simulate --fault WORD`. Parsed and checked before anything runs. The protocol the meter speaks
 * is the run's `--protocol`; words of the other protocol only are refused (M-Bus words in mbus-spec.ts).
 */
import { UsageError } from '../core/errors.js';
import { NONSENSE, type Nonsense, type SimFaults } from './faults.js';
import type { LoggerModel, LoggerSimOptions } from './kmp-loggers.js';
import type { EnergyUnit } from './kmp-registers.js';
import { KMP_ONLY_WORDS, MBUS_ONLY_WORDS, MBUS_SPEC_HELP, MBUS_WORDS, REAL_MBUS_TIMING, type MbusSimOptions } from './mbus-spec.js';

export interface SimOptions {
  /** The protocol the meter speaks: KMP unless mbus. */
  protocol?: 'kmp' | 'mbus';
  /** M-Bus: model, addresses, telegrams, the meters on the bus. */
  mbus?: MbusSimOptions;
  /** Echo every request back first, as some IR heads do. */
  echo?: boolean;
  /** Milliseconds between the request's end and the reply's first byte (a real meter: ~250). */
  latencyMs?: number;
  /** Pace the wire at this baud (11 bits a byte), both for the request arriving and the reply. */
  baud?: number;
  faults?: SimFaults;
  /** Unit of the energy registers: MWh (default; M-Bus: kWh), GJ or kWh. */
  energyUnit?: EnergyUnit;
  serialNo?: number;
  meterType?: number;
  /** What register 99 (the info code) reads: a bit field, 0 when all is well. */
  infoCode?: number;
  /** The clock (ms since epoch); tests pin it (`now=2026-03-01T12:00:00Z`). */
  now?: () => number;
  /** The meter's loggers: which commands answer, its reply buffer, when the logs started. */
  loggers?: LoggerSimOptions;
  random?: () => number;
}

/** Real-meter timing: 1200 baud 8N2 on the wire, ~0.25 s before the reply. */
export const REAL_METER_TIMING = { baud: 1200, latencyMs: 250 } as const;

/** The option words, for help texts. */
export const SIM_SPEC_HELP =
  'echo, real-timing, latency=MS, baud=N, energy=MWh|GJ|kWh, info=N (the info code), no-answer, silent-first[=N], crc-once, crc-always, garbage, ' +
  'truncate-once, truncate-always, wrong-command-once, wrong-command, vanish-after=N, outage=FROM-TO (silent from FROM to TO seconds after start), ' +
  'omit=ID+ID, implausible (Temp1 reads 1000 °C), nonsense=huge|exponent|length|unit (register 60 is nonsense with a valid CRC), ' +
  'now=ISO-TIME (pin the clock), logger=b8|module|none, log-reply=BYTES, log-start=ISO-TIME (a later start resets the logs); ' +
  MBUS_SPEC_HELP;

type Apply = (o: SimOptions, f: SimFaults, value: string | undefined) => void;

/** `2026-03-01`, `2026-03-01T12:00`, `2026-03-01T12:00:00Z`: UTC, the simulated meter's clock. */
function isoTime(key: string, value: string | undefined): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?Z?)?$/.exec(value ?? '');
  const ms = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) : Number.NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== value!.slice(0, 10) || +(m[4] ?? 0) > 23) {
    throw new UsageError(`simulator option ${key} needs a UTC time like 2026-03-01T12:00:00Z, not ${JSON.stringify(value ?? '')}`);
  }
  return ms;
}

const LOGGER_MODELS: readonly LoggerModel[] = ['b8', 'module', 'none'];

function wholeNumber(key: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !/^\d{1,9}$/.test(value) || !Number.isInteger(n)) {
    throw new UsageError(`simulator option ${key} needs a whole number, not ${JSON.stringify(value ?? '')}`);
  }
  return n;
}

const WORDS: Readonly<Record<string, Apply>> = {
  echo: (o) => void (o.echo = true),
  'real-timing': (o) => {
    const t = o.protocol === 'mbus' ? REAL_MBUS_TIMING : REAL_METER_TIMING;
    o.baud = t.baud;
    o.latencyMs = t.latencyMs;
  },
  latency: (o, _f, v) => void (o.latencyMs = wholeNumber('latency', v)),
  info: (o, _f, v) => void (o.infoCode = wholeNumber('info', v)),
  baud: (o, _f, v) => void (o.baud = wholeNumber('baud', v)),
  energy: (o, _f, v) => {
    if (v !== 'MWh' && v !== 'GJ' && v !== 'kWh')
      throw new UsageError(`simulator energy unit must be MWh, GJ or kWh, not ${JSON.stringify(v ?? '')}`);
    o.energyUnit = v;
  },
  'no-answer': (_o, f) => void (f.noAnswer = true),
  'silent-first': (_o, f, v) => void (f.silentFirst = v === undefined ? 1 : wholeNumber('silent-first', v)),
  'crc-once': (_o, f) => void (f.corruptCrc = 'once'),
  'crc-always': (_o, f) => void (f.corruptCrc = 'always'),
  garbage: (_o, f) => void (f.garbage = true),
  implausible: (_o, f) => void (f.implausible = true),
  nonsense: (_o, f, v) => {
    if (!NONSENSE.includes(v as Nonsense))
      throw new UsageError(`simulator option nonsense must be ${NONSENSE.join(', ')}, not ${JSON.stringify(v ?? '')}`);
    f.nonsense = v as Nonsense;
  },
  'truncate-once': (_o, f) => void (f.truncate = 'once'),
  'truncate-always': (_o, f) => void (f.truncate = 'always'),
  'wrong-command-once': (_o, f) => void (f.wrongCommand = 'once'),
  'wrong-command': (_o, f) => void (f.wrongCommand = 'always'),
  'vanish-after': (_o, f, v) => void (f.vanishAfter = wholeNumber('vanish-after', v)),
  outage: (_o, f, v) => {
    const m = /^(\d{1,6})-(\d{1,6})$/.exec(v ?? '');
    if (!m || Number(m[1]) >= Number(m[2]))
      throw new UsageError(`simulator option outage needs FROM-TO in seconds from now, not ${JSON.stringify(v ?? '')}`);
    const start = Date.now();
    f.outage = { from: start + Number(m[1]) * 1000, to: start + Number(m[2]) * 1000 };
  },
  now: (o, _f, v) => {
    const ms = isoTime('now', v);
    o.now = () => ms;
  },
  logger: (o, _f, v) => {
    if (!LOGGER_MODELS.includes(v as LoggerModel))
      throw new UsageError(`simulator option logger must be ${LOGGER_MODELS.join(', ')}, not ${JSON.stringify(v ?? '')}`);
    o.loggers = { ...o.loggers, model: v as LoggerModel };
  },
  'log-reply': (o, _f, v) => {
    const n = wholeNumber('log-reply', v);
    if (n < 32 || n > 65535) throw new UsageError(`simulator option log-reply must be 32 to 65535 bytes, not ${n}`);
    o.loggers = { ...o.loggers, replyLimit: n };
  },
  'log-start': (o, _f, v) => void (o.loggers = { ...o.loggers, startMs: isoTime('log-start', v) }),
  omit: (_o, f, v) => {
    const ids = (v ?? '').split('+').map((s) => (/^\d{1,5}$/.test(s) ? Number(s) : Number.NaN));
    if (ids.some((n) => !Number.isInteger(n) || n > 0xffff)) {
      throw new UsageError(`simulator option omit needs register ids joined by +, not ${JSON.stringify(v ?? '')}`);
    }
    f.omit = ids;
  },
};

/** Parses `sim` or `sim:word,word=value,…` for a meter that speaks `protocol`. */
export function parseSimSpec(spec: string, protocol: 'kmp' | 'mbus' = 'kmp'): SimOptions {
  const faults: SimFaults = {};
  const opts: SimOptions = protocol === 'mbus' ? { faults, protocol, mbus: {} } : { faults };
  const rest = spec === 'sim' ? '' : spec.replace(/^sim:/, '');
  for (const word of rest
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    const other = protocol === 'mbus' ? KMP_ONLY_WORDS : MBUS_ONLY_WORDS;
    if (other.includes(key))
      throw new UsageError(
        `simulator option ${JSON.stringify(word)} is for ${protocol === 'mbus' ? 'KMP' : 'M-Bus'} meters only (--protocol)`,
      );
    if (opts.mbus && Object.hasOwn(MBUS_WORDS, key)) {
      MBUS_WORDS[key]!(opts.mbus, faults, value);
      continue;
    }
    const apply = Object.hasOwn(WORDS, key) ? WORDS[key] : undefined;
    if (!apply) throw new UsageError(`unknown simulator option ${JSON.stringify(word)} (see multical simulate --help)`);
    apply(opts, faults, value);
  }
  return opts;
}
