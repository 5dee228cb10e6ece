// Benchmark: the meter's own history against polling, at real-meter timing (1200 baud 8N2, 0.25 s before
// each reply) over a socat pty. Prints figures, asserts nothing.
//
// - `multical history --logger hourly --last 24` of 8 registers (the time stamp registers ride along):
//   24 hourly values in one run, in as few requests as the meter's reply buffer allows;
// - the same 8 registers polled 24 times with GetRegister (one request each: what reading them every hour
//   costs, here back to back).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KmpClient } from '../src/meter/kmp-client.js';
import { openSerial } from '../src/meter/serial-transport.js';
import { REAL_METER_TIMING } from '../src/simulator/spec.js';
import { startCli } from '../test/support/cli.js';
import { ptyPair } from '../test/support/pty.js';

const BIN = fileURLToPath(new URL('../../bin/multical.js', import.meta.url));
const REGISTERS = [60, 68, 86, 87, 74, 80, 1004, 99];
const BYTE_S = 11 / REAL_METER_TIMING.baud;
const LATENCY_S = REAL_METER_TIMING.latencyMs / 1000;

interface Figures {
  requests: number;
  bytesOut: number;
  bytesIn: number;
  seconds: number;
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

async function history(device: string): Promise<Figures> {
  const args = ['history', '-d', device, '--logger', 'hourly', '--last', '24', '--csv', '--verbose', ...REGISTERS.map(String)];
  const r = await cli(args);
  const m = /meter: (\d+) requests?, \d+ frames? sent, (\d+) bytes out, (\d+) bytes in/.exec(r.stderr);
  if (r.code !== 0 || !m) throw new Error(`history failed (${r.code}): ${r.stderr}`);
  const rows = r.stdout.trim().split('\n').length - 1;
  if (rows !== 24) throw new Error(`history printed ${rows} rows, 24 expected`);
  return { requests: Number(m[1]), bytesOut: Number(m[2]), bytesIn: Number(m[3]), seconds: r.seconds };
}

async function polling(device: string): Promise<Figures> {
  const transport = await openSerial(device);
  const client = new KmpClient(transport, { timeoutMs: 2000, retries: 2 });
  const t0 = performance.now();
  try {
    for (let i = 0; i < 24; i++) await client.getRegisters(REGISTERS);
  } finally {
    await transport.close();
  }
  const s = client.stats;
  return { requests: s.requests, bytesOut: s.bytesSent, bytesIn: s.bytesReceived, seconds: (performance.now() - t0) / 1000 };
}

const airtime = (f: Figures): number => (f.bytesOut + f.bytesIn) * BYTE_S + f.requests * LATENCY_S;

function line(label: string, f: Figures, note: string): string {
  const bytes = `${f.bytesOut} + ${f.bytesIn} = ${f.bytesOut + f.bytesIn} bytes`;
  return `  ${label.padEnd(34)} ${String(f.requests).padStart(3)} requests  ${bytes.padEnd(26)} ${f.seconds.toFixed(1).padStart(5)} s ${note}, on the wire ${airtime(f).toFixed(1)} s`;
}

export async function benchHistory(): Promise<void> {
  const pty = await ptyPair();
  const sim = await startCli(['simulate', '--device', pty.b, '--real-timing', '--fault', 'now=2026-01-05T04:01:40Z'], /serving KMP/);
  try {
    console.log('\nHistory against polling, real-meter timing (1200 baud 8N2, 0.25 s latency), over a socat pty:');
    const h = await history(pty.a);
    const p = await polling(pty.a);
    console.log(line('history, 24 hourly entries × 8', h, '(incl. Node start-up)'));
    console.log(line('GetRegister of the 8, 24 times', p, '(back to back)'));
    const ratio = (a: number, b: number): string => (b === 0 ? '–' : (a / b).toFixed(2));
    console.log(
      `  polling / history: ${ratio(p.requests, h.requests)}× the requests, ${ratio(p.bytesOut + p.bytesIn, h.bytesOut + h.bytesIn)}× the bytes, ` +
        `${ratio(airtime(p), airtime(h))}× the time on the wire — and 24 wake-ups of the meter instead of one`,
    );
  } finally {
    await sim.stop();
    await pty.close();
  }
}
