/**
 * The words that configure a simulated meter: `-d sim:echo,crc-once,omit=86+87,energy=GJ` and
 * `multical simulate --fault WORD`. Parsed and checked before anything runs.
 */
import { UsageError } from '../core/errors.js';
import { NONSENSE, type Nonsense, type SimFaults } from './faults.js';
import type { EnergyUnit } from './kmp-registers.js';

export interface SimOptions {
  /** Echo every request back first, as some IR heads do. */
  echo?: boolean;
  /** Milliseconds between the request's end and the reply's first byte (a real meter: ~250). */
  latencyMs?: number;
  /** Pace the wire at this baud (11 bits a byte), both for the request arriving and the reply. */
  baud?: number;
  faults?: SimFaults;
  /** Unit of the energy registers: MWh (default), GJ or kWh. */
  energyUnit?: EnergyUnit;
  serialNo?: number;
  meterType?: number;
  /** What register 99 (the info code) reads: a bit field, 0 when all is well. */
  infoCode?: number;
  /** The clock (ms since epoch); tests pin it. */
  now?: () => number;
  random?: () => number;
}

/** Real-meter timing: 1200 baud 8N2 on the wire, ~0.25 s before the reply. */
export const REAL_METER_TIMING = { baud: 1200, latencyMs: 250 } as const;

/** The option words, for help texts. */
export const SIM_SPEC_HELP =
  'echo, real-timing, latency=MS, baud=N, energy=MWh|GJ|kWh, info=N (the info code), no-answer, silent-first[=N], crc-once, crc-always, garbage, ' +
  'truncate-once, truncate-always, wrong-command-once, wrong-command, vanish-after=N, omit=ID+ID, implausible (Temp1 reads 1000 °C), ' +
  'nonsense=huge|exponent|length|unit (register 60 is nonsense with a valid CRC)';

type Apply = (o: SimOptions, f: SimFaults, value: string | undefined) => void;

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
    o.baud = REAL_METER_TIMING.baud;
    o.latencyMs = REAL_METER_TIMING.latencyMs;
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
  omit: (_o, f, v) => {
    const ids = (v ?? '').split('+').map((s) => (/^\d{1,5}$/.test(s) ? Number(s) : Number.NaN));
    if (ids.some((n) => !Number.isInteger(n) || n > 0xffff)) {
      throw new UsageError(`simulator option omit needs register ids joined by +, not ${JSON.stringify(v ?? '')}`);
    }
    f.omit = ids;
  },
};

/** Parses `sim` or `sim:word,word=value,…`. */
export function parseSimSpec(spec: string): SimOptions {
  const faults: SimFaults = {};
  const opts: SimOptions = { faults };
  const rest = spec === 'sim' ? '' : spec.replace(/^sim:/, '');
  for (const word of rest
    .split(',')
    .map((w) => w.trim())
    .filter(Boolean)) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    const apply = Object.hasOwn(WORDS, key) ? WORDS[key] : undefined;
    if (!apply) throw new UsageError(`unknown simulator option ${JSON.stringify(word)} (see multical simulate --help)`);
    apply(opts, faults, eq < 0 ? undefined : word.slice(eq + 1));
  }
  return opts;
}
