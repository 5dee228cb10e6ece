/**
 * Physical units the meter reports and sinks want, grouped by quantity, with exact conversion factors
 * (a ratio num/den to the quantity's base unit). Converting GJ to MWh divides by 3.6 and does not
 * terminate; such results are rounded half-to-even to CONVERSION_EXTRA_PLACES more fraction digits than
 * the input had. Everything else stays exact.
 */
import { Decimal } from './decimal.js';

export type Quantity =
  'energy' | 'volume' | 'flow' | 'power' | 'temperature' | 'tempdiff' | 'time' | 'pressure' | 'mass' | 'volume-temperature' | 'number';

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

/**
 * The most a quantity can be on a heat meter, with a margin: what the largest MULTICAL (an 803 on a
 * 1000 m³/h pipe, about 100 MW) counts in fifty years, and the 8 digits its display has. A value beyond
 * it (a reply with a valid CRC carrying 2⁶⁴−1 MWh, or exponent 63) is nonsense, never a reading.
 */
const LIMITS: Partial<Record<Quantity, { min: number; max: number; base: string }>> = {
  temperature: { min: -60, max: 250, base: '°C' },
  tempdiff: { min: -250, max: 250, base: 'K' },
  energy: { min: 0, max: 1e14, base: 'Wh' }, // 100 TWh = 10⁸ MWh
  volume: { min: 0, max: 1e12, base: 'l' }, // 10⁹ m³
  mass: { min: 0, max: 1e9, base: 'ton' },
  'volume-temperature': { min: 0, max: 1e12, base: 'm³·°C' },
  time: { min: 0, max: 1e6, base: 'h' }, // 114 years
  flow: { min: -1e7, max: 1e7, base: 'l/h' }, // 10,000 m³/h: more than any MULTICAL measures
  power: { min: -1e9, max: 1e9, base: 'W' }, // 1 GW
  pressure: { min: -1, max: 1000, base: 'bar' },
  number: { min: -1e19, max: 1e19, base: '' },
};

/** Why `value` (in `symbol`) cannot be a meter reading, or undefined when it can. */
export function implausible(value: Decimal, symbol: string): string | undefined {
  const d = unitDef(symbol);
  if (!d) return /^unit 0x/.test(symbol) ? `${symbol} is not a unit a meter uses` : undefined;
  const limit = LIMITS[d.quantity];
  if (!limit) return undefined;
  const n = Number(d.quantity === 'number' ? value.toString() : (convert(value, symbol, limit.base) ?? value).toString());
  if (!Number.isFinite(n) || n < limit.min || n > limit.max) {
    const shown = (x: number): string => (Math.abs(x) >= 1e6 ? x.toExponential().replace('e+', 'e') : String(x));
    return `outside ${shown(limit.min)} to ${shown(limit.max)}${limit.base ? ' ' + limit.base : ''}`;
  }
  return undefined;
}
