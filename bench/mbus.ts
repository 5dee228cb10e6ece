// Benchmark: prints figures, asserts nothing. Run by `npm run bench` (bench/run.ts), or alone:
// `node dist/bench/mbus.js`.
//
// An M-Bus read of a MULTICAL 603 module's full telegram (`multical get --protocol mbus`, every record) at
// 2400 baud 8E1 over a socat pty, against `multical simulate --protocol mbus --model 603 --real-timing`
// (each byte paced at 11 bits / 2400 Bd, the reply 50 ms after the request): wall time next to the physical
// floor — bytes both ways × 11 / 2400 s, one reply latency per request, and Node start-up (`node -e 0`) —
// and the ratio (target ≤ 1.1×). Both wall times are measured the same way: spawn, wait for exit.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { REAL_MBUS_TIMING } from '../src/simulator/mbus-spec.js';
import { startCli } from '../test/support/cli.js';
import { ptyPair } from '../test/support/pty.js';

const BIN = fileURLToPath(new URL('../../bin/multical.js', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BYTE_S = 11 / REAL_MBUS_TIMING.baud;
const LATENCY_S = REAL_MBUS_TIMING.latencyMs / 1000;

interface Timed {
  medianMs: number;
  minMs: number;
  stderr: string;
  status: number | null;
}

/** Runs each command `n` times, taking turns (so a busy machine slows all alike): median and minimum wall time (ms). */
function timed(cmds: string[][], n: number): Timed[] {
  const times = cmds.map((): number[] => []);
  const last: Array<{ stderr: string; status: number | null }> = cmds.map(() => ({ stderr: '', status: 0 }));
  for (let i = 0; i < n; i++) {
    cmds.forEach((cmd, k) => {
      const t0 = performance.now();
      const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      times[k]!.push(performance.now() - t0);
      last[k] = { stderr: r.stderr, status: r.status };
    });
  }
  return times.map((t, k) => {
    t.sort((a, b) => a - b);
    return { medianMs: t[Math.floor(t.length / 2)]!, minMs: t[0]!, ...last[k]! };
  });
}

function stats(stderr: string): { requests: number; frames: number; bytesOut: number; bytesIn: number } {
  const m = /meter: (\d+) requests?, (\d+) frames? sent, (\d+) bytes out, (\d+) bytes in/.exec(stderr);
  if (!m) throw new Error(`no meter stats in: ${stderr}`);
  return { requests: Number(m[1]), frames: Number(m[2]), bytesOut: Number(m[3]), bytesIn: Number(m[4]) };
}

const f = (n: number, d = 0): string => n.toFixed(d);

export async function mbusBench(): Promise<void> {
  const pty = await ptyPair();
  const sim = await startCli(['simulate', '--protocol', 'mbus', '--model', '603', '--device', pty.b, '--real-timing'], /serving M-Bus/);
  try {
    console.log(
      `\nM-Bus against the simulator with real timing (${REAL_MBUS_TIMING.baud} baud 8E1, ${REAL_MBUS_TIMING.latencyMs} ms reply latency), over a socat pty:`,
    );
    const [node0, m] = timed(
      [
        [process.execPath, '-e', '0'],
        [process.execPath, BIN, 'get', '-d', pty.a, '--protocol', 'mbus', '--verbose'],
      ],
      RUNS,
    ) as [Timed, Timed];
    if (m.status !== 0) throw new Error(`get failed (${m.status}): ${m.stderr}`);
    const s = stats(m.stderr);
    const wireS = (s.bytesOut + s.bytesIn) * BYTE_S;
    const floorS = wireS + s.requests * LATENCY_S + node0.medianMs / 1000;
    console.log(`  Node start-up (node -e 0): ${f(node0.medianMs)} ms median`);
    console.log(
      `  get, a MULTICAL 603's full telegram: ${f(m.medianMs)} ms median (min ${f(m.minMs)}), ${s.requests} requests, ${s.frames} frames, ` +
        `${s.bytesOut} bytes out + ${s.bytesIn} bytes in`,
    );
    console.log(
      `    physical floor ${f(floorS * 1000)} ms (wire ${f(wireS * 1000)} ms + ${s.requests} × ${REAL_MBUS_TIMING.latencyMs} ms latency + ` +
        `${f(node0.medianMs)} ms start-up)  → ${f(m.medianMs / 1000 / floorS, 2)}× the floor (target ≤ 1.1×)`,
    );
  } finally {
    await sim.stop();
    await pty.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await mbusBench();
