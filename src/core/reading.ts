/**
 * What a meter read yields, whatever the protocol: readings. Sinks (Domoticz, MQTT, JSON, HTTP) take
 * readings and never see a KMP record or an M-Bus data block. A reading is named by the KMP register id
 * of its quantity (M-Bus records map onto the same ids), so `idx:CommandNr:mode` arguments, MQTT keys
 * and Home Assistant sensors mean the same thing whichever protocol read the meter.
 */
import type { Decimal } from './decimal.js';
import type { MulticalError } from './errors.js';

export interface Reading {
  /** The KMP register id of this quantity; undefined for an M-Bus record that maps to none. */
  register: number | undefined;
  /** For people: the register table's name ("Heat Energy (E1)"), or the protocol's description. */
  name: string;
  /** energy, volume, volume flow, power, flow temperature, return temperature, temperature difference, on time, info code, date, … */
  quantity: string;
  /** The exact value of a number; undefined for a date, a time or text. */
  value: Decimal | undefined;
  /** The exact decimal text of `value`, or an ISO 8601 date/time, or text. */
  text: string;
  /** A symbol of the KMP units table ("" for a plain number, "yy:mm:dd" for a date register). */
  unit: string;
  /** Where the protocol has them (M-Bus): storage number, tariff, subunit and function. KMP: current values. */
  storage?: number;
  tariff?: number;
  subunit?: number;
  function?: 'instantaneous' | 'maximum' | 'minimum' | 'error';
  /** For an info code: its set bits as named flags, for the meter's model (BIT_n where unknown). */
  flags?: ReadingFlag[];
}

/** One set bit of an info code: `LOW_BATTERY_LEVEL`, category `battery` (leak, alarm, battery, problem, info, unknown). */
export interface ReadingFlag {
  bit: number;
  name: string;
  category: string;
}

export interface ReadFailure {
  /** The register ids the failed request was for. */
  registers: number[];
  error: MulticalError;
}

/** One read of a meter: which ids were read, which the meter does not have, which failed and why. */
export interface ReadResult {
  /** Readings by register id, each id once. */
  readings: Map<number, Reading>;
  /** Everything the meter sent, in its order, including readings that have no register id (M-Bus). */
  all: Reading[];
  /** Ids the meter left out: it does not know them. */
  missing: number[];
  failed: ReadFailure[];
  /** The meter's serial number, when the read was asked for it (ReadOptions.serial). */
  serial?: string;
}

export interface ReadOptions {
  /** Also learn the meter's serial number, at no extra request where the protocol allows. */
  serial?: boolean;
}

/** What reaching the meter cost: the battery pays for every request. */
export interface ReadStats {
  /** Logical requests (a KMP batch of ≤ 8 registers, a GetType, an M-Bus REQ_UD2 …). */
  requests: number;
  /** Frames sent, retries included. */
  attempts: number;
  bytesSent: number;
  bytesReceived: number;
}

/** Who the meter is, for device names in Home Assistant and for `info`. */
export interface MeterIdentity {
  serial: string;
  /** "MULTICAL (type 0x0004)", "MULTICAL 403"… */
  model: string;
  /** The MULTICAL model number when known ("403"): from the user (`--model`) or the M-Bus version byte. */
  modelNumber?: string;
  /** Software revision (KMP "F1") or M-Bus version. */
  revision: string;
  manufacturer: string;
  /** What `info` prints, in order: a JSON key and value, and (when shown in the table) a label and text. */
  facts: Array<{ key: string; value: string | number; label?: string; text?: string }>;
}

export function emptyResult(): ReadResult {
  return { readings: new Map(), all: [], missing: [], failed: [] };
}

export function numeric(r: Reading): r is Reading & { value: Decimal } {
  return r.value !== undefined;
}

export function statsText(stats: ReadStats): string {
  const s = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${s(stats.requests, 'request')}, ${s(stats.attempts, 'frame')} sent, ${stats.bytesSent} bytes out, ${stats.bytesReceived} bytes in`;
}
