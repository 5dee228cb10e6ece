/**
 * Reading back the value a Domoticz device shows in its `Data` (domoticz-api.md: "the first number in
 * Data"), exactly, and knowing how much of it Domoticz kept: Custom Sensor, Waterflow and Percentage
 * values are printed with `%g` (6 significant digits, trailing zeros dropped, `1.23457e+06` from a
 * million on); Temp with one decimal; kWh, counters and Gas with every stored digit.
 */
import { Decimal } from '../core/decimal.js';
import type { Device } from './device.js';
import type { TargetKind } from './targets.js';

export type Shown =
  | {
      value: Decimal;
      /** Every digit of the stored value is shown (nothing can have been rounded away). */
      exact: boolean;
      /**
       * The power of ten to which the stored value is known: `%g` keeps 6 significant digits and drops
       * trailing zeros, so `123.4` is known to 10⁻³ (it may be 123.4004) and `1.23457e+06` to 10.
       */
      lastDigit: number;
      text: string;
    }
  | { none: string };

/** The most significant digits a device value can have and still be one (a double holds 17). */
const MAX_DIGITS = 30;
const G_DIGITS = 6;
const ALL_DIGITS_SHOWN: ReadonlySet<TargetKind> = new Set(['kwh', 'counter', 'gas', 'incremental']);

/** The device's current value, or why it shows none. `kind` undefined: a device type we do not model. */
export function shownValue(dev: Device, kind: TargetKind | undefined): Shown {
  const data = dev.Data.trim();
  if (/^[+-]?(nan|inf)/i.test(data)) return { none: `shows ${JSON.stringify(data.slice(0, 20))}, not a number` };
  const m = /[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/.exec(data);
  if (!m) return { none: `shows no number in its Data ${JSON.stringify(data.slice(0, 40))}` };
  const value = Decimal.parse(m[0]);
  if (!value || Math.abs(value.exponent) > 100) return { none: `shows ${JSON.stringify(m[0].slice(0, 20))}, not a value it can hold` };
  const digits = value.abs().coefficient.toString();
  if (digits.length > MAX_DIGITS) return { none: `shows a ${digits.length}-digit number, which no device holds` };
  const text = m[0];
  if ((kind !== undefined && ALL_DIGITS_SHOWN.has(kind)) || value.isZero()) {
    // Fixed decimals of a whole count; and %g prints "0" for nothing but zero.
    return { value, exact: true, lastDigit: value.exponent, text };
  }
  if (kind === 'temp') return { value, exact: false, lastDigit: value.exponent, text };
  const leading = digits.length - 1 + value.exponent;
  return { value, exact: false, lastDigit: Math.min(value.exponent, leading - (G_DIGITS - 1)), text };
}
