/**
 * Secondary addressing (EN 13757-3 selection with CI 0x52; mbus-protocol.md §2 "Secondary addressing"):
 * the 8 selection bytes are the first 8 bytes of the CI 0x72 header — identification number (BCD, LSB
 * first), manufacturer (LSB first), version, medium. Any ID nibble may be F; manufacturer FF FF, version FF
 * and medium FF match anything. Enhanced selection appends the record `0C 78` + fabrication number.
 */

import { MbusError, hexContext } from './errors.js';
import { decodeIdNumber, decodeManufacturer, encodeIdNumber, encodeManufacturer } from './identity.js';
import { byteArg, selectFrame } from './link.js';

export interface SecondaryMask {
  /** 8 characters 0–9 or F (wildcard nibble), most significant digit first: "3141FFFF". */
  id: string;
  /** Three letters; undefined = any (FF FF). */
  manufacturer?: string | undefined;
  /** undefined = any (FF). */
  version?: number | undefined;
  /** undefined = any (FF). */
  medium?: number | undefined;
  /** 8 digits for the enhanced selection (`0C 78` record); undefined = plain selection. */
  fabricationNumber?: string | undefined;
}

export interface SecondaryIdentity {
  id: string;
  manufacturer: string;
  version: number;
  medium: number;
  fabricationNumber?: string | undefined;
}

export const WILDCARD_MASK: SecondaryMask = { id: 'FFFFFFFF' };

export function encodeSelection(mask: SecondaryMask): Uint8Array {
  const id = encodeIdNumber(mask.id.toUpperCase(), true);
  const man = mask.manufacturer === undefined ? 0xffff : encodeManufacturer(mask.manufacturer);
  const version = mask.version === undefined ? 0xff : byteArg('version', mask.version);
  const medium = mask.medium === undefined ? 0xff : byteArg('medium', mask.medium);
  const head = [...id, man & 0xff, man >> 8, version, medium];
  if (mask.fabricationNumber === undefined) return Uint8Array.from(head);
  return Uint8Array.from([...head, 0x0c, 0x78, ...encodeIdNumber(mask.fabricationNumber)]);
}

/** `68 0B 0B 68 73 FD 52 I0 I1 I2 I3 M0 M1 V T CS 16` (C = 0x73 as libmbus, pyMeterBus and wmbusmeters send it). */
export function selectSecondary(mask: SecondaryMask, fcb = true): Uint8Array {
  return selectFrame(encodeSelection(mask), fcb);
}

/** The selection bytes of a CI 0x52 frame, as a slave (or the simulator) reads them. */
export function decodeSelection(data: Uint8Array): SecondaryMask {
  const plain = data.length === 8;
  const enhanced = data.length === 14 && data[8] === 0x0c && data[9] === 0x78;
  if (!plain && !enhanced) {
    throw new MbusError('MBUS_LENGTH', `selection data must be 8 bytes (or 8 + 0C 78 + 4): ${hexContext(data)}`, { actual: data });
  }
  const b = (i: number): number => data[i] ?? 0;
  const man = b(4) | (b(5) << 8);
  const mask: SecondaryMask = { id: decodeIdNumber(data.subarray(0, 4)).text };
  if (man !== 0xffff) mask.manufacturer = decodeManufacturer(man).text;
  if (b(6) !== 0xff) mask.version = b(6);
  if (b(7) !== 0xff) mask.medium = b(7);
  if (enhanced) mask.fabricationNumber = decodeIdNumber(data.subarray(10, 14)).text;
  return mask;
}

/** Does a slave with this identity answer the selection? (F nibbles and FF fields match anything.) */
export function selectionMatches(mask: SecondaryMask, meter: SecondaryIdentity): boolean {
  const want = mask.id.toUpperCase();
  const have = meter.id.toUpperCase().padStart(8, '0');
  for (let i = 0; i < 8; i++) if (want[i] !== 'F' && want[i] !== have[i]) return false;
  if (mask.manufacturer !== undefined && mask.manufacturer !== meter.manufacturer) return false;
  if (mask.version !== undefined && mask.version !== meter.version) return false;
  if (mask.medium !== undefined && mask.medium !== meter.medium) return false;
  if (mask.fabricationNumber !== undefined && mask.fabricationNumber !== meter.fabricationNumber) return false;
  return true;
}

/**
 * A mask as a user writes it: "58300187" or "3141FFFF" (identification number only), or libmbus's 16 hex
 * characters `IIIIIIIIMMMMVVTT` with the manufacturer in wire order (KAM = 2D2C; FFFF = any).
 */
export function parseSecondaryMask(text: string): SecondaryMask {
  const t = text.trim().toUpperCase();
  if (/^[0-9F]{8}$/.test(t)) return { id: t };
  const m = /^([0-9F]{8})([0-9A-F]{4})([0-9A-F]{2})([0-9A-F]{2})$/.exec(t);
  if (!m) {
    throw new MbusError('MBUS_BAD_REQUEST', `secondary address "${text}": 8 digits (F = any) or 16 hex characters IIIIIIIIMMMMVVTT`);
  }
  const [, id = '', manWire = '', version = '', medium = ''] = m;
  const man = Number.parseInt(manWire.slice(2, 4) + manWire.slice(0, 2), 16);
  const mask: SecondaryMask = { id };
  if (man !== 0xffff) {
    const decoded = decodeManufacturer(man);
    if (!decoded.valid) {
      throw new MbusError('MBUS_BAD_REQUEST', `secondary address "${text}": manufacturer ${manWire} is not three letters`);
    }
    mask.manufacturer = decoded.text;
  }
  if (version !== 'FF') mask.version = Number.parseInt(version, 16);
  if (medium !== 'FF') mask.medium = Number.parseInt(medium, 16);
  return mask;
}
