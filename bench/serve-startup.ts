// Benchmark: how long `multical serve -d sim` takes from spawn to its first answered `/healthz` (any
// status: the HTTP API is up) and to its first 200 (the first read is on the board), and its peak memory
// then (VmHWM). Prints figures, asserts nothing. Run by `npm run bench` (bench/run.ts, part `startup`),
// or alone: `node dist/bench/serve-startup.js`.
// Floors, spawned and timed the same way and in turn with it (so a busy machine slows all alike):
// `node -e 0` (spawn to exit), and a bare node:http server (spawn to its first answer).
// Each server is polled with a fresh connection every 2 ms from the moment it is spawned.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { BIN, cleanEnv } from '../test/support/cli.js';
import { envNumber, f, freePort, procKiB, sleep } from './serve-kit.js';

const RUNS = envNumber('BENCH_RUNS', 5) * 2;
const BARE = `require('node:http').createServer((q, s) => s.end('{"status":"ok"}')).listen(+process.argv[1], '127.0.0.1')`;

interface Timing {
  /** ms from spawn to the first answer (or the exit, for node -e 0). */
  answerMs: number;
  /** ms from spawn to the first 200. */
  okMs: number;
  hwmKiB: number;
}

function status(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
}

/** Spawns a server on `port` and polls it until it answers 200 (at most 15 s); then stops it. */
async function timeServer(argv: (port: number) => string[]): Promise<Timing> {
  const port = await freePort();
  const [cmd, ...args] = argv(port);
  const t0 = performance.now();
  const child = spawn(cmd!, args, { env: cleanEnv(), stdio: 'ignore' });
  let answerMs: number | undefined;
  try {
    for (;;) {
      const s = await status(port);
      const ms = performance.now() - t0;
      if (s !== undefined) answerMs ??= ms;
      if (s === 200) return { answerMs: answerMs!, okMs: ms, hwmKiB: procKiB(child.pid!, 'VmHWM') };
      if (ms > 15_000 || child.exitCode !== null) throw new Error(`${argv(port).join(' ')}: no 200 from /healthz in ${f(ms)} ms`);
      await sleep(2);
    }
  } finally {
    child.kill('SIGTERM');
    await exited(child);
  }
}

async function timeExit(argv: string[]): Promise<Timing> {
  const t0 = performance.now();
  await exited(spawn(argv[0]!, argv.slice(1), { env: cleanEnv(), stdio: 'ignore' }));
  const ms = performance.now() - t0;
  return { answerMs: ms, okMs: ms, hwmKiB: Number.NaN };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function serveStartupBench(): Promise<void> {
  const cases: Array<[string, () => Promise<Timing>]> = [
    ['node -e 0 (spawn to exit)', () => timeExit([process.execPath, '-e', '0'])],
    ['bare node:http, first answer', () => timeServer((port) => [process.execPath, '-e', BARE, String(port)])],
    [
      'multical serve -d sim',
      () => timeServer((port) => [process.execPath, BIN, 'serve', '-d', 'sim', '--interval', '60', '--listen', `127.0.0.1:${port}`]),
    ],
  ];
  const results = cases.map((): Timing[] => []);
  for (let i = 0; i < RUNS; i++) for (const [k, [, run]] of cases.entries()) results[k]!.push(await run());
  type Summary = { answer: number; ok: number; hwm: number };
  const [node0, bare, serve] = results.map((r): Summary => ({
    answer: median(r.map((t) => t.answerMs)),
    ok: median(r.map((t) => t.okMs)),
    hwm: Math.max(...r.map((t) => t.hwmKiB)),
  })) as [Summary, Summary, Summary];
  console.log(`\nserve start-up (median of ${RUNS} runs each, taken in turn; polled every 2 ms with a fresh connection):`);
  console.log(`  node -e 0, spawn to exit                      ${f(node0.answer).padStart(5)} ms`);
  console.log(
    `  bare node:http server, spawn to first answer  ${f(bare.answer).padStart(5)} ms  ${f(bare.hwm / 1024, 1).padStart(5)} MiB peak  ` +
      `${f(bare.answer / node0.answer, 2)}× node -e 0`,
  );
  console.log(
    `  multical serve -d sim, to first /healthz      ${f(serve.answer).padStart(5)} ms  ${f(serve.hwm / 1024, 1).padStart(5)} MiB peak  ` +
      `${f(serve.answer / node0.answer, 2)}× node -e 0, ${f(serve.answer / bare.answer, 2)}× the bare server`,
  );
  console.log(
    `  multical serve -d sim, to first /healthz 200  ${f(serve.ok).padStart(5)} ms  (the first read on the board: ` +
      `${f(serve.ok - serve.answer)} ms after the first answer)`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await serveStartupBench();
