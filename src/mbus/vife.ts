/**
 * Combinable VIFEs: the extensions after a primary, FB or FD code (EN 13757-3:2018 Table 15 per exmbus and
 * wmbusmeters, older meanings per pyMeterBus and m-bus.com; mbus-protocol.md §5), and the record error codes
 * 0x00–0x1F (EN 13757-3:2018 Table 18; §5 "Record error codes"). Codes are given with bit 7 cleared.
 */

import { hexByte } from './errors.js';

export const BACKWARD_FLOW = 'backward flow';
export const FORWARD_FLOW = 'forward flow';

const RECORD_ERRORS: Readonly<Record<number, string>> = {
  0x00: 'none',
  0x01: 'too many DIFEs',
  0x02: 'storage number not implemented',
  0x03: 'unit number not implemented',
  0x04: 'tariff number not implemented',
  0x05: 'function not implemented',
  0x06: 'data class not implemented',
  0x07: 'data size not implemented',
  0x0b: 'too many VIFEs',
  0x0c: 'illegal VIF group',
  0x0d: 'illegal VIF exponent',
  0x0e: 'VIF/DIF mismatch',
  0x0f: 'unimplemented action',
  0x15: 'no data available (undefined value)',
  0x16: 'data overflow',
  0x17: 'data underflow',
  0x18: 'data error',
  0x1c: 'premature end of record',
};

export function recordErrorName(code: number): string {
  return RECORD_ERRORS[code] ?? 'reserved';
}

const NAMED: Readonly<Record<number, string>> = {
  0x20: 'per second',
  0x21: 'per minute',
  0x22: 'per hour',
  0x23: 'per day',
  0x24: 'per week',
  0x25: 'per month',
  0x26: 'per year',
  0x27: 'per revolution or measurement',
  0x28: 'increment per input pulse on input channel 0',
  0x29: 'increment per input pulse on input channel 1',
  0x2a: 'increment per output pulse on output channel 0',
  0x2b: 'increment per output pulse on output channel 1',
  0x2c: 'per litre',
  0x2d: 'per m³',
  0x2e: 'per kg',
  0x2f: 'per K',
  0x30: 'per kWh',
  0x31: 'per GJ',
  0x32: 'per kW',
  0x33: 'per K·l',
  0x34: 'per V',
  0x35: 'per A',
  0x36: 'multiplied by s',
  0x37: 'multiplied by s/V',
  0x38: 'multiplied by s/A',
  0x39: 'start date(/time) of',
  0x3a: 'uncorrected unit',
  0x3b: FORWARD_FLOW,
  0x3c: BACKWARD_FLOW,
  0x3d: 'non-metric unit',
  0x3e: 'value at base conditions',
  0x3f: 'OBIS declaration',
  0x7e: 'future value',
};

/** The name of a combinable code that is kept (not applied): "backward flow", "VIFE 0x4A (limit values …)". */
export function vifeName(code: number): string {
  const named = NAMED[code];
  if (named) return named;
  if (code >= 0x40 && code <= 0x6f) return `VIFE ${hexByte(code)} (limit values, limit exceeds, durations)`;
  return `VIFE ${hexByte(code)}`;
}

export interface VifeEffect {
  /** Power of ten the multiplicative corrections (0x70–0x77, 0x7D) apply to the value. */
  shift: number;
  /** Codes kept by name, in wire order. */
  codes: string[];
  /** A record error code (0x00–0x1F): the value is not valid. */
  recordError?: string;
  /** Additive correction (0x78–0x7B): the record is an offset, not the value. */
  additive?: string;
  /** 0x7F: the VIFEs after it and the data are manufacturer specific. */
  manufacturerSpecific?: boolean;
}

/** What a run of combinable VIFEs (bit 7 cleared) does to a record. */
export function combinableEffect(codes: readonly number[]): VifeEffect {
  const effect: VifeEffect = { shift: 0, codes: [] };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] ?? 0;
    if (c <= 0x1f) {
      const name = `record error: ${recordErrorName(c)}`;
      effect.recordError ??= name;
      effect.codes.push(name);
    } else if (c >= 0x70 && c <= 0x77) {
      effect.shift += (c & 0x07) - 6;
    } else if (c === 0x7d) {
      effect.shift += 3;
    } else if (c >= 0x78 && c <= 0x7b) {
      const name = `additive correction constant 10^${(c & 0x03) - 3} × unit`;
      effect.additive ??= name;
      effect.codes.push(name);
    } else if (c === 0x7c && i + 1 < codes.length) {
      effect.codes.push(`extended combinable code ${hexByte(codes[++i] ?? 0)}`);
    } else if (c === 0x7f) {
      effect.manufacturerSpecific = true;
      effect.codes.push(
        `manufacturer specific: ${
          codes
            .slice(i + 1)
            .map(hexByte)
            .join(' ') || '(no VIFE)'
        }`,
      );
      break;
    } else {
      effect.codes.push(vifeName(c));
    }
  }
  return effect;
}
