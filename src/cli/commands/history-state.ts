/**
 * What `history --new` remembers between runs, per meter serial and log, in the state directory
 * (settings/state.ts: written atomically): the log id of the last entry printed with its exact values (read
 * again next time to tell a reset log from a grown one), the units of the columns, and the register list
 * of a B8 logger (a different list is a reconfigured logger). Written only after the entries are out.
 */
import { UsageError } from '../../core/errors.js';
import type { LogMark } from '../../meter/kmp-logger-span.js';
import { readState, writeState } from '../../settings/state.js';
import type { LoggerName } from './history-options.js';

export interface HistoryState {
  version: 1;
  serial: string;
  logger: LoggerName;
  /** Where the log was read: 0x3F (B8), 0x7F or 0xBF (GetLog). */
  address: number;
  /** A B8 logger's registers (GetConfiguration) when this was written. */
  configuration?: number[];
  /** The last entry printed; log id 0 when the log was empty. */
  mark: LogMark;
  /** Register id → the unit its column was printed in. */
  units: Record<string, string>;
  savedAt: string;
}

export function stateName(serial: string, logger: LoggerName, address: number): string {
  const where = logger === 'interval' ? `-0x${address.toString(16).toUpperCase()}` : '';
  return `history-${serial}-${logger}${where}.json`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTexts = (v: unknown): boolean => isRecord(v) && Object.values(v).every((x) => typeof x === 'string');

function valid(v: unknown): v is HistoryState {
  if (!isRecord(v) || v.version !== 1 || typeof v.serial !== 'string' || typeof v.logger !== 'string') return false;
  if (typeof v.address !== 'number' || !isRecord(v.mark) || !isTexts(v.units)) return false;
  if (v.configuration !== undefined && !(Array.isArray(v.configuration) && v.configuration.every((n) => Number.isInteger(n)))) return false;
  const { logId, values } = v.mark;
  if (!Number.isSafeInteger(logId) || (logId as number) < 0 || !isRecord(values)) return false;
  return Object.values(values).every((x) => isRecord(x) && typeof x.text === 'string' && typeof x.unit === 'string');
}

/** The state of this meter's log, or undefined when no --new run has saved one. */
export function loadState(dir: string, name: string): HistoryState | undefined {
  const text = readState(dir, name);
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  if (!valid(doc)) {
    throw new UsageError(`state file ${dir}/${name} is damaged: delete it, or start over with --new --restart`);
  }
  return doc;
}

export function saveState(dir: string, name: string, state: HistoryState): void {
  writeState(dir, name, JSON.stringify(state) + '\n');
}
