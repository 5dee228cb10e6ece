/**
 * Sending a unit's planned updates in argument order, under its journal (journal.ts) when there is more
 * than one: the journal is written before the first update, each update is marked applied once Domoticz
 * confirmed it, and the journal is removed after the last. The first update that fails ends the unit.
 */
import { errorMessage } from '../core/errors.js';
import { DomoticzError } from './errors.js';
import type { Journal, JournalStore } from './journal.js';
import { encodeJournal } from './journal.js';
import type { PushResult, Sink } from './push.js';
import type { Unit } from './units.js';

export interface Planned {
  result: PushResult;
  svalue: string;
  /**
   * An Alert's level; '0' when undefined, as for every device that takes a value. An alert push is a unit
   * of its own (units.ts), so it is never journaled (a journal holds only numeric svalues).
   */
  nvalue?: string;
  /** The device adds what it is sent (Counter Incremental). */
  additive: boolean;
}

/** `journal` saved; undefined, or why it could not be. */
export function saveJournal(store: JournalStore, name: string, journal: Journal): string | undefined {
  try {
    store.write(name, encodeJournal(journal));
    return undefined;
  } catch (e) {
    return `its journal ${store.path(name)} cannot be written (${errorMessage(e)})`;
  }
}

/** The results of `planned`, in order: sent, or the first that failed (failed, stopped or refused); the rest untouched. */
export async function sendUnit(planned: readonly Planned[], sink: Sink, name: string, unit: Unit): Promise<PushResult[]> {
  const out = planned.map((p) => p.result);
  const journaled = planned.length > 1;
  const journal: Journal = {
    url: sink.client.where,
    devices: unit.devices,
    entries: planned.map((p) => ({
      argument: p.result.arg.text,
      idx: p.result.arg.idx,
      svalue: p.svalue,
      additive: p.additive,
      state: 'planned',
    })),
  };
  const next = journaled ? `; the next run finishes these updates from ${sink.journal.path(name)}` : '';
  for (const [k, p] of planned.entries()) {
    const r = p.result;
    const entry = journal.entries[k]!;
    // Before the first update every svalue is on disk; an increment is marked as on its way before it goes.
    if (journaled && (k === 0 || p.additive)) {
      if (p.additive) entry.state = 'sending';
      const bad = saveJournal(sink.journal, name, journal);
      if (bad) {
        out[k] = {
          ...r,
          status: 'refused',
          message: `${r.arg.text}: not sent: ${bad}: without it a stopped run could lose or count twice the usage`,
        };
        return out;
      }
    }
    try {
      await sink.client.updateDevice(r.arg.idx, p.nvalue ?? '0', p.svalue);
    } catch (e) {
      if (!(e instanceof DomoticzError)) throw e;
      const message =
        e.code === 'DZ_ABORTED'
          ? `${r.arg.text}: device ${r.arg.idx}: the run was stopped while its update (${p.svalue}) was on its way: it may have been applied${next}`
          : `${r.arg.text}: ${e.message}${e.code === 'DZ_TIMEOUT' ? ' (the update may have been applied)' : ''}${next}`;
      out[k] = { ...r, status: e.code === 'DZ_ABORTED' ? 'stopped' : 'failed', message };
      return out;
    }
    out[k] = { ...r, status: 'sent', svalue: p.svalue };
    entry.state = 'applied';
    if (!journaled) continue;
    // A mark that cannot be written costs at most one harmless re-send of an absolute value.
    if (k === planned.length - 1) removeJournal(sink.journal, name);
    else saveJournal(sink.journal, name, journal);
  }
  return out;
}

function removeJournal(store: JournalStore, name: string): void {
  try {
    store.remove(name);
  } catch {
    // Left behind, it only makes the next run send the same absolute values once more.
  }
}
