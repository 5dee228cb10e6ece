/**
 * How a register value is shown. Date and time units hold decimal digits (yymmdd, hhmmss) or raw
 * bytes (0x4F: dst yy mm dd hh mi ss; 0x36: ASCII) in the mantissa; they are shown as dates, times
 * and text, everything else as the exact decimal.
 */
import type { RegisterRecord } from './app.js';
import { unitSymbol } from './registers.js';

export const UNIT_HHMMSS = 0x2f;
export const UNIT_YYMMDD = 0x30;
export const UNIT_YYYYMMDD = 0x31;
export const UNIT_MMDD = 0x32;
export const UNIT_ASCII = 0x36;
export const UNIT_DATETIME = 0x4f;

export interface FormattedValue {
  /** Exact decimal text or a date/time/text string. */
  text: string;
  /** true when `text` is a number (JSON number), false when it is a date, time or text (JSON string). */
  numeric: boolean;
  unit: string;
}

export function isTextUnit(unitCode: number): boolean {
  return [UNIT_HHMMSS, UNIT_YYMMDD, UNIT_YYYYMMDD, UNIT_MMDD, UNIT_ASCII, UNIT_DATETIME].includes(unitCode);
}

export function formatRecord(rec: RegisterRecord): FormattedValue {
  const unit = unitSymbol(rec.unitCode);
  const digits = (width: number): string => rec.value.abs().coefficient.toString().padStart(width, '0');
  const pair = (s: string, at: number): string => s.slice(at, at + 2);
  switch (rec.unitCode) {
    case UNIT_YYMMDD: {
      const d = digits(6);
      return { text: `20${pair(d, d.length - 6)}-${pair(d, d.length - 4)}-${pair(d, d.length - 2)}`, numeric: false, unit };
    }
    case UNIT_YYYYMMDD: {
      const d = digits(8);
      return { text: `${d.slice(0, d.length - 4)}-${pair(d, d.length - 4)}-${pair(d, d.length - 2)}`, numeric: false, unit };
    }
    case UNIT_MMDD: {
      const d = digits(4);
      return { text: `${pair(d, d.length - 4)}-${pair(d, d.length - 2)}`, numeric: false, unit };
    }
    case UNIT_HHMMSS: {
      const d = digits(6);
      return { text: `${pair(d, d.length - 6)}:${pair(d, d.length - 4)}:${pair(d, d.length - 2)}`, numeric: false, unit };
    }
    case UNIT_DATETIME: {
      const b = rec.mantissa;
      if (b.length === 7) {
        const two = (i: number): string => String(b[i]).padStart(2, '0');
        return { text: `20${two(1)}-${two(2)}-${two(3)} ${two(4)}:${two(5)}:${two(6)}`, numeric: false, unit };
      }
      break;
    }
    case UNIT_ASCII: {
      let s = '';
      for (const c of rec.mantissa) if (c !== 0) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
      return { text: s, numeric: false, unit };
    }
  }
  return { text: rec.value.toString(), numeric: true, unit };
}
