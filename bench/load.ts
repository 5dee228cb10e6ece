// Benchmark: `multical serve` under load. Prints figures, asserts nothing. Run by `npm run bench`
// (bench/run.ts, part `load`), or alone: `node dist/bench/load.js`.
//
// BENCH_LOAD_CLIENTS (default 200) keep-alive clients (one undici Pool, one connection each) ask in turn
// for `/`, `/api/meters`, `/metrics` and `/healthz` as fast as they are answered, for BENCH_LOAD_SECONDS
// (default 10), BENCH_LOAD_ROUNDS times (default 2: growth that continues in the second round is not
// warm-up). The serve process reads BENCH_LOAD_METERS (default 4) meters, all on one
// `multical simulate --listen … --debug` TCP meter, every hour: the load runs between two scheduled reads,
// so every byte the simulator receives during it would be a meter request caused by HTTP.
// Figures: requests per second, p50/p99 latency (each endpoint and all), errors (anything but 200),
// meter requests caused, the serve process's CPU time per request and VmRSS before and after each round.
// Floor: the same client against a bare node:http server answering the same bodies byte for byte from
// memory (what node:http alone costs on this machine; the client shares the machine with the server).
import { writeFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import {
  cpuSeconds,
  envNumber,
  f,
  getText,
  machineBusySeconds,
  metersConfig,
  percentile,
  procKiB,
  sleep,
  startProcess,
  startServe,
  startTcpSimulator,
  until,
  type SimReceived,
} from './serve-kit.js';

const CPUS = availableParallelism();
const PATHS = ['/', '/api/meters', '/metrics', '/healthz'];
const CLIENTS = envNumber('BENCH_LOAD_CLIENTS', 200);
const SECONDS = envNumber('BENCH_LOAD_SECONDS', 10);
const ROUNDS = envNumber('BENCH_LOAD_ROUNDS', 2);
const METERS = envNumber('BENCH_LOAD_METERS', 4);

interface Round {
  requests: number;
  seconds: number;
  bytes: number;
  errors: Map<string, number>;
  /** Latencies in ms, ascending, by path and '*' for all. */
  latency: Map<string, number[]>;
  /** CPU seconds the client (this process) used. */
  clientCpu: number;
}

/** CLIENTS loops, each one request at a time on its own keep-alive connection, until the time is up. */
async function hammer(base: string, seconds: number): Promise<Round> {
  const pool = new Pool(base, { connections: CLIENTS, pipelining: 1 });
  const latency = new Map<string, number[]>([['*', []], ...PATHS.map((p): [string, number[]] => [p, []])]);
  const errors = new Map<string, number>();
  const fail = (what: string): void => void errors.set(what, (errors.get(what) ?? 0) + 1);
  let next = 0;
  let bytes = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const client = async (): Promise<void> => {
    while (performance.now() < end) {
      const path = PATHS[next++ % PATHS.length]!;
      const start = performance.now();
      try {
        const r = await pool.request({ path, method: 'GET' });
        bytes += (await r.body.arrayBuffer()).byteLength;
        if (r.statusCode !== 200) fail(`HTTP ${r.statusCode} ${path}`);
      } catch (e) {
        fail(`${(e as { code?: string }).code ?? (e as Error).name} ${path}`);
      }
      const ms = performance.now() - start;
      latency.get(path)!.push(ms);
      latency.get('*')!.push(ms);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await pool.close();
  for (const l of latency.values()) l.sort((a, b) => a - b);
  return { requests: latency.get('*')!.length, seconds: elapsed, bytes, errors, latency, clientCpu: (cpu.user + cpu.system) / 1e6 };
}

const rps = (r: Round): number => r.requests / r.seconds;
const errorCount = (r: Round): number => [...r.errors.values()].reduce((a, b) => a + b, 0);

function printRound(label: string, r: Round): void {
  const all = r.latency.get('*')!;
  const errs = errorCount(r);
  const kinds = errs > 0 ? ` (${[...r.errors].map(([k, n]) => `${n}× ${k}`).join(', ')})` : '';
  console.log(
    `  ${label}: ${r.requests} requests in ${f(r.seconds, 1)} s = ${f(rps(r))} req/s, ${f(r.bytes / r.seconds / 1e6, 1)} MB/s; ` +
      `p50 ${f(percentile(all, 50), 1)} ms, p99 ${f(percentile(all, 99), 1)} ms; errors ${errs}${kinds}`,
  );
  const busy = r.clientCpu / r.seconds;
  console.log(
    `    the client (this process) used ${f(100 * busy)}% of one core${busy > 0.9 ? ': client-bound, the server could answer faster' : ''}`,
  );
}

/** One client, one request at a time: each endpoint's own latency and server CPU, without queueing behind 199 others. */
async function alone(base: string, pid: number, n = 2000): Promise<string> {
  const pool = new Pool(base, { connections: 1 });
  const each: string[] = [];
  for (const p of PATHS) {
    const l: number[] = [];
    const cpu0 = cpuSeconds(pid);
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const r = await pool.request({ path: p, method: 'GET' });
      await r.body.arrayBuffer();
      l.push(performance.now() - t);
    }
    const cpu = cpuSeconds(pid) - cpu0;
    l.sort((a, b) => a - b);
    each.push(`${p} ${f(percentile(l, 50) * 1000)}/${f(percentile(l, 99) * 1000)} µs, CPU ${f((cpu / n) * 1e6)} µs`);
  }
  await pool.close();
  return `one client, ${n} requests each, p50/p99 and server CPU a request: ${each.join('; ')}`;
}

/** The bodies serve answered, by path, for the bare server to answer byte for byte. */
async function bodiesOf(base: string): Promise<Record<string, { text: string; type: string }>> {
  const out: Record<string, { text: string; type: string }> = {};
  for (const p of PATHS) out[p] = await getText(base + p);
  return out;
}

const BARE = `
const http = require('node:http');
const bodies = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const server = http.createServer((req, res) => {
  const b = bodies[req.url];
  if (!b) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': b.type, 'content-length': Buffer.byteLength(b.text), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(b.text);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
`;

interface Measured extends Round {
  /** CPU seconds the server used. */
  cpu: number;
  rssKiB: [number, number];
}

/** One round against the server of `pid`, with its CPU time and VmRSS before and after, printed. */
async function measured(label: string, base: string, pid: number): Promise<Measured> {
  const cpu0 = cpuSeconds(pid);
  const busy0 = machineBusySeconds();
  const rss0 = procKiB(pid, 'VmRSS');
  const round = await hammer(base, SECONDS);
  const cpu = cpuSeconds(pid) - cpu0;
  const elsewhere = machineBusySeconds() - busy0 - cpu - round.clientCpu;
  const rss1 = procKiB(pid, 'VmRSS');
  printRound(label, round);
  console.log(
    `    server CPU ${f(cpu, 1)} s = ${f((cpu / round.requests) * 1e6)} µs a request; VmRSS ${mib(rss0)} → ${mib(rss1)} ` +
      `(${rss1 >= rss0 ? '+' : ''}${mib(rss1 - rss0)}); the machine's ${CPUS} CPUs had ${f(CPUS * round.seconds, 1)} CPU-s: ` +
      `server ${f(cpu, 1)}, client ${f(round.clientCpu, 1)}, other processes ${f(Math.max(0, elsewhere), 1)}`,
  );
  return { ...round, cpu, rssKiB: [rss0, rss1] };
}

async function bareFloor(bodies: Record<string, { text: string; type: string }>): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'multical-bench-bare-'));
  writeFileSync(join(dir, 'bodies.json'), JSON.stringify(bodies));
  writeFileSync(join(dir, 'bare.cjs'), BARE);
  const bare = await startProcess(
    [process.execPath, join(dir, 'bare.cjs'), join(dir, 'bodies.json')],
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    process.env,
  );
  try {
    const round = await measured('floor: bare node:http, same bodies from memory', bare.match[1]!, bare.pid);
    console.log(`    ${await alone(bare.match[1]!, bare.pid)}`);
    return round;
  } finally {
    await bare.stop();
  }
}

const mib = (kib: number): string => `${f(kib / 1024, 1)} MiB`;
const caused = (a: SimReceived, b: SimReceived): string =>
  `${b.frames - a.frames} request frames (${b.chunks - a.chunks} reads of ${b.bytes - a.bytes} bytes)`;

/** Waits until every meter has been read and the simulator has seen no new byte for a while. */
async function firstReads(base: string, sim: Awaited<ReturnType<typeof startTcpSimulator>>): Promise<void> {
  await until('every meter read once', async () => (await getText(base + '/healthz')).status === 200);
  let seen = sim.received();
  await until('the first reads to end', async () => {
    await sleep(300);
    const now = sim.received();
    const quiet = now.bytes === seen.bytes;
    seen = now;
    return quiet;
  });
}

export async function loadBench(): Promise<void> {
  const sim = await startTcpSimulator();
  const meters = Array.from({ length: METERS }, (_, i) => ({ name: `heat-${i + 1}`, device: `tcp://${sim.address}` }));
  const serve = await startServe(['--config', metersConfig(meters, ['interval: 1h'])]);
  try {
    console.log(
      `\nmultical serve under load: ${CLIENTS} keep-alive clients (undici Pool) asking in turn for ${PATHS.join(' ')}, ` +
        `${ROUNDS} × ${SECONDS} s; ${METERS} meters on one TCP simulator, read every hour:`,
    );
    await firstReads(serve.base, sim);
    const bodies = await bodiesOf(serve.base);
    const first = sim.received();
    console.log(
      `  the first reads of the ${METERS} meters: ${first.frames} request frames reached the simulator (so it counts them); ` +
        `serve VmRSS then ${mib(procKiB(serve.pid, 'VmRSS'))}`,
    );
    console.log(`  bodies: ${PATHS.map((p) => `${p} ${bodies[p]!.text.length} B`).join(', ')}`);
    const stderrBefore = serve.stderr().length;
    const rounds: Measured[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const simBefore = sim.received();
      rounds.push(await measured(`round ${i}`, serve.base, serve.pid));
      await sleep(500);
      console.log(`    meter requests caused: ${caused(simBefore, sim.received())} (target 0)`);
    }
    const said = serve.stderr().slice(stderrBefore).trim();
    // Past the keep-alive timeout (5 s) every idle connection is closed.
    await sleep(6000);
    console.log(
      `  serve VmRSS 6 s after the load ${mib(procKiB(serve.pid, 'VmRSS'))}, VmHWM (peak) ${mib(procKiB(serve.pid, 'VmHWM'))}; ` +
        `serve said during the load: ${said ? said.slice(0, 500) : 'nothing'}`,
    );
    console.log(`  ${await alone(serve.base, serve.pid)}`);
    const bare = await bareFloor(bodies);
    const best = rounds.reduce((a, b) => (rps(b) > rps(a) ? b : a));
    const p = (r: Round, q: number): number => percentile(r.latency.get('*')!, q);
    console.log(
      `  serve / floor (best round): ${f(rps(best) / rps(bare), 2)}× the floor's req/s, ${f(p(best, 50) / p(bare, 50), 2)}× its p50, ` +
        `${f(p(best, 99) / p(bare, 99), 2)}× its p99, ${f(best.cpu / best.requests / (bare.cpu / bare.requests), 2)}× its CPU a request; ` +
        `errors ${rounds.map(errorCount).join(' + ')} (target 0)`,
    );
  } finally {
    await serve.stop();
    await sim.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await loadBench();
