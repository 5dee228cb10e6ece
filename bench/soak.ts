// Benchmark: does `multical serve` grow as it reads, the way a service that runs for months would? Prints
// figures, asserts nothing. Run by `npm run bench` (bench/run.ts, part `soak`), or alone:
// `node dist/bench/soak.js`.
//
// BENCH_SOAK_METERS (default 100) in-process simulated meters (`device: sim`, a config file's `meters:`
// list), each read every second (`interval: 1`, the shortest the simulator allows; they take turns on the
// one simulated device), so BENCH_SOAK_READS scheduled reads (default 10,000) take minutes, after
// BENCH_SOAK_WARMUP reads (default 1,000) that warm the JIT and the heap. The reads are counted from
// `/api/meters` (`reads.ok` + `reads.failed` of every meter, polled every 250 ms, as a dashboard would);
// every 1/20 of the run the serve process's VmRSS is sampled (and `/metrics` fetched, as Prometheus would).
// Figures: the RSS series, its least-squares slope in KiB per 1,000 reads (whole run and second half),
// what that slope would add over a year of one meter read every 10 minutes, CPU time per read, and the
// sizes of the `/api/meters` and `/metrics` bodies at the first and last sample (a body that grows with
// the reads would be a leak too). Floor: 0 KiB per 1,000 reads.
import { fileURLToPath } from 'node:url';
import { cpuSeconds, envNumber, f, getText, metersConfig, procKiB, sleep, slope, startServe, until } from './serve-kit.js';

const METERS = envNumber('BENCH_SOAK_METERS', 100);
const READS = envNumber('BENCH_SOAK_READS', 10_000);
const WARMUP = envNumber('BENCH_SOAK_WARMUP', 1_000);
const SAMPLES = 20;
const POLL_MS = 250;
/** One meter read every 10 minutes (serve's default interval) for a year. */
const YEAR_OF_READS = (365 * 24 * 3600) / 600;

interface Sample {
  reads: number;
  rssKiB: number;
  seconds: number;
}

interface Counted {
  ok: number;
  failed: number;
  bytes: number;
}

async function counted(base: string): Promise<Counted> {
  const r = await getText(base + '/api/meters');
  const meters = (JSON.parse(r.text) as { meters: Array<{ reads: { ok: number; failed: number } }> }).meters;
  return {
    ok: meters.reduce((n, m) => n + m.reads.ok, 0),
    failed: meters.reduce((n, m) => n + m.reads.failed, 0),
    bytes: r.text.length,
  };
}

function printSeries(samples: readonly Sample[]): void {
  const cells = samples.map((s) => `${String(s.reads).padStart(6)} → ${f(s.rssKiB / 1024, 1).padStart(5)}`);
  for (let i = 0; i < cells.length; i += 5) console.log(`    ${cells.slice(i, i + 5).join('   ')}`);
}

export async function soakBench(): Promise<void> {
  const meters = Array.from({ length: METERS }, (_, i) => ({ name: `sim-${i + 1}`, device: 'sim' }));
  const every = Math.max(1, Math.round(READS / SAMPLES));
  console.log(
    `\nmultical serve soak: ${METERS} in-process simulated meters, each read every second; ${WARMUP} reads of warm-up, then ` +
      `${READS} scheduled reads, VmRSS sampled every ${every} reads (reads counted from /api/meters):`,
  );
  const serve = await startServe(['--config', metersConfig(meters, ['interval: 1'])]);
  try {
    await until('the warm-up', async () => {
      const c = await counted(serve.base);
      return c.ok + c.failed >= WARMUP;
    });
    const start = await counted(serve.base);
    const metricsFirst = (await getText(serve.base + '/metrics')).text.length;
    const t0 = performance.now();
    const cpu0 = cpuSeconds(serve.pid);
    const samples: Sample[] = [{ reads: 0, rssKiB: procKiB(serve.pid, 'VmRSS'), seconds: 0 }];
    let last = start;
    let next = every;
    while (next <= READS) {
      await sleep(POLL_MS);
      last = await counted(serve.base);
      const done = last.ok + last.failed - start.ok - start.failed;
      if (done < next) continue;
      await getText(serve.base + '/metrics');
      samples.push({ reads: done, rssKiB: procKiB(serve.pid, 'VmRSS'), seconds: (performance.now() - t0) / 1000 });
      next += every;
    }
    const cpu = cpuSeconds(serve.pid) - cpu0;
    const metricsLast = (await getText(serve.base + '/metrics')).text.length;
    const end = samples[samples.length - 1]!;
    const failed = last.failed - start.failed;
    console.log(
      `  ${end.reads} reads in ${f(end.seconds)} s (${f(end.reads / end.seconds)} reads/s), ${failed} failed; ` +
        `serve CPU ${f(cpu, 1)} s = ${f((cpu / end.reads) * 1000, 2)} ms a read`,
    );
    console.log(`  VmRSS (MiB) after n reads past the warm-up:`);
    printSeries(samples);
    const points = samples.map((s): [number, number] => [s.reads / 1000, s.rssKiB]);
    const all = slope(points);
    const late = slope(points.slice(Math.floor(points.length / 2)));
    console.log(
      `  slope ${f(all, 1)} KiB per 1,000 reads (second half ${f(late, 1)}), floor 0; first → last ${f(samples[0]!.rssKiB / 1024, 1)} → ` +
        `${f(end.rssKiB / 1024, 1)} MiB, peak (VmHWM) ${f(procKiB(serve.pid, 'VmHWM') / 1024, 1)} MiB`,
    );
    const year = (kib: number): string => `${kib >= 0 ? '+' : ''}${f((kib * YEAR_OF_READS) / 1000 / 1024, 1)}`;
    console.log(
      `  a year of one meter read every 10 minutes is ${YEAR_OF_READS} reads: at the whole run's slope ${year(all)} MiB, ` +
        `at the second half's ${year(late)} MiB (a straight line through a GC's sawtooth: a trend, not a proof)`,
    );
    console.log(
      `  bodies, first → last sample: /api/meters ${start.bytes} → ${last.bytes} B, /metrics ${metricsFirst} → ${metricsLast} B ` +
        `(the counters' digits grow; nothing else should)`,
    );
  } finally {
    await serve.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await soakBench();
