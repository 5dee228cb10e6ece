import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real pseudo-terminal pair made by socat: what is written to `a` comes out of `b` and back.
 * Tests put the simulated meter on one end and the CLI (through the real serialport bindings) on the other.
 */
export interface PtyPair {
  a: string;
  b: string;
  /** Kill socat: both ends go away (the "device vanished" case). */
  close(): Promise<void>;
}

export async function ptyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'multical-pty-'));
  const a = join(dir, 'meter-a');
  const b = join(dir, 'meter-b');
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = Date.now();
  while (!(existsSync(a) && existsSync(b) && log.includes('starting data transfer loop'))) {
    if (child.exitCode !== null || Date.now() - started > 5000) {
      child.kill('SIGKILL');
      throw new Error(`socat did not make a pty pair: ${log || 'no output (is socat installed?)'}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    a,
    b,
    close: async () => {
      process.removeListener('exit', kill);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
