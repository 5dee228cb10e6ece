/**
 * The write-ahead journal of a unit of pushes (units.ts), in the state directory (settings/state.ts), so
 * that a run stopped between a unit's updates (SIGTERM, --deadline, kill -9, a power cut) is finished by
 * the next run before anything is computed from those devices again. It is written, atomically, before
 * the unit's first update and holds every svalue the unit sends; each update is marked applied once
 * Domoticz confirmed it, and the file is removed when all are. The values are absolute (a mode-2 total
 * once computed, a reading), so an update that may or may not have been applied is simply sent again —
 * except an increment (Counter Incremental), which is marked `sending` before it goes out and, found so,
 * is not sent twice. One file per Domoticz URL and set of devices, so two configurations never mix.
 */
import { createHash } from 'node:crypto';

export type JournalState = 'planned' | 'sending' | 'applied';

export interface JournalEntry {
  argument: string;
  idx: string;
  svalue: string;
  /** The device adds what it is sent (Counter Incremental): never sent twice. */
  additive: boolean;
  state: JournalState;
}

export interface Journal {
  /** The Domoticz URL (origin and path; it never holds credentials). */
  url: string;
  devices: string[];
  entries: JournalEntry[];
}

/** Where journals are kept: the state directory, or a test's stand-in. */
export interface JournalStore {
  read(name: string): string | undefined;
  write(name: string, text: string): void;
  remove(name: string): void;
  /** The file's path, for messages. */
  path(name: string): string;
}

const FORMAT = 'multical domoticz journal 1';

export function journalName(url: string, devices: readonly string[]): string {
  const key = `${url}\n${[...devices].sort((a, b) => Number(a) - Number(b)).join(',')}`;
  return `domoticz-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`;
}

export function encodeJournal(j: Journal): string {
  return JSON.stringify({ format: FORMAT, url: j.url, devices: j.devices, entries: j.entries }, null, 2) + '\n';
}

const isText = (v: unknown): v is string => typeof v === 'string';
const isIdx = (v: unknown): v is string => isText(v) && /^\d{1,9}$/.test(v);
/** What multical sends (a number, or W;Wh): a damaged journal never makes it send anything else. */
const isSvalue = (v: unknown): v is string => isText(v) && /^-?\d{1,30}(\.\d{1,30})?(;-?\d{1,30}(\.\d{1,30})?)?$/.test(v);

function entryOf(v: unknown): JournalEntry | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const { argument, idx, svalue, additive, state } = o;
  if (!isText(argument) || !isIdx(idx) || !isSvalue(svalue) || typeof additive !== 'boolean') return undefined;
  if (state !== 'planned' && state !== 'sending' && state !== 'applied') return undefined;
  return { argument, idx, svalue, additive, state };
}

/** A journal from its file, or what is wrong with the file. */
export function decodeJournal(text: string): Journal | { bad: string } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { bad: 'it is not JSON' };
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (o.format !== FORMAT) return { bad: `it is not a "${FORMAT}" file` };
  const entries = Array.isArray(o.entries) ? o.entries.map(entryOf) : [undefined];
  const devices = Array.isArray(o.devices) ? o.devices : [undefined];
  if (!isText(o.url) || !devices.every(isIdx) || entries.some((e) => e === undefined)) return { bad: 'its content is damaged' };
  return { url: o.url, devices, entries: entries as JournalEntry[] };
}
