import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './core/errors.js';

/**
 * Reads a secret (password, token) from a file: the first line, without its line ending. Warns when
 * the file can be read by other users than its owner, as ssh does for keys.
 */
export function readSecretFile(path: string, option: string, warn: (text: string) => void): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    const mode = statSync(path).mode;
    if ((mode & 0o044) !== 0) {
      warn(`warning: ${option} ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 ${path}`);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${option} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read'}`);
  }
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  if (first === '') throw new UsageError(`${option} ${path}: the file is empty`);
  return first;
}
