// What the `multical serve` benchmarks (load.ts, soak.ts, serve-startup.ts) share: starting a process and
// waiting for its ready line, the kernel's view of a process (VmRSS, VmHWM, CPU time from /proc), a config
// file of meters, the simulator's received bytes, percentiles and a least-squares slope.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { BIN, cleanEnv } from '../test/support/cli.js';

export const f = (n: number, d = 0): string => n.toFixed(d);
export const envNumber = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A field of /proc/<pid>/status in KiB: VmRSS (resident now) or VmHWM (the peak so far). */
export function procKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]);
}

let ticks: number | undefined;

/** User + system CPU seconds the process has used (/proc/<pid>/stat fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

/** CPU seconds the whole machine has been busy (all CPUs: /proc/stat's first line less idle and iowait). */
export function machineBusySeconds(): number {
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const t = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (t.reduce((a, b) => a + b, 0) - t[3]! - t[4]!) / ticks;
}

export interface Started {
  child: ChildProcess;
  pid: number;
  match: RegExpMatchArray;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Spawns `argv` and resolves once its stdout matches `ready`; `stop` sends SIGTERM and waits for the exit. */
export function startProcess(argv: string[], ready: RegExp, env: NodeJS.ProcessEnv = cleanEnv()): Promise<Started> {
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', kill);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await done;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`${argv.join(' ')} not ready in 15 s: ${stdout} ${stderr}`));
    }, 15_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const match = ready.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data').resume();
      resolve({ child, pid: child.pid!, match, stderr: () => stderr, stop });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${argv.join(' ')} exited ${code} before it was ready: ${stdout} ${stderr}`));
    });
  });
}

/** `multical serve …` on a free loopback port; `base` is its http:// address. */
export async function startServe(args: string[]): Promise<Started & { base: string }> {
  const s = await startProcess(
    [process.execPath, BIN, 'serve', '--listen', '127.0.0.1:0', ...args],
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  );
  return { ...s, base: s.match[1]! };
}

/** `multical simulate --listen 127.0.0.1:0 --debug`: a TCP meter that logs every byte it receives. */
export async function startTcpSimulator(): Promise<Started & { address: string; received: () => SimReceived }> {
  const s = await startProcess([process.execPath, BIN, 'simulate', '--listen', '127.0.0.1:0', '--debug'], /tcp:\/\/(127\.0\.0\.1:\d+)/);
  return { ...s, address: s.match[1]!, received: () => simReceived(s.stderr()) };
}

export interface SimReceived {
  /** `sim rx` lines: chunks of bytes read from a socket. */
  chunks: number;
  bytes: number;
  /** KMP request frames: stop bytes (0x0D), which never occur stuffed inside a frame. */
  frames: number;
}

function simReceived(stderr: string): SimReceived {
  const hex = [...stderr.matchAll(/^sim rx ([0-9A-F ]+)$/gm)].map((m) => m[1]!.split(' '));
  return {
    chunks: hex.length,
    bytes: hex.reduce((n, h) => n + h.length, 0),
    frames: hex.reduce((n, h) => n + h.filter((b) => b === '0D').length, 0),
  };
}

/** A config file with `meters:` (each `name` on `device`) and top-level `extra` lines; returns its path. */
export function metersConfig(meters: ReadonlyArray<{ name: string; device: string }>, extra: string[] = []): string {
  const path = join(mkdtempSync(join(tmpdir(), 'multical-bench-serve-')), 'config.yaml');
  const lines = [...extra, 'meters:', ...meters.flatMap((m) => [`  - name: ${m.name}`, `    device: ${m.device}`])];
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

export async function getText(url: string): Promise<{ status: number; text: string; type: string }> {
  const r = await request(url);
  return { status: r.statusCode, text: await r.body.text(), type: String(r.headers['content-type'] ?? '') };
}

/** Polls until `ok` holds, every `everyMs`, for at most `ms`. */
export async function until(what: string, ok: () => Promise<boolean>, ms = 15_000, everyMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what} did not happen in ${ms} ms`);
    await sleep(everyMs);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The p-th percentile (0–100) of ascending `sorted`, nearest rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Least-squares slope of y over x. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxy = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return sxy / sxx;
}
