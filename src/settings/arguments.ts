/** Register ids as users write them on the command line and in the config file. */
import { UsageError } from '../core/errors.js';

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

/** Register ids, each once, in the order first given. */
export function parseRegisterIds(texts: readonly string[]): number[] {
  return [...new Set(texts.map((t) => parseRegisterId(t)))];
}

export const REGISTER_LIST = {
  kind: 'list',
  item: (t: string) => void parseRegisterId(t),
  what: 'register ids',
  example: '[60, 68, 80]',
} as const;
