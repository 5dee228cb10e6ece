/**
 * From the M-Bus unit of a VIF (mbus-vif.tsv) to the unit a KMP meter reports for the same quantity
 * (kmp-units.tsv), exactly: only powers of ten and whole factors. Energy in Wh becomes kWh, in J becomes
 * GJ; power in W becomes kW; volume flow becomes l/h; mass kg becomes ton. Units the KMP vocabulary
 * already has (MWh, GJ, m³, °C, K, h, s, minutes, days, bar, …) stay; so do units without an exact
 * conversion (J/h, °F, currency units, …), written as M-Bus gives them.
 */

import { Decimal } from '../core/decimal.js';

interface Conversion {
  unit: string;
  /** Power of ten the value is multiplied by. */
  shift: number;
  /** Whole factor the value is multiplied by. */
  factor: bigint;
}

const CONVERSIONS: Readonly<Record<string, Conversion>> = {
  Wh: { unit: 'kWh', shift: -3, factor: 1n },
  J: { unit: 'GJ', shift: -9, factor: 1n },
  W: { unit: 'kW', shift: -3, factor: 1n },
  'm³/h': { unit: 'l/h', shift: 3, factor: 1n },
  // 1 m³/min = 60 m³/h = 60000 l/h; 1 m³/s = 3600 m³/h.
  'm³/min': { unit: 'l/h', shift: 3, factor: 60n },
  'm³/s': { unit: 'l/h', shift: 3, factor: 3600n },
  kg: { unit: 'ton', shift: -3, factor: 1n },
  'kg/h': { unit: 'ton/h', shift: -3, factor: 1n },
};

export function reportedUnit(mbusUnit: string): string {
  return CONVERSIONS[mbusUnit]?.unit ?? mbusUnit;
}

/**
 * `value` in `mbusUnit` → the same quantity in reportedUnit(mbusUnit), exact. `value` carries the VIF's
 * resolution in its exponent (raw × 10^exponent); a whole factor keeps that resolution, so 1 × 10^-7 m³/min
 * is 0.006 l/h (a step of 0.006), not 0.0060.
 */
export function toReported(value: Decimal, mbusUnit: string): Decimal {
  const c = CONVERSIONS[mbusUnit];
  if (!c) return value;
  if (c.factor === 1n) return value.shift(c.shift);
  const step = Decimal.of(c.factor, value.exponent + c.shift).trimTo(0);
  return value.mul(Decimal.of(c.factor)).shift(c.shift).trimTo(step.scale);
}

/** The inverse of toReported; undefined when dividing by the factor does not give a finite decimal. */
export function fromReported(value: Decimal, mbusUnit: string): Decimal | undefined {
  const c = CONVERSIONS[mbusUnit];
  if (!c) return value;
  const v = value.shift(-c.shift);
  // c·10^k / factor is whole for some small k exactly when the quotient is a finite decimal (factor = 2^a·3^b·5^c).
  for (let k = 0; k <= 6; k++) {
    const scaled = v.coefficient * 10n ** BigInt(k);
    if (scaled % c.factor === 0n) return Decimal.of(scaled / c.factor, v.exponent - k);
  }
  return undefined;
}
