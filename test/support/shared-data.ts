// The repository's root and the single source of tables beside it, ../shared/data (kmp-registers.tsv,
// kmp-units.tsv, kamstrup-info-codes.tsv, mbus-vif.tsv), for the tests that hold the generated tables to it.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'multical') return dir;
    const up = dirname(dir);
    assert.notEqual(up, dir, 'package.json of multical not found above the test');
    dir = up;
  }
}

export const ROOT = repoRoot();
export const DATA = join(ROOT, '..', 'shared', 'data');

/** Rows of a TSV in DATA as string cells, header first; blank lines skipped. */
export function readTsv(name: string): string[][] {
  return readFileSync(join(DATA, name), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t').map((c) => c.trim()));
}
