/**
 * M-Bus application layer, CI field and data header (EN 13757-3; mbus-protocol.md §3): CI 0x72 (12-byte
 * header, LSB first), 0x76 (the same, MSB first), 0x78 (no header), 0x7A (4-byte short header) and 0x70
 * (application error). The status byte follows EN 13757-7:2018 7.5.6 as exmbus quotes it.
 */

import { MbusError, hexByte, hexContext } from './errors.js';
import { decodeIdNumber, decodeManufacturer, encodeIdNumber, encodeManufacturer } from './identity.js';
import { byteArg } from './link.js';

export const Ci = {
  APPLICATION_ERROR: 0x70,
  VARIABLE: 0x72,
  VARIABLE_MSB: 0x76,
  NO_HEADER: 0x78,
  SHORT_HEADER: 0x7a,
} as const;

export const HEADER_LENGTH = 12;
export const SHORT_HEADER_LENGTH = 4;

/** What the CIs this decoder does not read are, for the refusal message. */
const OTHER_CI: Readonly<Record<number, string>> = {
  0x50: 'application reset (master to slave)',
  0x51: 'data send (master to slave)',
  0x52: 'selection (master to slave)',
  0x54: 'synchronize action (master to slave)',
  0x55: 'data send, MSB first (master to slave)',
  0x56: 'selection, MSB first (master to slave)',
  0x71: 'alarm status',
  0x73: 'fixed data, LSB first (2018: compact frame)',
  0x77: 'fixed data, MSB first',
};

export const APPLICATION_ERRORS: readonly string[] = [
  'unspecified error',
  'unimplemented CI',
  'buffer too long, truncated',
  'too many records',
  'premature end of record',
  'more than 10 DIFEs',
  'more than 10 VIFEs',
  'reserved',
  'application busy',
  'too many readouts',
];

const MEDIA: readonly string[] = [
  'other',
  'oil',
  'electricity',
  'gas',
  'heat (outlet)',
  'steam',
  'warm water 30–90 °C',
  'water',
  'heat cost allocator',
  'compressed air',
  'cooling (outlet)',
  'cooling (inlet)',
  'heat (inlet)',
  'heat/cooling',
  'bus/system component',
  'unknown',
  'irrigation water',
  'water data logger',
  'gas data logger',
  'gas converter',
  'calorific value',
  'hot water ≥ 90 °C',
  'cold water',
  'dual water',
  'pressure',
  'A/D converter',
  'smoke detector',
  'room sensor',
  'gas detector',
  'sensor',
  'sensor',
  'sensor',
  'breaker (electricity)',
  'valve',
];
const MEDIA_HIGH: Readonly<Record<number, string>> = {
  0x25: 'display unit',
  0x28: 'waste water',
  0x29: 'garbage',
  0x2a: 'CO₂',
  0x30: 'service unit',
  0x31: 'gateway/communication controller',
  0x32: 'unidirectional repeater',
  0x33: 'bidirectional repeater',
  0x36: 'radio converter (system side)',
  0x37: 'radio converter (meter side)',
  0x38: 'bus control unit / wired adapter',
  0xff: 'placeholder',
};

export function mediumName(code: number): string {
  return MEDIA[code] ?? MEDIA_HIGH[code] ?? 'reserved';
}

const STATUS_APPLICATION = ['', 'application busy', 'application error', 'abnormal condition or alarm'];

/** The status byte's set bits in words; [] for 0. */
export function statusText(status: number): string[] {
  const out: string[] = [];
  const app = STATUS_APPLICATION[status & 0x03];
  if (app) out.push(app);
  if (status & 0x04) out.push('power low');
  if (status & 0x08) out.push('permanent error');
  if (status & 0x10) out.push('temporary error');
  for (const bit of [5, 6, 7]) if (status & (1 << bit)) out.push(`manufacturer specific bit ${bit}`);
  return out;
}

export interface MbusShortHeader {
  accessNumber: number;
  status: number;
  statusText?: string[];
  /** Signature (configuration word); 0 = unencrypted. */
  signature: number;
}

export interface MbusHeader extends MbusShortHeader {
  /** Identification number, 8 digits ("58300187"); Kamstrup: the customer number. */
  id: string;
  /** Three letters ("KAM"), or `0xNNNN` when the code is not three letters (flagged). */
  manufacturer: string;
  version: number;
  medium: { code: number; name: string };
}

export interface ApplicationHead {
  header?: MbusHeader;
  shortHeader?: MbusShortHeader;
  applicationError?: { code: number; message: string };
  /** Where the records begin in the data. */
  recordsStart: number;
  msbFirst: boolean;
  problems: string[];
}

/** Reads what comes before the records; an unknown CI or a cut-off header is refused. */
export function decodeApplicationHead(ci: number, data: Uint8Array): ApplicationHead {
  switch (ci) {
    case Ci.VARIABLE:
    case Ci.VARIABLE_MSB:
      return decodeLongHeader(data, ci === Ci.VARIABLE_MSB);
    case Ci.NO_HEADER:
      return { recordsStart: 0, msbFirst: false, problems: [] };
    case Ci.SHORT_HEADER: {
      needBytes(ci, data, SHORT_HEADER_LENGTH);
      const shortHeader = statusFields(data[0] ?? 0, data[1] ?? 0, (data[2] ?? 0) | ((data[3] ?? 0) << 8));
      return { shortHeader, recordsStart: SHORT_HEADER_LENGTH, msbFirst: false, problems: [] };
    }
    case Ci.APPLICATION_ERROR:
      return decodeApplicationError(data);
    default: {
      const what = OTHER_CI[ci] ?? (ci >= 0xb8 && ci <= 0xbf ? 'set baud rate (master to slave)' : 'not an EN 13757-3 CI known here');
      throw new MbusError('MBUS_UNKNOWN_CI', `CI ${hexByte(ci)} (${what}) is not decoded: only 70, 72, 76, 78 and 7A are`, { actual: ci });
    }
  }
}

function needBytes(ci: number, data: Uint8Array, n: number): void {
  if (data.length < n) {
    const message = `CI ${hexByte(ci)} header needs ${n} bytes, ${data.length} present: ${hexContext(data)}`;
    throw new MbusError('MBUS_LENGTH', message, { actual: data });
  }
}

function statusFields(accessNumber: number, status: number, signature: number): MbusShortHeader {
  const text = statusText(status);
  return { accessNumber, status, ...(text.length > 0 ? { statusText: text } : {}), signature };
}

function decodeLongHeader(data: Uint8Array, msbFirst: boolean): ApplicationHead {
  needBytes(msbFirst ? Ci.VARIABLE_MSB : Ci.VARIABLE, data, HEADER_LENGTH);
  // MSB-first mode (CI 0x76): every multi-byte field is reversed (pyMeterBus).
  const field = (from: number, to: number): Uint8Array => {
    const f = data.slice(from, to);
    return msbFirst ? f.reverse() : f;
  };
  const problems: string[] = [];
  const id = decodeIdNumber(field(0, 4));
  if (!id.valid) problems.push(`identification number ${id.text} has a digit that is not 0–9`);
  const manBytes = field(4, 6);
  const man = decodeManufacturer((manBytes[0] ?? 0) | ((manBytes[1] ?? 0) << 8));
  if (!man.valid) problems.push(`manufacturer code ${man.text} is not three letters (0x0421 "AAA" … 0x6B5A "ZZZ")`);
  const sig = field(10, 12);
  const medium = data[7] ?? 0;
  const header: MbusHeader = {
    id: id.text,
    manufacturer: man.text,
    version: data[6] ?? 0,
    medium: { code: medium, name: mediumName(medium) },
    ...statusFields(data[8] ?? 0, data[9] ?? 0, (sig[0] ?? 0) | ((sig[1] ?? 0) << 8)),
  };
  return { header, recordsStart: HEADER_LENGTH, msbFirst, problems };
}

function decodeApplicationError(data: Uint8Array): ApplicationHead {
  const problems: string[] = [];
  const code = data[0] ?? 0;
  if (data.length === 0) problems.push('application error (CI 0x70) without its code byte');
  if (data.length > 1) {
    problems.push(`application error (CI 0x70) with ${data.length - 1} unexpected bytes: ${hexContext(data.subarray(1))}`);
  }
  const message = APPLICATION_ERRORS[code] ?? 'reserved';
  return { applicationError: { code, message }, recordsStart: data.length, msbFirst: false, problems };
}

export interface HeaderInput {
  id: string;
  manufacturer: string;
  version: number;
  /** Medium code (0x04 heat, outlet; 0x0C heat, inlet …). */
  medium: number;
  accessNumber: number;
  status?: number;
  signature?: number;
}

/** The 12 header bytes of CI 0x72 (or 0x76 with `msbFirst`). */
export function encodeHeader(h: HeaderInput, msbFirst = false): Uint8Array {
  const id = encodeIdNumber(h.id);
  const man = encodeManufacturer(h.manufacturer);
  const sig = h.signature ?? 0;
  if (!Number.isInteger(sig) || sig < 0 || sig > 0xffff) throw new MbusError('MBUS_BAD_REQUEST', `signature ${sig} is not 0–65535`);
  const order = (b: number[]): number[] => (msbFirst ? b.reverse() : b);
  return Uint8Array.from([
    ...order([...id]),
    ...order([man & 0xff, man >> 8]),
    byteArg('version', h.version),
    byteArg('medium', h.medium),
    byteArg('access number', h.accessNumber),
    byteArg('status', h.status ?? 0),
    ...order([sig & 0xff, sig >> 8]),
  ]);
}

/** The 4 bytes of the CI 0x7A short header. */
export function encodeShortHeader(h: { accessNumber: number; status?: number; signature?: number }): Uint8Array {
  const sig = h.signature ?? 0;
  return Uint8Array.of(byteArg('access number', h.accessNumber), byteArg('status', h.status ?? 0), sig & 0xff, (sig >> 8) & 0xff);
}
