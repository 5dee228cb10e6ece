/**
 * The simulator words that only an M-Bus meter has (`-d sim:model=603,telegrams=2` with `--protocol mbus`,
 * `multical simulate --protocol mbus --fault collide-once`), and which words belong to one protocol only.
 * The simulated bus: one meter, or several (`bus=ID@ADDRESS+…`) for `multical scan`.
 */
import { UsageError } from '../core/errors.js';
import type { SimFaults } from './faults.js';

/** The modules simulated (kept here, not with their records, so that parsing the words loads no codec). */
export type MbusModel = '403' | '603';
export const MBUS_MODELS: readonly MbusModel[] = ['403', '603'];

export interface MbusSimOptions {
  model?: MbusModel;
  /** Primary address of the (single) meter; default: from its ID, as Kamstrup modules do. */
  address?: number;
  /** Identification number (the customer number), 8 digits; default 12345678. */
  id?: string;
  /** The records over this many telegrams (multi-telegram readout); default 1. */
  telegrams?: number;
  /** Several meters on one bus: each an ID and a primary address (two at one address collide). */
  bus?: Array<{ id: string; address: number }>;
}

/** Real M-Bus timing: 2400 baud 8E1, the reply 50 ms after the request (EN 13757-2 allows 11 bit times … 330 + 50 ms). */
export const REAL_MBUS_TIMING = { baud: 2400, latencyMs: 50 } as const;

export const DEFAULT_MBUS_ID = '12345678';

export const MBUS_SPEC_HELP =
  'with --protocol mbus also: model=403|603, address=N, id=NNNNNNNN, telegrams=N, bus=ID@ADDRESS+ID@ADDRESS, collide, collide-once';

/** Words a KMP meter only understands; refused for an M-Bus meter, and the M-Bus words for a KMP one. */
export const KMP_ONLY_WORDS: readonly string[] = ['wrong-command', 'wrong-command-once', 'nonsense'];
export const MBUS_ONLY_WORDS: readonly string[] = ['model', 'address', 'id', 'telegrams', 'bus', 'collide', 'collide-once'];

/** Kamstrup's rule for the default primary address: the last three digits of the customer number, else the last two. */
export function addressFromId(id: string): number {
  const three = Number(id.slice(-3));
  return three <= 250 ? three : Number(id.slice(-2));
}

function address(key: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || !/^\d{1,3}$/.test(v) || n > 250) {
    throw new UsageError(`simulator option ${key} needs a primary address 0–250, not ${JSON.stringify(v ?? '')}`);
  }
  return n;
}

function idNumber(key: string, v: string | undefined): string {
  if (v === undefined || !/^\d{8}$/.test(v))
    throw new UsageError(`simulator option ${key} needs an 8-digit ID, not ${JSON.stringify(v ?? '')}`);
  return v;
}

function bus(v: string | undefined): Array<{ id: string; address: number }> {
  const meters = (v ?? '').split('+').map((m) => {
    const [id, at] = m.split('@');
    if (at === undefined) throw new UsageError(`simulator option bus needs ID@ADDRESS joined by +, not ${JSON.stringify(v ?? '')}`);
    return { id: idNumber('bus', id), address: address('bus', at) };
  });
  if (meters.length > 250) throw new UsageError('simulator option bus takes at most 250 meters (one M-Bus segment)');
  return meters;
}

type Apply = (m: MbusSimOptions, f: SimFaults, value: string | undefined) => void;

export const MBUS_WORDS: Readonly<Record<string, Apply>> = {
  model: (m, _f, v) => {
    if (!MBUS_MODELS.includes(v as MbusModel)) {
      throw new UsageError(`simulator option model must be ${MBUS_MODELS.join(' or ')}, not ${JSON.stringify(v ?? '')}`);
    }
    m.model = v as MbusModel;
  },
  address: (m, _f, v) => void (m.address = address('address', v)),
  id: (m, _f, v) => void (m.id = idNumber('id', v)),
  telegrams: (m, _f, v) => {
    const n = Number(v);
    if (v === undefined || !/^\d{1,2}$/.test(v) || n < 1 || n > 16) {
      throw new UsageError(`simulator option telegrams needs a number from 1 to 16, not ${JSON.stringify(v ?? '')}`);
    }
    m.telegrams = n;
  },
  bus: (m, _f, v) => void (m.bus = bus(v)),
  collide: (_m, f) => void (f.collide = 'always'),
  'collide-once': (_m, f) => void (f.collide = 'once'),
};
