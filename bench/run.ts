// Benchmarks: prints figures, asserts nothing. `npm run bench` runs every part (about 8 minutes);
// `BENCH=part,part npm run bench` runs some: `meter`, `startup`, `history`, `mbus`, `load`, `soak`, `fleet`, or
// `serve` for startup, load and soak (`BENCH=serve npm run bench`, about 3 minutes; `BENCH=load`
// alone about 40 s).
//
// 1. meter: against the simulator with real-meter timing (1200 baud 8N2 on the wire, 0.25 s before each
//    reply) over a socat pty: wall time and bytes of `read --test_kamstrup` (31 registers) and an 8-register
//    `get`, next to the physical floor (bytes × 11 / 1200 s + one latency per request + Node start-up)
//    and next to one request per register (what the classic script does).
// 2. startup: `multical --help` and `multical read -d sim --dry-run …` wall time and peak memory next to
//    `node -e 0` (target: --help within 1.3×); `multical serve -d sim` to its first answered /healthz next
//    to `node -e 0` and a bare node:http server (serve-startup.ts).
// 3. history (history.ts): 24 hourly entries of 8 registers from the meter's logger, next to polling the
//    same 8 registers 24 times.
// 4. mbus (mbus.ts): a MULTICAL 603's full M-Bus telegram at 2400 baud, next to its physical floor.
// 5. load (load.ts): `multical serve` under 200 keep-alive clients for 2 × 10 s: req/s, p50/p99, errors,
//    meter requests caused, CPU and VmRSS, next to a bare node:http server answering the same bodies
//    (BENCH_LOAD_CLIENTS, BENCH_LOAD_SECONDS, BENCH_LOAD_ROUNDS, BENCH_LOAD_METERS).
// 6. soak (soak.ts): `multical serve` through 10,000 scheduled reads of 100 simulated meters: the VmRSS
//    series and its slope per 1,000 reads (BENCH_SOAK_READS, BENCH_SOAK_METERS, BENCH_SOAK_WARMUP).
// 7. fleet (fleet.ts): many meters in one run — 250 M-Bus meters on one segment (about 3½ minutes: the
//    segment's wire time), and 4 devices × 10 meters, next to their floors; peak memory
//    (BENCH_FLEET_METERS for a shorter segment).
// BENCH_RUNS (default 5) sets how often the timed commands run.
import { fileURLToPath } from 'node:url';
import { CLASSIC_TEST_REGISTERS } from '../src/kmp/registers.js';
import { KmpClient } from '../src/meter/kmp-client.js';
import { openSerial } from '../src/meter/serial-transport.js';
import { REAL_METER_TIMING } from '../src/simulator/spec.js';
import { ptyPair } from '../test/support/pty.js';
import { startCli } from '../test/support/cli.js';
import { benchHistory } from './history.js';
import { fleetBench } from './fleet.js';
import { loadBench } from './load.js';
import { measure } from './measure.js';
import { mbusBench } from './mbus.js';
import { serveStartupBench } from './serve-startup.js';
import { soakBench } from './soak.js';

const BIN = fileURLToPath(new URL('../../bin/multical.js', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BYTE_S = 11 / REAL_METER_TIMING.baud;
const LATENCY_S = REAL_METER_TIMING.latencyMs / 1000;

function stats(stderr: string): { requests: number; bytesOut: number; bytesIn: number } {
  const m = /meter: (\d+) requests?, \d+ frames? sent, (\d+) bytes out, (\d+) bytes in/.exec(stderr);
  if (!m) throw new Error(`no meter stats in: ${stderr}`);
  return { requests: Number(m[1]), bytesOut: Number(m[2]), bytesIn: Number(m[3]) };
}

const f = (n: number, d = 0): string => n.toFixed(d);

async function realTiming(): Promise<void> {
  const node0 = measure([process.execPath, '-e', '0'], RUNS * 2);
  console.log(`Node start-up (node -e 0): ${f(node0.medianMs)} ms median, ${f(node0.maxRssKiB / 1024, 1)} MiB peak\n`);
  const pty = await ptyPair();
  const sim = await startCli(['simulate', '--device', pty.b, '--real-timing'], /serving KMP/);
  try {
    console.log('Against the simulator with real-meter timing (1200 baud 8N2, 0.25 s latency), over a socat pty:');
    const rows: Array<[string, string[], number]> = [
      ['read --test_kamstrup (31 registers)', ['read', '-d', pty.a, '--test_kamstrup', '--verbose'], CLASSIC_TEST_REGISTERS.length],
      ['get, 8 registers', ['get', '-d', pty.a, '--verbose', '60', '68', '74', '80', '86', '87', '89', '266'], 8],
    ];
    for (const [label, args, n] of rows) {
      const m = measure([process.execPath, BIN, ...args], RUNS);
      const s = stats(m.stderr);
      const floorS = (s.bytesOut + s.bytesIn) * BYTE_S + s.requests * LATENCY_S + node0.medianMs / 1000;
      console.log(
        `  ${label}: ${f(m.medianMs)} ms median (min ${f(m.minMs)}), ${s.requests} request${s.requests === 1 ? '' : 's'}, ${s.bytesOut} bytes out + ${s.bytesIn} bytes in`,
      );
      console.log(`    physical floor ${f(floorS * 1000)} ms  → ${f(m.medianMs / 1000 / floorS, 2)}× the floor (target ≤ 1.2×)`);
      if (n === CLASSIC_TEST_REGISTERS.length) {
        // One request per register, as the classic script does: same client, same port, same timing.
        const transport = await openSerial(pty.a);
        const client = new KmpClient(transport, { timeoutMs: 2000, retries: 2 });
        const t0 = performance.now();
        for (const id of CLASSIC_TEST_REGISTERS) await client.getRegisters([id]);
        const perRegMs = performance.now() - t0 + node0.medianMs;
        await transport.close();
        const st = client.stats;
        const perRegFloor = (st.bytesSent + st.bytesReceived) * BYTE_S + st.requests * LATENCY_S + node0.medianMs / 1000;
        console.log(
          `    one request per register: ${f(perRegMs)} ms (incl. Node start-up), ${st.requests} requests, ${st.bytesSent} + ${st.bytesReceived} bytes, floor ${f(perRegFloor * 1000)} ms`,
        );
        console.log(
          `    batched is ${f(perRegMs / m.medianMs, 2)}× faster (target ≥ 3×) and sends ${f((st.bytesSent + st.bytesReceived) / (s.bytesOut + s.bytesIn), 2)}× fewer bytes, ${st.requests / s.requests}× fewer requests`,
        );
      }
    }
  } finally {
    await sim.stop();
    await pty.close();
  }
}

async function startup(): Promise<void> {
  console.log('\nStart-up (median of runs, peak RSS from wait4):');
  const help = measure([process.execPath, BIN, '--help'], RUNS * 4);
  const dry = measure([process.execPath, BIN, 'read', '-d', 'sim', '--dry-run', '88:60:0', '89:80:1:90'], RUNS * 4);
  const n0 = measure([process.execPath, '-e', '0'], RUNS * 4);
  for (const [label, m] of [
    ['node -e 0', n0],
    ['multical --help', help],
    ['multical read -d sim --dry-run', dry],
  ] as const) {
    console.log(
      `  ${label.padEnd(32)} ${f(m.medianMs).padStart(5)} ms  ${f(m.maxRssKiB / 1024, 1).padStart(5)} MiB  ${f(m.medianMs / n0.medianMs, 2)}× node -e 0`,
    );
  }
  console.log('  (target: --help within 1.3× of node -e 0)');
  await serveStartupBench();
}

const PARTS: Record<string, () => Promise<void>> = {
  meter: realTiming,
  startup,
  history: benchHistory,
  mbus: mbusBench,
  load: loadBench,
  soak: soakBench,
  fleet: fleetBench,
};
const ALIASES: Record<string, string[]> = { serve: ['startup', 'load', 'soak'] };

const asked = (process.env.BENCH ?? Object.keys(PARTS).join(','))
  .split(',')
  .map((p) => p.trim())
  .filter((p) => p !== '')
  .flatMap((p) => ALIASES[p] ?? [p]);
const unknown = asked.filter((p) => !(p in PARTS));
if (unknown.length > 0)
  throw new Error(`BENCH=${process.env.BENCH}: no part ${unknown.join(', ')} (parts: ${Object.keys(PARTS).join(', ')}, serve)`);
for (const part of Object.keys(PARTS)) if (asked.includes(part)) await PARTS[part]!();
