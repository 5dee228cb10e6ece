// What the table generators (gen-tables, gen-info-codes, gen-mbus-tables) share: where the single source
// of tables is (../shared/data, or MULTICAL_SHARED_DATA), reading its TSV files, and writing the generated
// file — or, with --check, exiting 1 when the committed one is missing or differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const dataDir = process.env.MULTICAL_SHARED_DATA ?? join(root, '..', 'shared', 'data');

/** Rows of a TSV as objects keyed by the header; blank lines skipped, cells trimmed. */
export function readTsv(path) {
  const [header, ...lines] = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const names = header.split('\t').map((h) => h.trim());
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(names.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
}

/** Writes `text` to `out`; with --check compares instead, and names `npm run <script>` when they differ. */
export function writeOrCheck(out, text, script) {
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      // A missing file is as stale as an old one.
    }
    if (current !== text) {
      console.error(`${out} is out of date with ${dataDir}: run npm run ${script}`);
      process.exit(1);
    }
  } else {
    writeFileSync(out, text);
    console.log(`wrote ${out}`);
  }
}
