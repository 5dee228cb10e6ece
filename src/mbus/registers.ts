/**
 * M-Bus records → the KMP register of the same quantity (mbus-protocol.md §8). Only current values get an
 * id — instantaneous, storage 0, tariff 0, subunit 0 — except the rows of §8 that name another function,
 * storage, tariff or subunit (maxima, error hours, tariffs, pulse inputs, target date). A record with a
 * kept VIFE (other than E3's backward flow), a problem or no valid value gets none. The first record to
 * claim an id keeps it; a later one is flagged.
 */

import type { MbusFunction } from './dif.js';
import type { MbusRecord } from './records.js';
import { BACKWARD_FLOW } from './vife.js';

interface Rule {
  register: number;
  quantity: string;
  function?: MbusFunction;
  storage?: number;
  tariff?: number;
  subunit?: number;
  /** The one kept VIFE the record must have (E3: backward flow); none otherwise. */
  vife?: string;
  unit?: string;
  kinds?: readonly string[];
}

export const REGISTER_RULES: readonly Rule[] = [
  { register: 60, quantity: 'energy' },
  { register: 63, quantity: 'energy', vife: BACKWARD_FLOW },
  { register: 97, quantity: 'flow temperature × volume' },
  { register: 110, quantity: 'return temperature × volume' },
  { register: 68, quantity: 'volume' },
  { register: 74, quantity: 'volume flow' },
  { register: 80, quantity: 'power' },
  { register: 86, quantity: 'flow temperature' },
  { register: 87, quantity: 'return temperature' },
  { register: 89, quantity: 'temperature difference' },
  { register: 99, quantity: 'info code' },
  { register: 1004, quantity: 'on time', unit: 'h' },
  { register: 175, quantity: 'on time', unit: 'h', function: 'error' },
  { register: 1001, quantity: 'fabrication number' },
  { register: 1002, quantity: 'time point', kinds: ['datetime', 'time'] },
  { register: 1003, quantity: 'time point', kinds: ['date'] },
  { register: 98, quantity: 'time point', kinds: ['date'], storage: 1 },
  { register: 143, quantity: 'power', function: 'maximum' },
  { register: 139, quantity: 'volume flow', function: 'maximum' },
  { register: 64, quantity: 'energy', tariff: 1 },
  { register: 65, quantity: 'energy', tariff: 2 },
  { register: 84, quantity: 'volume', subunit: 1 },
  { register: 85, quantity: 'volume', subunit: 2 },
];

function matches(rule: Rule, r: MbusRecord): boolean {
  const codes = r.vifeCodes ?? [];
  return (
    rule.quantity === r.quantity &&
    (rule.function ?? 'instantaneous') === r.function &&
    (rule.storage ?? 0) === r.storage &&
    (rule.tariff ?? 0) === r.tariff &&
    (rule.subunit ?? 0) === r.subunit &&
    (rule.vife === undefined ? codes.length === 0 : codes.length === 1 && codes[0] === rule.vife) &&
    (rule.unit === undefined || rule.unit === r.unit) &&
    (rule.kinds ?? ['number']).includes(r.value.kind)
  );
}

/** The register a record maps to on its own (without looking at the other records). */
export function registerFor(record: MbusRecord): number | undefined {
  if (record.problem !== undefined) return undefined;
  return REGISTER_RULES.find((rule) => matches(rule, record))?.register;
}

/** Sets `register` on the records that map to one; a second claim on an id is flagged instead. */
export function assignRegisters(records: readonly MbusRecord[]): MbusRecord[] {
  const taken = new Map<number, number>();
  return records.map((r, i) => {
    const { register: _old, ...rest } = r;
    const id = registerFor(rest);
    if (id === undefined) return rest;
    const first = taken.get(id);
    if (first === undefined) {
      taken.set(id, i);
      return { ...rest, register: id };
    }
    const prev = records[first];
    return { ...rest, problem: `register ${id} already taken by record ${first + 1} (DIF ${prev?.dif ?? ''} VIF ${prev?.vif ?? ''})` };
  });
}
