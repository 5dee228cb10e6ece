/**
 * A KMP register record as a protocol-independent reading (src/core/reading.ts): the value exact, the
 * unit from the KMP units table, dates and times as ISO text, and the quantity named in the same words
 * the M-Bus value tables use, so both protocols describe a meter alike.
 */
import type { Reading } from '../core/reading.js';
import { unitDef } from '../core/units.js';
import type { RegisterRecord } from './app.js';
import { formatRecord } from './format.js';
import { decodeInfoCode, infoCodeFromRecord, layoutForModel } from './info-code.js';
import { registerName } from './registers.js';

const BY_REGISTER: Readonly<Record<number, string>> = {
  86: 'flow temperature',
  87: 'return temperature',
  89: 'temperature difference',
  99: 'info code',
  1001: 'fabrication number',
  1004: 'on time',
  175: 'on time',
};

const BY_UNIT_QUANTITY: Readonly<Record<string, string>> = {
  energy: 'energy',
  volume: 'volume',
  flow: 'volume flow',
  power: 'power',
  temperature: 'temperature',
  tempdiff: 'temperature difference',
  time: 'on time',
  pressure: 'pressure',
  mass: 'mass',
  'volume-temperature': 'volume·temperature',
};

const TEXT_UNITS: Readonly<Record<string, string>> = {
  'yy:mm:dd': 'date',
  'yyyy:mm:dd': 'date',
  'mm:dd': 'date',
  'hh:mm:ss': 'time',
  'yy:mm:dd hh:mm:ss': 'time point',
  ASCII: 'text',
};

/** The quantity a register's value stands for, from its id where that says more than its unit. */
export function kmpQuantity(id: number, unit: string): string {
  const text = TEXT_UNITS[unit];
  if (text !== undefined) return text;
  const byId = BY_REGISTER[id];
  if (byId !== undefined) return byId;
  const q = unitDef(unit)?.quantity;
  return (q && BY_UNIT_QUANTITY[q]) ?? 'number';
}

/** Registers that hold the info code: 99 (InfoCode) and 369 (Info bits). */
const INFO_CODE_REGISTERS: ReadonlySet<number> = new Set([99, 369]);

/** A record as a reading; an info code also gets its named flags, for `model` (the meter's MULTICAL model, if known). */
export function recordToReading(rec: RegisterRecord, model?: string): Reading {
  const f = formatRecord(rec);
  const reading: Reading = {
    register: rec.id,
    name: registerName(rec.id),
    quantity: kmpQuantity(rec.id, f.unit),
    value: f.numeric ? rec.value : undefined,
    text: f.text,
    unit: f.unit,
  };
  if (INFO_CODE_REGISTERS.has(rec.id) && f.numeric && rec.siex === 0) {
    reading.flags = decodeInfoCode(infoCodeFromRecord(rec), layoutForModel(model).id).flags.map((x) => ({
      bit: x.bit,
      name: x.name,
      category: x.category,
    }));
  }
  return reading;
}
