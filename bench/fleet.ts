// Benchmark: prints figures, asserts nothing. Run by `npm run bench` (bench/run.ts), or alone:
// `node dist/bench/fleet.js` (BENCH_FLEET_METERS=50 for a shorter segment).
//
// Many meters in one run (`multical get --config FILE --json`), against `multical simulate --protocol mbus
// --real-timing` (each byte paced at 11 bits / 2400 Bd, each reply 50 ms after its request) over socat ptys:
// 1. 250 M-Bus meters on one segment: wall time next to the segment's physical floor — the sum over meters
//    of the bytes both ways × 11 / 2400 s and one reply latency per request, plus Node start-up — and the
//    ratio (target ≤ 1.1×); peak memory (wait4's ru_maxrss; target < 120 MB).
// 2. 4 devices × 10 meters: wall time next to the floor of the busiest device (not the sum: the devices
//    are read at the same time), and the ratio (target ≤ 1.15×).
// The floors are computed from the traffic the run itself reports per meter (its JSON `stats`).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REAL_MBUS_TIMING } from '../src/simulator/mbus-spec.js';
import { startCli } from '../test/support/cli.js';
import { ptyPair, type PtyPair } from '../test/support/pty.js';
import { measure } from './measure.js';

const BIN = fileURLToPath(new URL('../../bin/multical.js', import.meta.url));
const BYTE_S = 11 / REAL_MBUS_TIMING.baud;
const LATENCY_S = REAL_MBUS_TIMING.latencyMs / 1000;

type RunningCli = Awaited<ReturnType<typeof startCli>>;

interface Segment {
  pty: PtyPair;
  sim: RunningCli;
  /** Primary addresses 1…n, IDs 10000001…. */
  meters: number;
}

interface MeterJson {
  name: string;
  exitCode: number;
  stats: { requests: number; bytesSent: number; bytesReceived: number };
}

const f = (n: number, d = 0): string => n.toFixed(d);
const id = (segment: number, address: number): string => String(10_000_000 * (segment + 1) + address);

async function startSegment(segment: number, meters: number): Promise<Segment> {
  const pty = await ptyPair();
  const extra = Array.from({ length: meters - 1 }, (_, i) => ['--meter', `${id(segment, i + 2)}@${i + 2}`]).flat();
  const args = ['simulate', '--protocol', 'mbus', '--device', pty.b, '--real-timing', '--id', id(segment, 1), '--address', '1', ...extra];
  const sim = await startCli(args, /serving M-Bus/);
  return { pty, sim, meters };
}

async function stopAll(segments: readonly Segment[]): Promise<void> {
  for (const s of segments) {
    await s.sim.stop();
    await s.pty.close();
  }
}

/** A config file listing every meter of the segments, each by its primary address. */
function configFor(segments: readonly Segment[]): string {
  const lines = ['protocol: mbus', 'registers: [60, 68, 74, 86, 87]', 'meters:'];
  segments.forEach((s, k) => {
    for (let a = 1; a <= s.meters; a++) lines.push(`  - { name: m${k}-${a}, device: ${JSON.stringify(s.pty.a)}, address: ${a} }`);
  });
  const dir = mkdtempSync(join(tmpdir(), 'multical-bench-fleet-'));
  writeFileSync(join(dir, 'config.yaml'), lines.join('\n') + '\n');
  return join(dir, 'config.yaml');
}

/** The wire time of a meter's conversation: its bytes at 11 bits a byte, one reply latency per request. */
function floorOf(m: MeterJson): number {
  return (m.stats.bytesSent + m.stats.bytesReceived) * BYTE_S + m.stats.requests * LATENCY_S;
}

function runFleet(config: string, runs: number): { wallMs: number; rssMiB: number; meters: MeterJson[] } {
  const r = measure([process.execPath, BIN, 'get', '--config', config, '--json'], runs, { ...process.env, NO_COLOR: '1' });
  const doc = JSON.parse(r.stdout) as { meters: MeterJson[]; exitCode: number };
  if (doc.exitCode !== 0) throw new Error(`the fleet run failed (${doc.exitCode}): ${r.stderr}`);
  return { wallMs: r.medianMs, rssMiB: r.maxRssKiB / 1024, meters: doc.meters };
}

export async function fleetBench(): Promise<void> {
  const node0 = measure([process.execPath, '-e', '0'], 5);
  const startS = node0.medianMs / 1000;
  const n = Number(process.env.BENCH_FLEET_METERS ?? 250);
  console.log(`\nMany meters in one run (${REAL_MBUS_TIMING.baud} baud 8E1, ${REAL_MBUS_TIMING.latencyMs} ms reply latency, socat ptys):`);

  const one = [await startSegment(0, n)];
  try {
    const r = runFleet(configFor(one), 1);
    const wire = r.meters.reduce((sum, m) => sum + floorOf(m), 0);
    const floor = wire + startS;
    const bytes = r.meters.reduce((sum, m) => sum + m.stats.bytesSent + m.stats.bytesReceived, 0);
    const requests = r.meters.reduce((sum, m) => sum + m.stats.requests, 0);
    console.log(`  ${n} M-Bus meters on one segment: ${f(r.wallMs)} ms, ${requests} requests, ${bytes} bytes`);
    console.log(
      `    physical floor ${f(floor * 1000)} ms (wire and latency ${f(wire * 1000)} ms + ${f(node0.medianMs)} ms start-up)` +
        `  → ${f(r.wallMs / 1000 / floor, 3)}× the floor (target ≤ 1.1×)`,
    );
    console.log(
      `    peak memory ${f(r.rssMiB, 1)} MiB (target < 120 MB = ${f(120e6 / 2 ** 20, 1)} MiB; node -e 0: ${f(node0.maxRssKiB / 1024, 1)} MiB)`,
    );
  } finally {
    await stopAll(one);
  }

  const four = [await startSegment(0, 10), await startSegment(1, 10), await startSegment(2, 10), await startSegment(3, 10)];
  try {
    const r = runFleet(configFor(four), 3);
    const perDevice = four.map((_, k) => r.meters.filter((m) => m.name.startsWith(`m${k}-`)).reduce((sum, m) => sum + floorOf(m), 0));
    const busiest = Math.max(...perDevice) + startS;
    const sum = perDevice.reduce((a, b) => a + b, 0) + startS;
    console.log(`  4 devices × 10 M-Bus meters: ${f(r.wallMs)} ms median of 3`);
    console.log(
      `    floor of the busiest device ${f(busiest * 1000)} ms  → ${f(r.wallMs / 1000 / busiest, 3)}× (target ≤ 1.15×);` +
        ` one device after another would be ${f(sum * 1000)} ms`,
    );
  } finally {
    await stopAll(four);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await fleetBench();
