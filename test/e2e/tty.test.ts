// Colours only on a terminal, never with NO_COLOR: the built CLI under a real pseudo-terminal (script(1)).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { BIN, cleanEnv } from '../support/cli.js';

function onTerminal(args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('close', () => resolve(out));
  });
}

const ESC = '\x1b[';

test('on a terminal the table has colours', async () => {
  const out = await onTerminal(['get', '-d', 'sim', '60', '9999']);
  assert.match(out, /Heat Energy \(E1\)/);
  assert.ok(out.includes(ESC), JSON.stringify(out));
});

test('NO_COLOR turns them off, even on a terminal', async () => {
  const out = await onTerminal(['get', '-d', 'sim', '60', '9999'], { NO_COLOR: '1' });
  assert.match(out, /Heat Energy \(E1\)/);
  assert.ok(!out.includes(ESC), JSON.stringify(out));
});
