/**
 * Before anything else, a run finishes the units a stopped run left half-done (journal.ts): for each unit
 * of this run's arguments with a journal, every update not confirmed is sent again with the svalue
 * recorded then — never recomputed from a device the half-done unit already changed. A unit that cannot
 * be finished is not pushed in this run.
 */
import { errorMessage } from '../core/errors.js';
import type { ReadArgument } from './argument.js';
import type { DomoticzClient } from './client.js';
import { DomoticzError } from './errors.js';
import { decodeJournal, journalName, type Journal, type JournalStore } from './journal.js';
import { saveJournal } from './send.js';
import { groupUnits } from './units.js';

export interface Finished {
  argument: string;
  idx: string;
  svalue: string;
  /** uncertain: an increment that may have been applied, not sent twice. */
  status: 'sent' | 'failed' | 'uncertain' | 'stopped';
  message?: string;
}

export interface Recovery {
  finished: Finished[];
  /** Units not to push in this run: why, by journal name. */
  blocked: Map<string, string>;
  stopped: boolean;
}

export async function finishUnits(args: readonly ReadArgument[], client: DomoticzClient, store: JournalStore): Promise<Recovery> {
  const out: Recovery = { finished: [], blocked: new Map(), stopped: false };
  for (const unit of groupUnits(args)) {
    const name = journalName(client.where, unit.devices);
    const path = store.path(name);
    const devices = `devices ${unit.devices.join(', ')}`;
    let text: string | undefined;
    try {
      text = store.read(name);
    } catch (e) {
      out.blocked.set(name, `the journal ${path} cannot be read (${errorMessage(e)})`);
      continue;
    }
    if (text === undefined) continue;
    const journal = decodeJournal(text);
    if ('bad' in journal || journal.url !== client.where) {
      const why = 'bad' in journal ? journal.bad : `it is for ${journal.url}`;
      out.blocked.set(name, `a stopped run left ${path}, which cannot be used (${why}): check ${devices} in Domoticz, then remove it`);
      continue;
    }
    const end = await finishJournal(journal, name, client, store, out.finished);
    if (end === 'stopped') return { ...out, stopped: true };
    if (end === 'failed')
      out.blocked.set(name, `a stopped run left ${devices} half-updated, and finishing that failed (see above; ${path})`);
  }
  return out;
}

async function finishJournal(
  journal: Journal,
  name: string,
  client: DomoticzClient,
  store: JournalStore,
  finished: Finished[],
): Promise<'done' | 'failed' | 'stopped'> {
  for (const entry of journal.entries) {
    if (entry.state === 'applied') continue;
    const { argument, idx, svalue } = entry;
    const said = `${argument}: the previous run's update of device ${idx} (${svalue})`;
    if (entry.additive && entry.state === 'sending') {
      finished.push({
        argument,
        idx,
        svalue,
        status: 'uncertain',
        message: `${said} was on its way when that run stopped: it may have been applied, and it adds what it is sent, so it is not sent again: check device ${idx}`,
      });
    } else {
      try {
        await client.updateDevice(idx, '0', svalue);
      } catch (e) {
        if (!(e instanceof DomoticzError)) throw e;
        const stopped = e.code === 'DZ_ABORTED';
        const message = stopped
          ? `${said}: stopped while it was on its way: it may have been applied; the next run sends it again`
          : `${said}: ${e.message}`;
        finished.push({ argument, idx, svalue, status: stopped ? 'stopped' : 'failed', message });
        return stopped ? 'stopped' : 'failed';
      }
      finished.push({ argument, idx, svalue, status: 'sent' });
    }
    entry.state = 'applied';
    saveJournal(store, name, journal);
  }
  try {
    store.remove(name);
  } catch {
    // Every entry is marked applied: the next run finds nothing to send.
  }
  return 'done';
}
