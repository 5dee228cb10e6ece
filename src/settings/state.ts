/**
 * The state directory: what a run leaves for the next one (the Domoticz write-ahead journal, the last
 * history entry read). `$XDG_STATE_HOME/multical`, else `~/.local/state/multical`; created 0700. Files
 * are written atomically (a temporary file, fsync, rename), so a run killed at any step leaves either
 * the old content or the new, never half of one; and read with the same caps as every other file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { readUserFile } from './files.js';

export const MAX_STATE_BYTES = 1024 * 1024;

/** Where state lives; the environment is the run's (tests give an empty HOME). */
export function stateDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'multical');
}

function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new UsageError(`state directory ${dir}: cannot be created (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** Replaces `name` in the state directory with `text`, atomically and durably. */
export function writeState(dir: string, name: string, text: string): void {
  ensureDir(dir);
  const path = join(dir, name);
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // a directory that cannot be synced (some file systems): the rename is still atomic
  }
}

/** The content of `name`, or undefined when there is none. */
export function readState(dir: string, name: string): string | undefined {
  try {
    return readUserFile(join(dir, name), 'state file', MAX_STATE_BYTES).data.toString('utf8');
  } catch (e) {
    if (e instanceof UsageError && / no such file$/.test(e.message)) return undefined;
    throw e;
  }
}

export function removeState(dir: string, name: string): void {
  try {
    unlinkSync(join(dir, name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
