/**
 * One run at a time per meter: a lock file per device — the serial device's real path, or the TCP
 * endpoint's resolved address and port — holding the owner's pid. A second run waits a bounded time,
 * then fails with its own exit code. The lock directory is shared by every user (/run/lock is
 * world-writable), so a lock file is trusted only when it holds a live multical run on the same device:
 * an empty, garbled or foreign-pid file is stale and is taken over. Names are a bounded hash, never the
 * path itself, so a long device path cannot make the name too long.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  openSync,
  readSync,
  realpathSync,
  unlinkSync,
  writeFileSync,
  accessSync,
} from 'node:fs';
import { lookup } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LockedError } from './errors.js';
import type { Link } from './link.js';

export interface DeviceLock {
  path: string;
  release: () => void;
}

export function lockDir(): string {
  for (const dir of ['/run/lock', '/var/lock']) {
    try {
      accessSync(dir, constants.W_OK);
      return dir;
    } catch {
      // not here
    }
  }
  return tmpdir();
}

/** What identifies the device: its real path, or the resolved address and port of the endpoint. */
export async function lockKey(link: Link): Promise<string> {
  if (link.kind === 'tcp') {
    let address = link.host;
    try {
      address = (await lookup(link.host)).address;
    } catch {
      // not resolvable: the connection will say so
    }
    return `tcp:${address}:${link.port}`;
  }
  try {
    return `serial:${realpathSync(link.path)}`;
  } catch {
    return `serial:${link.path}`; // does not exist (yet): the open will say so
  }
}

/** The lock file of a device: a readable hint of the device plus a hash of its key, bounded in length. */
export async function lockPath(link: Link, dir = lockDir()): Promise<{ path: string; key: string }> {
  const key = await lockKey(link);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const hint = (link.kind === 'tcp' ? `tcp-${link.port}` : basename(key)).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 32);
  return { path: join(dir, `multical-${hint}-${hash}.lock`), key };
}

const MAX_LOCK_BYTES = 4096;

/** The lock file's content, read without following a link or blocking on a FIFO; undefined if it is gone. */
function readLock(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') return ''; // a symbolic link is no lock of ours: stale
    throw new LockedError(
      `cannot read the lock file ${path} (${code === 'EACCES' ? 'permission denied' : code}): remove it if no multical run is using the device`,
      {
        fields: { lock: path },
      },
    );
  }
  try {
    if (!fstatSync(fd).isFile()) return '';
    const buf = Buffer.alloc(MAX_LOCK_BYTES);
    const n = readSync(fd, buf, 0, MAX_LOCK_BYTES, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Whether `pid` is a running multical (on Linux, by its command line; elsewhere any live process). */
function liveMultical(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const fd = openSync(`/proc/${pid}/cmdline`, 'r');
    try {
      const buf = Buffer.alloc(8192);
      return /multical/.test(buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8'));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

type Attempt = { ok: true } | { ok: false; owner: number | undefined };

/** One try: create the lock atomically (a complete file appears, or none), else judge the one there. */
function tryLock(path: string, key: string): Attempt {
  // A fresh name, created exclusively: in a shared directory a name chosen in advance could be a trap.
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  writeFileSync(tmp, `${process.pid}\n${key}\n`, { mode: 0o644, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return { ok: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // gone already
    }
  }
  const text = readLock(path);
  if (text === undefined) return { ok: false, owner: undefined }; // released in between: try again
  const [pidText, owned] = text.split('\n');
  const owner = /^\d{1,10}$/.test(pidText ?? '') ? Number(pidText) : undefined;
  if (owner !== undefined && owned === key && owner !== process.pid && liveMultical(owner)) return { ok: false, owner };
  takeOver(path, text);
  return { ok: false, owner: undefined };
}

/** Removes a stale lock, if it is still the one judged stale. */
function takeOver(path: string, stale: string): void {
  if (readLock(path) !== stale) return;
  try {
    unlinkSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    throw new LockedError(`the lock file ${path} holds no live multical run but cannot be removed (${code}): remove it`, {
      fields: { lock: path },
    });
  }
}

/** Takes the device's lock, waiting up to `waitMs` for another run to finish. */
export async function acquireDeviceLock(
  link: Link,
  waitMs: number,
  signal: AbortSignal,
  name: string,
  dir = lockDir(),
): Promise<DeviceLock> {
  const { path, key } = await lockPath(link, dir);
  const started = Date.now();
  let owner: number | undefined;
  for (;;) {
    const r = tryLock(path, key);
    if (r.ok) return held(path);
    owner = r.owner ?? owner;
    if (signal.aborted) throw signal.reason;
    if (Date.now() - started >= waitMs) {
      throw new LockedError(
        `another multical run${owner ? ` (pid ${owner})` : ''} is using ${name}; waited ${Math.round(waitMs / 100) / 10} s (lock ${path})`,
        { fields: { owner, lock: path } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(1, waitMs - (Date.now() - started)))));
  }
}

function held(path: string): DeviceLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    try {
      if (readLock(path)?.startsWith(`${process.pid}\n`)) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  process.once('exit', release);
  return { path, release };
}
