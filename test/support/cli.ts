import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, run as a child process exactly as a user or cron runs it. */
export const BIN = fileURLToPath(new URL('../../../bin/multical.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Kill the child after this long (a hung CLI fails the test instead of hanging it). */
  killAfterMs?: number;
  cwd?: string;
  input?: string;
  /** A command the CLI runs under, e.g. setpriv with its options. */
  wrap?: string[];
}

/** What would steer a run from the developer's shell: settings, config and state locations, colours. */
const STEERING = /^(DOMOTICZ_|MQTT_|MULTICAL_|XDG_)|^(HOME|FORCE_COLOR|NO_COLOR)$/;

let homes: string | undefined;

/**
 * The environment of every CLI run, child process or in-process: the developer's shell without anything
 * that steers multical, and an empty HOME of its own (config and state folders inside it), so no
 * developer file leaks into a run and no run writes into the real home. `extra` comes last; an
 * undefined value removes the variable.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  if (homes === undefined) {
    const root = mkdtempSync(join(tmpdir(), 'multical-test-homes-'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    homes = root;
  }
  const home = mkdtempSync(join(homes, 'home-'));
  const env: Record<string, string | undefined> = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !STEERING.test(k))),
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A CLI run that the test steers while it runs (a signal at the right moment). */
export interface RunningCli {
  child: ChildProcess;
  /** Resolves once the child has closed; it is killed after `killAfterMs` (default 30 s). */
  done: Promise<CliResult>;
}

export function spawnCli(args: string[], opts: CliOptions = {}): RunningCli {
  const started = Date.now();
  const [command, ...rest] = [...(opts.wrap ?? []), process.execPath, BIN, ...args];
  const child = spawn(command!, rest, {
    env: cleanEnv(opts.env),
    cwd: opts.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 30_000);
  const done = new Promise<CliResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  return { child, done };
}

export async function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, opts).done;
}

/** Starts a long-running CLI (simulate) and resolves once its stdout has printed a line matching `ready`. */
export async function startCli(
  args: string[],
  ready: RegExp,
  opts: CliOptions = {},
): Promise<{
  child: ChildProcess;
  match: RegExpMatchArray;
  output: () => { stdout: string; stderr: string };
  stop: () => Promise<number | null>;
}> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI ${args.join(' ')} not ready in 10 s: ${stdout} ${stderr}`));
    }, 10_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = ready.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`CLI ${args.join(' ')} exited ${code} before it was ready: ${stdout} ${stderr}`));
    });
  });
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  return {
    child,
    match,
    output: () => ({ stdout, stderr }),
    stop: async () => {
      process.removeListener('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const done = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      return done;
    },
  };
}
