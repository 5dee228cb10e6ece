import { Decimal } from './decimal.js';

/**
 * Physical units the meter reports and sinks want, grouped by quantity, with exact conversion factors
 * (a ratio num/den to the quantity's base unit). Converting GJ to MWh divides by 3.6 and does not
 * terminate; such results are rounded half-to-even to CONVERSION_EXTRA_PLACES more fraction digits than
 * the input had. Everything else stays exact.
 */
export type Quantity = 'energy' | 'volume' | 'flow' | 'power' | 'temperature' | 'tempdiff' | 'time' | 'pressure' | 'mass' | 'volume-temperature' | 'number';

export interface UnitDef {
  symbol: string;
  quantity: Quantity;
  /** value in base unit = value × num / den */
  num: bigint;
  den: bigint;
}

export const CONVERSION_EXTRA_PLACES = 6;

const byAlias = new Map<string, UnitDef>();
const add = (quantity: Quantity, symbol: string, num: bigint, den = 1n, ...aliases: string[]): void => {
  const def: UnitDef = { symbol, quantity, num, den };
  for (const alias of [symbol, ...aliases]) byAlias.set(alias, def);
};
// energy, base Wh
add('energy', 'Wh', 1n);
add('energy', 'kWh', 1000n);
add('energy', 'MWh', 1_000_000n);
add('energy', 'GWh', 1_000_000_000n);
add('energy', 'J', 1n, 3600n);
add('energy', 'kJ', 1000n, 3600n);
add('energy', 'MJ', 1_000_000n, 3600n);
add('energy', 'GJ', 1_000_000_000n, 3600n);
// volume, base litre
add('volume', 'l', 1n, 1n, 'L', 'dm³', 'dm3', 'liter', 'litre');
add('volume', 'm³', 1000n, 1n, 'm3');
// flow, base l/h
add('flow', 'l/h', 1n, 1n, 'L/h');
add('flow', 'm³/h', 1000n, 1n, 'm3/h');
add('flow', 'l/min', 60n, 1n, 'L/min');
// power, base W
add('power', 'W', 1n, 1n, 'Watt');
add('power', 'kW', 1000n);
add('power', 'MW', 1_000_000n);
add('temperature', '°C', 1n, 1n, 'C', '℃', 'degC');
add('tempdiff', 'K', 1n);
add('time', 'h', 1n);
add('pressure', 'bar', 1n);
add('mass', 'ton', 1n, 1n, 't');
add('volume-temperature', 'm³·°C', 1n, 1n, 'm3C');
add('number', '', 1n);

export function unitDef(symbol: string): UnitDef | undefined {
  return byAlias.get(symbol.trim());
}

/** Totals that only grow: the meter's counters. */
export function isTotal(symbol: string): boolean {
  const q = unitDef(symbol)?.quantity;
  return q === 'energy' || q === 'volume' || q === 'mass' || q === 'volume-temperature' || q === 'time';
}

export function sameQuantity(a: string, b: string): boolean {
  const da = unitDef(a);
  const db = unitDef(b);
  if (!da || !db) return false;
  if (da.quantity === db.quantity) return true;
  // A temperature difference in K reads the same in °C.
  const pair = new Set([da.quantity, db.quantity]);
  return pair.has('temperature') && pair.has('tempdiff');
}

/** Converts between units of one quantity; undefined when either unit is unknown or they differ in kind. */
export function convert(value: Decimal, from: string, to: string): Decimal | undefined {
  const a = unitDef(from);
  const b = unitDef(to);
  if (!a || !b || !sameQuantity(from, to)) return undefined;
  if (a.num === b.num && a.den === b.den) return value;
  const numerator = value.mul(Decimal.of(a.num * b.den));
  return numerator.div(Decimal.of(a.den * b.num), value.scale + CONVERSION_EXTRA_PLACES);
}

/** Bounds outside which a value cannot be right for its unit (not pushed, not published). */
export function plausibleRange(symbol: string): { min: number; max: number } | undefined {
  const d = unitDef(symbol);
  if (!d) return undefined;
  switch (d.quantity) {
    case 'temperature':
      return { min: -60, max: 250 };
    case 'tempdiff':
      return { min: -250, max: 250 };
    case 'energy':
    case 'volume':
    case 'mass':
    case 'volume-temperature':
    case 'time':
      return { min: 0, max: Number.POSITIVE_INFINITY };
    case 'flow': {
      const lPerH = Number(convert(Decimal.of(1), symbol, 'l/h')?.toString() ?? '1');
      return { min: -1e7 / lPerH, max: 1e7 / lPerH }; // 10,000 m³/h: more than any MULTICAL measures
    }
    case 'power': {
      const w = Number(convert(Decimal.of(1), symbol, 'W')?.toString() ?? '1');
      return { min: -1e9 / w, max: 1e9 / w };
    }
    default:
      return undefined;
  }
}
