import { closeSync, existsSync, openSync, readFileSync, realpathSync, unlinkSync, writeSync, accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExitCode, MulticalError } from '../core/errors.js';
import type { DeviceSpec } from './device.js';

/**
 * One run at a time per meter: a lock file per device (the serial device's real path, or the
 * ser2net host:port) holding the owner's pid. A second run waits a bounded time, then fails with its
 * own exit code. A lock left by a run that died is taken over.
 */
export interface DeviceLock {
  path: string;
  release(): void;
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

export function lockKey(spec: DeviceSpec): string | undefined {
  switch (spec.kind) {
    case 'sim':
      return undefined; // in-process: nothing shared
    case 'tcp':
      return `tcp-${spec.host}-${spec.port}`;
    case 'serial': {
      let real = spec.path;
      try {
        real = realpathSync(spec.path);
      } catch {
        // does not exist (yet): the open will say so
      }
      return 'serial' + real.replace(/[^A-Za-z0-9._-]/g, '_');
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(path: string): { ok: true } | { ok: false; owner: number | undefined } {
  try {
    const fd = openSync(path, 'wx', 0o644);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return { ok: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let owner: number | undefined;
  try {
    owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
  } catch {
    return { ok: false, owner: undefined }; // released in between: try again
  }
  if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
    // Stale: its run died without releasing. Check it is still that lock before removing it.
    try {
      if (Number.parseInt(readFileSync(path, 'utf8'), 10) === owner) unlinkSync(path);
    } catch {
      // someone else cleaned it up
    }
    return { ok: false, owner: undefined };
  }
  return { ok: false, owner: Number.isInteger(owner) ? owner : undefined };
}

export async function acquireDeviceLock(spec: DeviceSpec, waitMs: number, signal: AbortSignal, name: string, dir = lockDir()): Promise<DeviceLock | undefined> {
  const key = lockKey(spec);
  if (key === undefined) return undefined;
  const path = join(dir, `multical-${key}.lock`);
  const started = Date.now();
  let owner: number | undefined;
  for (;;) {
    const r = tryLock(path);
    if (r.ok) {
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          if (existsSync(path) && Number.parseInt(readFileSync(path, 'utf8'), 10) === process.pid) unlinkSync(path);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return { path, release };
    }
    owner = r.owner ?? owner;
    if (signal.aborted) throw signal.reason;
    if (Date.now() - started >= waitMs) {
      throw new MulticalError(
        'LOCKED',
        `another multical run${owner ? ` (pid ${owner})` : ''} is using ${name}; waited ${Math.round(waitMs / 100) / 10} s (lock ${path})`,
        { exitCode: ExitCode.locked, fields: { owner, lock: path } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(1, waitMs - (Date.now() - started)))));
  }
}
