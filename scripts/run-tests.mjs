#!/usr/bin/env node
// Runs the compiled tests of every test/**/*.test.ts that exists (a stale dist/ file of a test that was
// moved or deleted is not run), two at a time (the machines have two cores).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const found = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.test.ts')) found.push(join(root, 'dist', relative(root, p)).replace(/\.ts$/, '.js'));
  }
};
walk(join(root, 'test'));
found.sort();
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...found], { stdio: 'inherit' });
process.exit(r.status ?? 1);
