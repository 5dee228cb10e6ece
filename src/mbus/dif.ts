/**
 * Data information block: DIF and up to 10 DIFEs (EN 13757-3; mbus-protocol.md §4).
 * DIF: bit 7 extension, bit 6 storage number LSB, bits 5–4 function, bits 3–0 data field.
 * DIFE: bit 7 extension, bit 6 subunit, bits 5–4 tariff, bits 3–0 storage.
 * storage = DIF[6] + Σ DIFEᵢ[3:0]·2^(1+4i); tariff = Σ DIFEᵢ[5:4]·2^(2i); subunit = Σ DIFEᵢ[6]·2^i.
 */

import { MbusError } from './errors.js';
import { toHex } from '../core/hex.js';

export type MbusFunction = 'instantaneous' | 'maximum' | 'minimum' | 'error';
export const FUNCTIONS: readonly MbusFunction[] = ['instantaneous', 'maximum', 'minimum', 'error'];

export const DataField = {
  NONE: 0x0,
  INT8: 0x1,
  INT16: 0x2,
  INT24: 0x3,
  INT32: 0x4,
  REAL32: 0x5,
  INT48: 0x6,
  INT64: 0x7,
  SELECTION: 0x8,
  BCD2: 0x9,
  BCD4: 0xa,
  BCD6: 0xb,
  BCD8: 0xc,
  LVAR: 0xd,
  BCD12: 0xe,
  SPECIAL: 0xf,
} as const;

/** Data bytes per data field; LVAR (0xD) and special (0xF) have none fixed. */
const LENGTHS = [0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, -1, 6, -1];

export function fixedLength(dataField: number): number | undefined {
  const n = LENGTHS[dataField & 0x0f] ?? -1;
  return n < 0 ? undefined : n;
}

export function isBcd(dataField: number): boolean {
  return dataField >= 0x9 && dataField <= 0xe && dataField !== DataField.LVAR;
}

export function isInteger(dataField: number): boolean {
  return dataField >= 0x1 && dataField <= 0x7 && dataField !== DataField.REAL32;
}

/** Special DIFs (data field F): manufacturer data to the end, the same with more telegrams, idle filler. */
export const SpecialDif = { MANUFACTURER: 0x0f, MORE_FOLLOWS: 0x1f, FILLER: 0x2f, GLOBAL_READOUT: 0x7f } as const;

export const MAX_EXTENSIONS = 10;

export interface Dib {
  bytes: Uint8Array;
  dataField: number;
  function: MbusFunction;
  storage: number;
  tariff: number;
  subunit: number;
}

export type DibRead = { ok: true; dib: Dib; next: number } | { ok: false; problem: string };

/** Reads the DIB at data[at]; a DIB that runs off the end or has more than 10 DIFEs is a problem. */
export function readDib(data: Uint8Array, at: number): DibRead {
  const dif = data[at] ?? 0;
  let storage = (dif >> 6) & 1;
  let tariff = 0;
  let subunit = 0;
  let i = at;
  let ext = dif & 0x80;
  for (let n = 0; ext; n++) {
    i++;
    if (n >= MAX_EXTENSIONS) return { ok: false, problem: `more than ${MAX_EXTENSIONS} DIFEs: ${toHex(data.subarray(at, i + 1))}` };
    const dife = data[i];
    if (dife === undefined) return { ok: false, problem: `DIF/DIFE ${toHex(data.subarray(at))} runs off the end of the frame` };
    storage += (dife & 0x0f) * 2 ** (1 + 4 * n);
    tariff += ((dife >> 4) & 0x03) * 2 ** (2 * n);
    subunit += ((dife >> 6) & 0x01) * 2 ** n;
    ext = dife & 0x80;
  }
  const dib: Dib = {
    bytes: data.slice(at, i + 1),
    dataField: dif & 0x0f,
    function: FUNCTIONS[(dif >> 4) & 0x03] ?? 'instantaneous',
    storage,
    tariff,
    subunit,
  };
  return { ok: true, dib, next: i + 1 };
}

export interface DibInput {
  dataField: number;
  function?: MbusFunction;
  storage?: number;
  tariff?: number;
  subunit?: number;
}

/** The shortest DIB for the fields (DIFE 80 where a later DIFE is needed: `84 80 40` is subunit 2). */
export function encodeDib(spec: DibInput): Uint8Array {
  const field = (what: string, v: number | undefined, bits: number): number => {
    const n = v ?? 0;
    if (!Number.isSafeInteger(n) || n < 0 || n >= 2 ** bits) {
      throw new MbusError('MBUS_ENCODE', `${what} ${n} is not 0 … 2^${bits} − 1`);
    }
    return n;
  };
  if (!Number.isInteger(spec.dataField) || spec.dataField < 0 || spec.dataField > 0x0e) {
    throw new MbusError('MBUS_ENCODE', `data field ${spec.dataField} is not 0x0 … 0xE`);
  }
  let storage = field('storage number', spec.storage, 41);
  let tariff = field('tariff', spec.tariff, 20);
  let subunit = field('subunit', spec.subunit, 10);
  const fn = FUNCTIONS.indexOf(spec.function ?? 'instantaneous');
  if (fn < 0) throw new MbusError('MBUS_ENCODE', `function ${String(spec.function)} is not one of ${FUNCTIONS.join(', ')}`);
  const out = [((storage % 2) << 6) | (fn << 4) | spec.dataField];
  storage = Math.floor(storage / 2);
  while (storage > 0 || tariff > 0 || subunit > 0) {
    out[out.length - 1] = (out[out.length - 1] ?? 0) | 0x80;
    out.push(((subunit % 2) << 6) | ((tariff % 4) << 4) | (storage % 16));
    storage = Math.floor(storage / 16);
    tariff = Math.floor(tariff / 4);
    subunit = Math.floor(subunit / 2);
  }
  return Uint8Array.from(out);
}
