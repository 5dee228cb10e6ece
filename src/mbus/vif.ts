/**
 * Value information block: VIF and up to 10 VIFEs (EN 13757-3; mbus-protocol.md §5). The primary table and
 * the extension tables FB and FD come from mbus-vif.tsv (vif-tables.generated.ts); VIF 0xFF is manufacturer
 * specific (Kamstrup FF 07 / FF 08 / FF 22, §7); VIF 0x7C / 0xFC carries its unit as plain text.
 */

import { toHex } from '../core/hex.js';
import { MAX_EXTENSIONS } from './dif.js';
import { hexByte } from './errors.js';
import { combinableEffect, type VifeEffect } from './vife.js';
import { VIF_ROWS, type VifTable } from './vif-tables.generated.js';

export interface VifRow {
  table: VifTable;
  code: number;
  quantity: string;
  unit: string;
  exponent: number | null;
}

const ROWS = new Map<string, VifRow>(
  VIF_ROWS.map(([table, code, quantity, unit, exponent]) => [`${table}:${code}`, { table, code, quantity, unit, exponent }]),
);

export function vifRow(table: VifTable, code: number): VifRow | undefined {
  return ROWS.get(`${table}:${code}`);
}

export interface Vib {
  /** VIF and VIFEs as sent. */
  bytes: Uint8Array;
  vif: number;
  /** The VIFEs with bit 7 cleared. */
  vifes: number[];
  /** The unit text of VIF 0x7C / 0xFC, read back to front. */
  plainText?: string;
}

export type VibRead = { ok: true; vib: Vib; next: number } | { ok: false; problem: string };

export function readVib(data: Uint8Array, at: number): VibRead {
  const vif = data[at];
  if (vif === undefined) return { ok: false, problem: 'the record ends before its VIF' };
  const vifes: number[] = [];
  let i = at + 1;
  for (let ext = vif & 0x80; ext; i++) {
    if (vifes.length >= MAX_EXTENSIONS) {
      return { ok: false, problem: `more than ${MAX_EXTENSIONS} VIFEs: ${toHex(data.subarray(at, i + 1))}` };
    }
    const vife = data[i];
    if (vife === undefined) return { ok: false, problem: `VIF/VIFE ${toHex(data.subarray(at))} runs off the end of the frame` };
    vifes.push(vife & 0x7f);
    ext = vife & 0x80;
  }
  const vib: Vib = { bytes: data.slice(at, i), vif, vifes };
  if ((vif & 0x7f) !== 0x7c) return { ok: true, vib, next: i };
  // Plain-text unit. Where its length byte sits is unresolved (§5): libmbus and wmbusmeters read it right
  // after the VIF byte, exmbus — citing EN 13757-3:2018 Annex C.2 — after the last VIFE. We follow the
  // standard as exmbus cites it: VIF, VIFEs, then length and text. With VIF 0x7C (no VIFE) both agree.
  const n = data[i];
  if (n === undefined || i + 1 + n > data.length) {
    return { ok: false, problem: `plain-text unit after ${toHex(vib.bytes)} runs off the end of the frame` };
  }
  let text = '';
  for (let k = i + n; k > i; k--) text += String.fromCharCode(data[k] ?? 0);
  vib.plainText = text;
  return { ok: true, vib, next: i + 1 + n };
}

export type VifKind = 'value' | 'date' | 'opaque';

export interface VifMeaning {
  quantity: string;
  /** The M-Bus unit as the tables write it (before conversion to the KMP vocabulary). */
  unit: string;
  exponent: number;
  kind: VifKind;
  effect: VifeEffect;
  /** A plain-text unit is shown as sent, never converted. */
  plainText?: boolean;
  problem?: string;
}

/** Kamstrup's manufacturer-specific codes (VIF FF + one VIFE), only when the manufacturer is KAM. */
const KAMSTRUP: Readonly<Record<number, { quantity: string; unit: string }>> = {
  0x07: { quantity: 'flow temperature × volume', unit: 'm³·°C' },
  0x08: { quantity: 'return temperature × volume', unit: 'm³·°C' },
  0x22: { quantity: 'info code', unit: '' },
};

const NO_EFFECT: VifeEffect = { shift: 0, codes: [] };

function opaque(quantity: string, problem?: string): VifMeaning {
  return { quantity, unit: '', exponent: 0, kind: 'opaque', effect: NO_EFFECT, ...(problem ? { problem } : {}) };
}

/** What the VIB says about the record: quantity, unit, power of ten and how to read the data. */
export function vifMeaning(vib: Vib, manufacturer: string | undefined): VifMeaning {
  const vif7 = vib.vif & 0x7f;
  if (vib.vif === 0xfb || vib.vif === 0xfd) {
    const table = vib.vif === 0xfb ? 'FB' : 'FD';
    const code = vib.vifes[0] ?? 0;
    return fromRow(vifRow(table, code), `table ${table} code ${hexByte(code)}`, vib.vifes.slice(1));
  }
  if (vif7 === 0x7b || vif7 === 0x7d) {
    return opaque('unknown', `VIF ${hexByte(vib.vif)} announces table ${vif7 === 0x7b ? 'FB' : 'FD'} but no code follows`);
  }
  if (vif7 === 0x7f) {
    const kam = manufacturer === 'KAM' && vib.vifes.length === 1 ? KAMSTRUP[vib.vifes[0] ?? -1] : undefined;
    if (!kam) return opaque('manufacturer specific');
    return { ...kam, exponent: 0, kind: 'value', effect: NO_EFFECT };
  }
  if (vif7 === 0x7e) return opaque('any VIF', 'VIF 7E (any VIF) is a readout selection, sent only from master to slave');
  if (vif7 === 0x6f) return opaque('reserved', `VIF ${hexByte(vib.vif)} is reserved (third extension table)`);
  if (vif7 === 0x7c) {
    const effect = combinableEffect(vib.vifes);
    const kind = effect.manufacturerSpecific ? 'opaque' : 'value';
    return { quantity: 'plain-text unit', unit: vib.plainText ?? '', exponent: 0, kind, effect, plainText: true };
  }
  return fromRow(vifRow('primary', vif7), `VIF ${hexByte(vif7)}`, vib.vifes);
}

function fromRow(row: VifRow | undefined, what: string, combinable: number[]): VifMeaning {
  if (!row || row.quantity === 'reserved') return opaque('reserved', `${what} is reserved or unknown`);
  const effect = combinableEffect(combinable);
  const isDate = row.exponent === null && (row.unit === 'date' || row.unit === 'datetime');
  const kind: VifKind = effect.manufacturerSpecific ? 'opaque' : isDate ? 'date' : row.exponent === null ? 'opaque' : 'value';
  return { quantity: row.quantity, unit: isDate ? '' : row.unit, exponent: row.exponent ?? 0, kind, effect };
}
