// The VIF tables: one source, ../shared/data/mbus-vif.tsv, turned into src/mbus/vif-tables.generated.ts by
// scripts/gen-mbus-tables.mjs (mbus-protocol.md §5: "every code, with its exponent, is a row of mbus-vif.tsv").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VIF_ROWS } from '../../src/mbus/vif-tables.generated.js';
import { vifRow } from '../../src/mbus/vif.js';
import { DATA, ROOT, readTsv } from '../support/shared-data.js';

const SCRIPT = join(ROOT, 'scripts', 'gen-mbus-tables.mjs');

describe('the generated VIF table agrees with mbus-vif.tsv', () => {
  test('the TSV file is there', () => {
    assert.ok(existsSync(join(DATA, 'mbus-vif.tsv')), `no mbus-vif.tsv in ${DATA}`);
  });

  test('row for row', () => {
    const [header, ...rows] = readTsv('mbus-vif.tsv');
    assert.deepEqual(header, ['table', 'code_hex', 'quantity', 'unit', 'exponent', 'note']);
    assert.ok(rows.length > 300, 'the table is not empty');
    assert.equal(VIF_ROWS.length, rows.length);
    rows.forEach((row, i) => {
      const [table = '', code = '', quantity = '', unit = '', exponent = ''] = row;
      const expected = [table, Number.parseInt(code, 16), quantity, unit, exponent === '' ? null : Number(exponent)];
      assert.deepEqual(VIF_ROWS[i], expected, `row ${i + 2}`);
    });
  });

  test('the primary table has all 128 codes; table lookups find their rows', () => {
    for (let code = 0; code < 0x80; code++) assert.ok(vifRow('primary', code), `primary ${code.toString(16)}`);
    assert.deepEqual(vifRow('FB', 0x00), { table: 'FB', code: 0, quantity: 'energy', unit: 'MWh', exponent: -1 });
    assert.deepEqual(vifRow('FD', 0x17), { table: 'FD', code: 0x17, quantity: 'error flags', unit: '', exponent: 0 });
    assert.equal(vifRow('FB', 0x06), undefined, 'FB 06 is not in the table');
  });

  test('node scripts/gen-mbus-tables.mjs --check exits 0', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--check'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  test('--check exits 1 when the TSV says something the generated file does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbus-vif-'));
    try {
      const original = readFileSync(join(DATA, 'mbus-vif.tsv'), 'utf8');
      const tsv = original.replace('primary\t0x06\tenergy\tWh\t3', 'primary\t0x06\tenergy\tWh\t4');
      assert.notEqual(tsv, original, 'the row to change is there');
      writeFileSync(join(dir, 'mbus-vif.tsv'), tsv);
      const env = { ...process.env, MULTICAL_SHARED_DATA: dir };
      const r = spawnSync(process.execPath, [SCRIPT, '--check'], { cwd: ROOT, encoding: 'utf8', env });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /out of date/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
