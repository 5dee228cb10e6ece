import { UsageError } from './core/errors.js';

/** A register id in decimal (`60`) or hex (`0x3C`), 0 to 65535. */
export function parseRegisterId(text: string, what = 'register'): number {
  const t = text.trim();
  let n = Number.NaN;
  if (/^0x[0-9a-f]{1,4}$/i.test(t)) n = Number.parseInt(t.slice(2), 16);
  else if (/^\d{1,5}$/.test(t)) n = Number.parseInt(t, 10);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) {
    throw new UsageError(`bad ${what} ${JSON.stringify(text)}: use a decimal number or 0x hex from 0 to 65535 (e.g. 60 or 0x3C)`);
  }
  return n;
}

export function parseIntOption(option: string, text: string | number | undefined, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  const s = String(text).trim();
  const n = /^-?\d+$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${option} ${JSON.stringify(String(text))}: must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** Seconds as a decimal (`--deadline 90`, `--timeout 2.5`) to milliseconds. */
export function parseSecondsOption(option: string, text: string | number | undefined, minS: number, maxS: number, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  const s = String(text).trim();
  const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) : Number.NaN;
  if (!Number.isFinite(n) || n < minS || n > maxS) {
    throw new UsageError(`${option} ${JSON.stringify(String(text))}: must be a number of seconds from ${minS} to ${maxS}`);
  }
  return Math.round(n * 1000);
}
