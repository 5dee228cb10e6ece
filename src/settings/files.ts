/**
 * Files we are pointed at — config, password and token files, certificates, the debug log — may be
 * FIFOs, symbolic links, folders, huge, or someone else's. One way to read them: opened without blocking,
 * only a regular file, only up to a size cap, and every refusal one line that names the file.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../core/errors.js';

export const MAX_CONFIG_BYTES = 256 * 1024;
export const MAX_SECRET_BYTES = 64 * 1024;
export const MAX_PEM_BYTES = 1024 * 1024;

function openProblem(code: string | undefined): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ELOOP':
      return 'is a symbolic link, which is not followed';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return `cannot be read${code ? ` (${code})` : ''}`;
  }
}

export interface UserFile {
  data: Buffer;
  mode: number;
}

/** Reads a regular file of at most `maxBytes`; anything else is a UsageError naming `label` and the path. */
export function readUserFile(path: string, label: string, maxBytes: number): UserFile {
  const fail = (why: string): never => {
    throw new UsageError(`${label} ${path}: ${why}`);
  };
  let fd = -1;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    fail(openProblem((e as NodeJS.ErrnoException).code));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) fail('is a folder, not a file');
    if (!st.isFile()) fail('is not a regular file (a FIFO, a device or a socket)');
    if (st.size > maxBytes) fail(`is ${st.size} bytes, more than the ${maxBytes} this file may have`);
    const data = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, data, n, data.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > maxBytes) fail(`is more than the ${maxBytes} bytes this file may have`);
    }
    return { data: data.subarray(0, n), mode: st.mode };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    return fail(openProblem((e as NodeJS.ErrnoException).code));
  } finally {
    closeSync(fd);
  }
}

/**
 * A secret (password, token) from a file: its first line. Warns when the file can be read by other users
 * than its owner, as ssh does for keys.
 */
export function readSecretFile(path: string, label: string, warn: (text: string) => void): string {
  const { data, mode } = readUserFile(path, label, MAX_SECRET_BYTES);
  if ((mode & 0o044) !== 0) {
    warn(`warning: ${label} ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 ${path}`);
  }
  const first = data.toString('utf8').split(/\r?\n/, 1)[0] ?? '';
  if (first === '') throw new UsageError(`${label} ${path}: the file is empty`);
  return first;
}

/**
 * Opens the debug log for appending: created 0600 when new; never through a symbolic link, never a FIFO
 * (which would block), only a regular file owned by the user running multical.
 */
export function openAppendOnly(path: string, label: string): number {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A FIFO with no reader refuses a non-blocking open for writing with ENXIO.
    throw new UsageError(`${label} ${path}: ${code === 'ENXIO' ? 'is not a regular file (a FIFO)' : openProblem(code)}`);
  }
  const st = fstatSync(fd);
  const uid = typeof process.getuid === 'function' ? process.getuid() : st.uid;
  const why = !st.isFile() ? 'is not a regular file' : st.uid !== uid ? 'belongs to another user' : undefined;
  if (why) {
    closeSync(fd);
    throw new UsageError(`${label} ${path}: ${why}: refused`);
  }
  return fd;
}
