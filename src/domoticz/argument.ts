/**
 * The classic script's push argument `idx:CommandNr:mode[:idx2]`: push register CommandNr into Domoticz
 * device idx; mode 0 the reading, 1 the reading − value(idx2), 2 value(idx) + reading − value(idx2).
 * Accepted as the classic script accepted it: numbers in decimal or 0x hex, and an idx2 after mode 0
 * (which mode 0 does not use: it is ignored, with a note).
 *
 * Beside the classic modes, `idx:99:alert` (or `idx:369:alert`): the info code's named flags into a
 * Domoticz General/Alert device (alert.ts). Only an info-code register takes it, and it takes no idx2.
 */
import { UsageError } from '../core/errors.js';
import { parseRegisterId } from '../settings/arguments.js';

export interface ReadArgument {
  text: string;
  /** The target device's idx, in decimal. */
  idx: string;
  register: number;
  /** 0, 1, 2: the classic modes; `alert`: the info code's flags into an Alert device. */
  mode: 0 | 1 | 2 | 'alert';
  /** The compare device's idx (modes 1 and 2). */
  idx2?: string;
  /** Said under --verbose: an ignored idx2, say. */
  notes?: string[];
}

const USAGE = 'use idx:CommandNr:mode[:idx2], e.g. 88:60:0 or 89:80:1:90, or idx:99:alert';

/**
 * The registers that hold an info code (kmp/reading.ts names their flags): 99 InfoCode, 369 Info bits.
 * Kept here, not imported, so that checking an argument loads no register table.
 */
export const INFO_CODE_REGISTERS: ReadonlyMap<number, string> = new Map([
  [99, 'InfoCode'],
  [369, 'Info bits'],
]);

/** A Domoticz idx in decimal or 0x hex, as decimal text; undefined when it is none. */
function idxOf(s: string): string | undefined {
  if (/^[1-9]\d{0,8}$/.test(s)) return s;
  if (/^0x[0-9a-f]{1,7}$/i.test(s)) {
    const n = Number.parseInt(s.slice(2), 16);
    return n > 0 ? String(n) : undefined;
  }
  return undefined;
}

export function parseReadArgument(text: string): ReadArgument {
  const bad = (why: string): never => {
    throw new UsageError(`bad argument ${JSON.stringify(text)}: ${why}`);
  };
  const parts = text.split(':');
  if (parts.length < 3 || parts.length > 4) bad(USAGE);
  const [idxText, reg, modeText, idx2Text] = parts as [string, string, string, string | undefined];
  const idx = idxOf(idxText) ?? bad(`Domoticz idx ${JSON.stringify(idxText)} must be a positive whole number`);
  let register = 0;
  try {
    register = parseRegisterId(reg);
  } catch {
    bad(`CommandNr ${JSON.stringify(reg)} must be a register id, decimal or 0x hex from 0 to 65535`);
  }
  if (modeText === 'alert') return alertArgument(text, idx, register, idx2Text, bad);
  if (modeText !== '0' && modeText !== '1' && modeText !== '2') {
    bad(`mode ${JSON.stringify(modeText)} must be 0, 1 or 2, or alert for an info code`);
  }
  const mode = Number(modeText) as 0 | 1 | 2;
  if (mode === 0) {
    if (idx2Text === undefined) return { text, idx, register, mode };
    return { text, idx, register, mode, notes: [`mode 0 does not use a compare device: idx2 ${idx2Text} is ignored`] };
  }
  if (idx2Text === undefined) bad(`mode ${mode} needs a compare device: ${idxText}:${reg}:${mode}:idx2`);
  const idx2 = idxOf(idx2Text!) ?? bad(`compare idx ${JSON.stringify(idx2Text)} must be a positive whole number`);
  return { text, idx, register, mode, idx2 };
}

/** `idx:99:alert`: only on an info-code register, and without a compare device. */
function alertArgument(
  text: string,
  idx: string,
  register: number,
  idx2Text: string | undefined,
  bad: (why: string) => never,
): ReadArgument {
  if (!INFO_CODE_REGISTERS.has(register)) {
    bad(`alert sends an info code's flags: CommandNr must be 99 (InfoCode) or 369 (Info bits), not ${register}`);
  }
  if (idx2Text !== undefined) bad(`alert takes no compare device: drop ":${idx2Text}"`);
  return { text, idx, register, mode: 'alert' };
}
