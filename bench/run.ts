// Benchmarks: prints figures, asserts nothing. `npm run bench`.
//
// 1. Against the simulator with real-meter timing (1200 baud 8N2 on the wire, 0.25 s before each reply)
//    over a socat pty: wall time and bytes of `read --test_kamstrup` (31 registers) and an 8-register
//    `get`, next to the physical floor (bytes × 11 / 1200 s + one latency per request + Node start-up)
//    and next to one request per register (what the classic script does).
// 2. Start-up: `multical --help` and `multical read -d sim --dry-run …` wall time and peak memory next
//    to `node -e 0`.
// 3. History (history.ts): 24 hourly entries of 8 registers from the meter's logger, next to polling the
//    same 8 registers 24 times.
// 4. M-Bus (mbus.ts): a MULTICAL 603's full telegram next to its physical floor.
// 5. Many meters (fleet.ts): 250 M-Bus meters on one segment, and 4 devices × 10 meters, next to their
//    floors; peak memory (about 3½ minutes: the segment's wire time).
import { fileURLToPath } from 'node:url';
import { CLASSIC_TEST_REGISTERS } from '../src/kmp/registers.js';
import { KmpClient } from '../src/meter/kmp-client.js';
import { openSerial } from '../src/meter/serial-transport.js';
import { REAL_METER_TIMING } from '../src/simulator/spec.js';
import { ptyPair } from '../test/support/pty.js';
import { startCli } from '../test/support/cli.js';
import { benchHistory } from './history.js';
import { measure } from './measure.js';

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

async function main(): Promise<void> {
  const node0 = measure([process.execPath, '-e', '0'], RUNS * 2);
  console.log(`Node start-up (node -e 0): ${f(node0.medianMs)} ms median, ${f(node0.maxRssKiB / 1024, 1)} MiB peak\n`);

  // 1. Real-meter timing over a pty.
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

  // 2. Start-up.
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
  console.log('  (target: --help within 1.5× of node -e 0)');

  // 3. History.
  await benchHistory();
}

await main();
await (await import('./mbus.js')).mbusBench();
await (await import('./fleet.js')).fleetBench();
