/**
 * Kamstrup info codes (register 99, 369 "info bits", M-Bus `FF 22` and `FD 17`) decoded into named flags
 * (kamstrup-info-codes.md; bits from ../shared/data/kamstrup-info-codes.tsv through the generated table).
 * Two bit layouts: the 303/403/603/803 one and the 602 one; they agree only on bit 0. Bit n has weight 2ⁿ.
 */
import type { RegisterRecord } from './app.js';
import { KmpError } from './errors.js';
import { INFO_CODE_ROWS, type InfoCodeRowName, type InfoCodeTable } from './info-codes.generated.js';
import { mantissaToBigInt } from './value.js';

export type InfoCodeLayoutId = 'mc403' | 'mc603' | 'mc303' | 'mc602' | 'common';

export interface InfoCodeLayout {
  id: InfoCodeLayoutId;
  /** The TSV table the bits come from; undefined for `common` (model unknown). */
  table: InfoCodeTable | undefined;
  /** Bits this layout names; higher set bits are BIT_n. */
  width: number;
  caveats: readonly string[];
}

const BIT2_DISPUTED = 'bit 2: external alarm (Kamstrup 403 table) or sensor error (wmbusmeters, 603/803): not settled';

export const INFO_CODE_LAYOUTS: Readonly<Record<InfoCodeLayoutId, InfoCodeLayout>> = {
  mc403: {
    id: 'mc403',
    table: 'modern',
    width: 32,
    caveats: ['bits 16–31 are the 603/803 ones; a 403 has no V2 and no t3', 'bit 0 shows only in the info log, not in the current code'],
  },
  mc603: { id: 'mc603', table: 'modern', width: 32, caveats: [BIT2_DISPUTED] },
  mc303: {
    id: 'mc303',
    table: 'modern',
    width: 16,
    caveats: [BIT2_DISPUTED, '16 bits (M-Bus 02 FF 22); bits 12–15 named as on the 403, wmbusmeters calls them reserved'],
  },
  mc602: { id: 'mc602', table: 'mc602', width: 16, caveats: ['the decimal sum on the display is this bit field'] },
  common: {
    id: 'common',
    table: undefined,
    width: 1,
    caveats: ['model unknown: only bit 0 means the same in both layouts; other bits are BIT_n'],
  },
};

/** M-Bus `02 FD 17` (error flags, 601/602 generation) uses the 602 layout (wmbusmeters NARROW_ERROR_FLAGS). */
export const MBUS_FD17_LAYOUT: InfoCodeLayoutId = 'mc602';

export type KamstrupModel = '302' | '303' | '402' | '403' | '601' | '602' | '603' | '803';

const MBUS_VERSIONS: Readonly<Record<number, KamstrupModel>> = {
  0x30: '302',
  0x40: '303',
  0x19: '402',
  0x34: '403',
  0x08: '601',
  0x1c: '602',
  0x35: '603',
  0x39: '803',
};

/** The model from the M-Bus header's version byte (mbus-protocol.md §7); not proof alone (a 401 also sends 0x01). */
export function modelFromMbusVersion(version: number): KamstrupModel | undefined {
  return MBUS_VERSIONS[version];
}

/** `403`, `MULTICAL 603`, `mc803` …: the layout for that model; unknown or missing → `common`. */
export function layoutForModel(model: string | undefined): InfoCodeLayout {
  const digits = /(\d{3})/.exec(model ?? '')?.[1];
  const L = INFO_CODE_LAYOUTS;
  switch (digits) {
    case '403':
      return L.mc403;
    case '603':
      return L.mc603;
    case '803':
      return { ...L.mc603, caveats: [...L.mc603.caveats, "bit 1: the 803's display says 'running on the backup battery'"] };
    case '303':
      return L.mc303;
    case '602':
      return L.mc602;
    case '402': {
      const caveat = '402: no Kamstrup table seen; wmbusmeters reads it with the 602 map (issue #386)';
      return { ...L.mc602, caveats: [...L.mc602.caveats, caveat] };
    }
    default:
      return L.common;
  }
}

/**
 * Category of a flag, for sinks: `leak` (leakage, burst), `alarm` (external alarm inputs), `battery`,
 * `problem` (sensor, flow-sensor and communication errors), `info` (voltage interrupted, increased flow:
 * worth seeing, nothing broken), `unknown` (reserved or unnamed bits).
 */
export type InfoCategory = 'leak' | 'alarm' | 'battery' | 'problem' | 'info' | 'unknown';

/**
 * How sinks show a category: a Home Assistant binary_sensor device class (none = a plain on/off sensor)
 * and a Domoticz Alert level (nvalue 0 grey, 1 green, 2 yellow, 3 orange, 4 red). Leaks and alarms need
 * someone now (red); a broken sensor or a flat battery makes readings wrong or soon missing (orange);
 * events and bits we cannot name are worth a look (yellow).
 */
export const INFO_CATEGORY_TRAITS: Readonly<Record<InfoCategory, { haDeviceClass: string | undefined; domoticzLevel: 2 | 3 | 4 }>> = {
  leak: { haDeviceClass: 'moisture', domoticzLevel: 4 },
  alarm: { haDeviceClass: 'safety', domoticzLevel: 4 },
  battery: { haDeviceClass: 'battery', domoticzLevel: 3 },
  problem: { haDeviceClass: 'problem', domoticzLevel: 3 },
  info: { haDeviceClass: undefined, domoticzLevel: 2 },
  unknown: { haDeviceClass: 'problem', domoticzLevel: 2 },
};

/** Bit 2 on the 303/603/803: one flag for two readings of the sources (kamstrup-info-codes.md, "Bit 2"). */
export const BIT2_EITHER = 'EXTERNAL_ALARM_OR_SENSOR_ERROR';
export type InfoFlagName = InfoCodeRowName | typeof BIT2_EITHER;

/** Every named flag has a category; a new name in the TSV fails the build until it gets one here. */
export const INFO_FLAG_CATEGORY: Readonly<Record<InfoFlagName, InfoCategory>> = {
  VOLTAGE_INTERRUPTED: 'info',
  LOW_BATTERY_LEVEL: 'battery',
  EXTERNAL_ALARM: 'alarm',
  SENSOR_ERROR: 'problem',
  EXTERNAL_ALARM_OR_SENSOR_ERROR: 'problem',
  SENSOR_T1_ABOVE_MEASURING_RANGE: 'problem',
  SENSOR_T2_ABOVE_MEASURING_RANGE: 'problem',
  SENSOR_T1_BELOW_MEASURING_RANGE: 'problem',
  SENSOR_T2_BELOW_MEASURING_RANGE: 'problem',
  TEMP_DIFF_WRONG_POLARITY: 'problem',
  FLOW_SENSOR_WEAK_OR_AIR: 'problem',
  WRONG_FLOW_DIRECTION: 'problem',
  RESERVED_BIT_10: 'unknown',
  FLOW_INCREASED: 'info',
  IN_A1_LEAKAGE_IN_THE_SYSTEM: 'leak',
  IN_B1_LEAKAGE_IN_THE_SYSTEM: 'leak',
  IN_A1_A2_EXTERNAL_ALARM: 'alarm',
  IN_B1_B2_EXTERNAL_ALARM: 'alarm',
  V1_COMMUNICATION_ERROR: 'problem',
  V1_WRONG_PULSE_FIGURE: 'problem',
  IN_A2_LEAKAGE_IN_THE_SYSTEM: 'leak',
  IN_B2_LEAKAGE_IN_THE_SYSTEM: 'leak',
  T3_ABOVE_MEASURING_RANGE_OR_SWITCHED_OFF: 'problem',
  T3_BELOW_MEASURING_RANGE_OR_SHORT_CIRCUITED: 'problem',
  V2_COMMUNICATION_ERROR: 'problem',
  V2_WRONG_PULSE_FIGURE: 'problem',
  V2_AIR: 'problem',
  V2_WRONG_FLOW_DIRECTION: 'problem',
  RESERVED_BIT_26: 'unknown',
  V2_INCREASED_FLOW: 'info',
  V1_V2_BURST_WATER_LOSS: 'leak',
  V1_V2_BURST_WATER_PENETRATION: 'leak',
  V1_V2_LEAKAGE_WATER_LOSS: 'leak',
  V1_V2_LEAKAGE_WATER_PENETRATION: 'leak',
  RESERVED_BIT_1: 'unknown',
  SENSOR_T2_OUTSIDE_MEASURING_RANGE: 'problem',
  SENSOR_T1_OUTSIDE_MEASURING_RANGE: 'problem',
  SENSOR_T3_OUTSIDE_MEASURING_RANGE: 'problem',
  LEAKAGE_COLD_WATER: 'leak',
  LEAKAGE_HOT_WATER: 'leak',
  BURST_WATER_LOSS: 'leak',
  V1_AIR: 'problem',
  V1_WRONG_FLOW_DIRECTION: 'problem',
};

export interface InfoFlag {
  bit: number;
  /** A TSV name, EXTERNAL_ALARM_OR_SENSOR_ERROR, or BIT_n. */
  name: string;
  meaning: string;
  category: InfoCategory;
  /** For a disputed bit: the readings of the sources, as the TSV rows give them. */
  alternatives?: ReadonlyArray<{ name: string; meaning: string }>;
}

export interface DecodedInfoCode {
  value: bigint;
  layout: InfoCodeLayoutId;
  /** Set bits, lowest first. */
  flags: InfoFlag[];
}

type Row = (typeof INFO_CODE_ROWS)[number];
const rowsOf = (table: InfoCodeTable, bit: number): Row[] => INFO_CODE_ROWS.filter((r) => r[0] === table && r[1] === bit);

function namedFlag(layout: InfoCodeLayout, bit: number): InfoFlag | undefined {
  const table = layout.table ?? (bit === 0 ? 'modern' : undefined); // bit 0: both layouts agree
  if (table === undefined || bit >= layout.width) return undefined;
  const rows = rowsOf(table, bit);
  if (rows.length > 1) {
    const wanted = layout.id === 'mc403' ? rows.find((r) => r[2] === 'EXTERNAL_ALARM') : undefined;
    const alternatives = rows.map((r) => ({ name: r[2], meaning: r[3] }));
    if (wanted) return { bit, name: wanted[2], meaning: wanted[3], category: INFO_FLAG_CATEGORY[wanted[2]] };
    const meaning = rows.map((r) => r[3]).join(' — or — ');
    return { bit, name: BIT2_EITHER, meaning, category: INFO_FLAG_CATEGORY[BIT2_EITHER], alternatives };
  }
  const row = rows[0];
  return row && { bit, name: row[2], meaning: row[3], category: INFO_FLAG_CATEGORY[row[2]] };
}

/** Every set bit of `value` as a flag of `layout`; bits the layout does not name are BIT_n, category unknown. */
export function decodeInfoCode(value: bigint | number, layout: InfoCodeLayoutId | InfoCodeLayout): DecodedInfoCode {
  const v = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (v < 0n) throw new RangeError(`info code ${String(value)} is not a non-negative integer`);
  const l = typeof layout === 'string' ? INFO_CODE_LAYOUTS[layout] : layout;
  const flags: InfoFlag[] = [];
  for (let bit = 0, rest = v; rest > 0n; bit++, rest >>= 1n) {
    if ((rest & 1n) === 0n) continue;
    const why = l.table === undefined ? 'meaning depends on the meter model' : `not in the ${l.id} layout`;
    flags.push(namedFlag(l, bit) ?? { bit, name: `BIT_${bit}`, meaning: `bit ${bit} set; ${why}`, category: 'unknown' });
  }
  return { value: v, layout: l.id, flags };
}

/** The Domoticz Alert level for a decoded code (or a reading's flags): the highest of its flags, 1 (green) when none is set. */
export function domoticzAlertLevel(code: { readonly flags: ReadonlyArray<{ category: InfoCategory }> }): 1 | 2 | 3 | 4 {
  return code.flags.reduce<1 | 2 | 3 | 4>((m, f) => Math.max(m, INFO_CATEGORY_TRAITS[f.category].domoticzLevel) as 2 | 3 | 4, 1);
}

/** The integer of an info-code record (99 or 369). SIEX must be 0: a scaled code is suspect, never scaled. */
export function infoCodeFromRecord(rec: RegisterRecord): bigint {
  if (rec.siex !== 0) {
    throw new KmpError('KMP_BAD_RECORD', `register ${rec.id}: an info code with SIEX ${rec.siex}, 0 expected`, {
      expected: 0,
      actual: rec.siex,
    });
  }
  return mantissaToBigInt(rec.mantissa);
}

const USER_CATEGORIES: ReadonlySet<InfoCategory> = new Set(['leak', 'alarm', 'battery', 'problem']);

/** The flags a meter of this model can raise that a user should see. */
export function alarmFlags(modelNumber: string | undefined): InfoFlag[] {
  const layout = layoutForModel(modelNumber);
  const all = decodeInfoCode((1n << BigInt(layout.width)) - 1n, layout).flags;
  return all.filter((f) => USER_CATEGORIES.has(f.category) && !f.name.startsWith('BIT_'));
}
