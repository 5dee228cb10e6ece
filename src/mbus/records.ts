/**
 * Data records of a variable data structure (EN 13757-3; mbus-protocol.md §4–5): DIB, VIB, data, until the
 * end of the frame. Fillers (2F) are skipped; 0F / 1F start the manufacturer data (1F: more telegrams
 * follow). A record the decoder does not understand is kept as hex and flagged; a record whose length
 * cannot be known (cut short, more than 10 DIFEs/VIFEs, reserved LVAR or DIF) ends decoding, and the
 * records before it are kept with the problem in `problems`.
 */

import { toHex } from '../core/hex.js';
import { DataField, SpecialDif, fixedLength, readDib, type Dib, type MbusFunction } from './dif.js';
import { hexByte, hexContext } from './errors.js';
import { decodeRecordValue, type MbusValue } from './record-value.js';
import { lvarForm, type LvarForm } from './values.js';
import { readVib, vifMeaning, type Vib } from './vif.js';

export type { MbusValue } from './record-value.js';

export interface MbusRecord {
  /** Hex of DIF and DIFEs. */
  dif: string;
  /** Hex of VIF and VIFEs. */
  vif: string;
  function: MbusFunction;
  storage: number;
  tariff: number;
  subunit: number;
  quantity: string;
  unit: string;
  value: MbusValue;
  /** The KMP register of the same quantity, where there is one (registers.ts). */
  register?: number;
  /** Combinable VIFEs kept by name ("backward flow", "record error: data overflow"). */
  vifeCodes?: string[];
  problem?: string;
  /** Hex of the whole record as sent. */
  raw: string;
}

export interface RecordsResult {
  records: MbusRecord[];
  moreFollows: boolean;
  manufacturerData?: Uint8Array;
  problems: string[];
}

export interface RecordContext {
  /** Three letters from the header: VIF FF codes are read as Kamstrup's only for "KAM". */
  manufacturer?: string | undefined;
  /** CI 0x76: multi-byte data fields are sent most significant byte first. */
  msbFirst?: boolean;
}

export function decodeRecords(data: Uint8Array, ctx: RecordContext = {}): RecordsResult {
  const out: RecordsResult = { records: [], moreFollows: false, problems: [] };
  let i = 0;
  while (i < data.length) {
    const dif = data[i] ?? 0;
    if (dif === SpecialDif.FILLER) {
      i++;
      continue;
    }
    if (dif === SpecialDif.MANUFACTURER || dif === SpecialDif.MORE_FOLLOWS) {
      out.moreFollows = dif === SpecialDif.MORE_FOLLOWS;
      if (i + 1 < data.length) out.manufacturerData = data.slice(i + 1);
      break;
    }
    if ((dif & 0x0f) === DataField.SPECIAL) {
      if (dif === SpecialDif.GLOBAL_READOUT) {
        out.problems.push(`DIF 7F (global readout request) at data byte ${i} is sent only from master to slave: skipped`);
        i++;
        continue;
      }
      out.problems.push(`reserved special DIF ${hexByte(dif)} at data byte ${i}: the rest is not decoded: ${hexContext(data.subarray(i))}`);
      break;
    }
    const step = readRecord(data, i, ctx);
    if (!step.ok) {
      out.problems.push(`record ${out.records.length + 1} at data byte ${i}: ${step.problem}; the rest is not decoded`);
      break;
    }
    out.records.push(step.record);
    i = step.next;
  }
  return out;
}

type RecordRead = { ok: true; record: MbusRecord; next: number } | { ok: false; problem: string };

function readRecord(data: Uint8Array, at: number, ctx: RecordContext): RecordRead {
  const d = readDib(data, at);
  if (!d.ok) return d;
  const v = readVib(data, d.next);
  if (!v.ok) return v;
  let start = v.next;
  let length = fixedLength(d.dib.dataField) ?? 0;
  let lvar: LvarForm | undefined;
  if (d.dib.dataField === DataField.LVAR) {
    const lv = data[start];
    if (lv === undefined) return { ok: false, problem: `${describe(d.dib, v.vib)}: the LVAR byte is missing` };
    lvar = lvarForm(lv);
    if (lvar.kind === 'reserved') {
      return { ok: false, problem: `${describe(d.dib, v.vib)}: LVAR ${hexByte(lv)} is reserved, so the record's length is unknown` };
    }
    length = lvar.length;
    start++;
  }
  if (start + length > data.length) {
    const left = data.subarray(start);
    return { ok: false, problem: `${describe(d.dib, v.vib)} needs ${length} data bytes, ${left.length} left: ${hexContext(left)}` };
  }
  const raw = data.subarray(at, start + length);
  return { ok: true, record: buildRecord(d.dib, v.vib, lvar, data.subarray(start, start + length), raw, ctx), next: start + length };
}

function describe(dib: Dib, vib: Vib): string {
  return `DIF ${toHex(dib.bytes)} VIF ${toHex(vib.bytes)}`;
}

function buildRecord(dib: Dib, vib: Vib, lvar: LvarForm | undefined, data: Uint8Array, raw: Uint8Array, ctx: RecordContext): MbusRecord {
  const meaning = vifMeaning(vib, ctx.manufacturer);
  const read = decodeRecordValue(dib, lvar, data, meaning, ctx.msbFirst ?? false);
  const problems: string[] = [];
  if (meaning.problem) problems.push(meaning.problem);
  if (read.problem) problems.push(read.problem);
  let value = read.value;
  const effect = meaning.effect;
  if (effect.recordError) value = { kind: 'invalid', why: effect.recordError };
  if (effect.additive) problems.push(`${effect.additive}: the record is an offset to the ${meaning.quantity}, not applied`);
  if (effect.manufacturerSpecific) problems.push('VIFE 7F: manufacturer-specific VIFEs and data, kept as hex');
  return {
    dif: toHex(dib.bytes),
    vif: toHex(vib.bytes),
    function: dib.function,
    storage: dib.storage,
    tariff: dib.tariff,
    subunit: dib.subunit,
    quantity: meaning.quantity,
    unit: read.unit,
    value,
    ...(effect.codes.length > 0 ? { vifeCodes: effect.codes } : {}),
    ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
    raw: toHex(raw),
  };
}
