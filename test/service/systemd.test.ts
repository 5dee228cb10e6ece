// The systemd units of examples/systemd pass `systemd-analyze verify` with no warning, and carry the
// hardening the README promises (a dedicated user in dialout, NoNewPrivileges, ProtectSystem=strict,
// StateDirectory for the journal).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BIN } from '../support/cli.js';

const UNITS = join(BIN, '..', '..', 'examples', 'systemd');
const dir = mkdtempSync(join(tmpdir(), 'multical-units-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The units as installed, with ExecStart pointing at this checkout's CLI (verify checks it is executable). */
function install(extra: Record<string, string> = {}): string[] {
  const names = readdirSync(UNITS).filter((n) => /\.(service|timer)$/.test(n));
  for (const n of names)
    writeFileSync(join(dir, n), readFileSync(join(UNITS, n), 'utf8').replaceAll('/usr/bin/multical', BIN) + (extra[n] ?? ''));
  return names;
}

function verify(names: string[]): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...names.map((n) => `./${n}`)], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: (r.stdout + r.stderr).trim() };
}

test('every unit verifies with no warning', () => {
  const names = install();
  assert.deepEqual(names.sort(), ['multical-read.service', 'multical-read.timer', 'multical-serve.service']);
  assert.deepEqual(verify(names), { status: 0, output: '' });
});

test('the check sees a mistake (a key systemd does not know)', () => {
  const names = install({ 'multical-read.service': 'Bogus=1\n' });
  assert.match(verify(names).output, /Unknown key 'Bogus'/);
});

test('hardened: a dedicated user in dialout, no new privileges, a read-only system, a state directory', () => {
  for (const n of ['multical-serve.service', 'multical-read.service']) {
    const text = readFileSync(join(UNITS, n), 'utf8');
    for (const line of [
      'User=multical',
      'SupplementaryGroups=dialout',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'StateDirectory=multical',
    ]) {
      assert.match(text, new RegExp(`^${line}$`, 'm'), `${n}: ${line}`);
    }
  }
  assert.match(readFileSync(join(UNITS, 'multical-serve.service'), 'utf8'), /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  assert.match(readFileSync(join(UNITS, 'multical-read.timer'), 'utf8'), /^OnCalendar=\*:0\/20$/m);
});
