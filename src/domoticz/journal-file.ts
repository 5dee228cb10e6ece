/** The Domoticz write-ahead journal kept in the state directory (settings/state.ts), written atomically. */
import { join } from 'node:path';
import { readState, removeState, stateDir, writeState } from '../settings/state.js';
import type { JournalStore } from './journal.js';

export function stateJournal(env: Readonly<Record<string, string | undefined>>): JournalStore {
  const dir = stateDir(env);
  return {
    read: (name) => readState(dir, name),
    write: (name, text) => writeState(dir, name, text),
    remove: (name) => removeState(dir, name),
    path: (name) => join(dir, name),
  };
}
