// The shape the architecture promises (ARCHITECTURE.md): imports point down the layer table only, every
// source file is small enough to read, and the table covers every folder of src/.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');

interface Layer {
  name: string;
  paths: string[];
  may: string[];
}

/** The layer table of ARCHITECTURE.md: `| layer | folders | imports from |`. */
function layers(): Layer[] {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const rows = text.split('\n').filter((l) => /^\|\s*[a-z]+\s*\|\s*`/.test(l));
  return rows.map((row) => {
    const [name, folders, may] = row
      .split('|')
      .slice(1, 4)
      .map((c) => c.trim()) as [string, string, string];
    const paths = [...folders.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    return { name, paths, may: may === '—' ? [] : may.split(',').map((s) => s.trim()) };
  });
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function layerOf(file: string, table: Layer[]): { layer: Layer; unit: string } | undefined {
  const rel = relative(ROOT, file);
  for (const layer of table) {
    for (const p of layer.paths) if (rel === p || rel.startsWith(p + '/')) return { layer, unit: p };
  }
  return undefined;
}

/** Relative module specifiers of static imports, re-exports and dynamic import()s. */
function imports(text: string): string[] {
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
}

test('ARCHITECTURE.md names a layer for every source file', () => {
  const table = layers();
  assert.ok(table.length >= 7, 'the layer table is there');
  const orphans = sources(SRC).filter((f) => !layerOf(f, table));
  assert.deepEqual(
    orphans.map((f) => relative(ROOT, f)),
    [],
  );
});

test('imports point down the layer table only (and not sideways between two protocols or two sinks)', () => {
  const table = layers();
  const wrong: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file, table)!;
    for (const spec of imports(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const to = layerOf(target, table);
      const ok = to !== undefined && (to.unit === from.unit || (to.layer !== from.layer && from.layer.may.includes(to.layer.name)));
      if (!ok)
        wrong.push(`${relative(ROOT, file)} (${from.layer.name}) imports ${relative(ROOT, target)} (${to?.layer.name ?? 'no layer'})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('the check would catch an upward import', () => {
  // A self-test of the rule above on a made-up case: meter importing cli is refused.
  const table = layers();
  const meter = table.find((l) => l.name === 'meter')!;
  assert.equal(meter.may.includes('cli'), false);
  assert.deepEqual(imports("import { x } from '../cli/program.js';\nconst y = await import('./z.js');"), ['../cli/program.js', './z.js']);
});

test('no source file over 300 lines except generated tables', () => {
  const long = sources(SRC)
    .filter((f) => !f.endsWith('.generated.ts'))
    .map((f) => [relative(ROOT, f), readFileSync(f, 'utf8').split('\n').length] as const)
    .filter(([, n]) => n > 300);
  assert.deepEqual(long, []);
});
