// Shared by the meter end-to-end tests (meter-cli.test.ts, meter-faults.test.ts): a `multical simulate`
// child on a socat pty or on TCP, the built CLI as a child process, and a reading of the KMP bytes the CLI
// logs with --debug (kmp-protocol.md, "Data link layer" and "Application layer") through the tests' own
// oracle, so the tests check the CLI's output against the wire and not against the CLI's own decoder.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, runCli, startCli, type CliOptions, type CliResult } from '../support/cli.js';
import { crc16, decimalText, destuff, frame } from '../support/oracle.js';
import { ptyPair, type PtyPair } from '../support/pty.js';

const ROOT = dirname(dirname(BIN));

/** The built CLI as a child process (cleanEnv: an empty private HOME); a hung run is killed after 20 s. */
export function cli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runCli(args, { killAfterMs: 20_000, ...opts });
}

/** Runs `fn` over `items`, at most `n` at a time (2 cores: many node start-ups at once only queue). */
export async function pool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

// ---- a simulated meter as a child process ----------------------------------------------------------

export interface SimMeter {
  /** What the CLI's -d takes: the other end of the pty pair, or tcp://127.0.0.1:PORT. */
  device: string;
  pair?: PtyPair;
  /** The simulator's stderr so far (it runs with --debug: `sim rx …` / `sim tx …` lines). */
  simStderr(): string;
  /** `sim rx` lines so far: bytes that reached the meter. */
  simRx(): number;
  /** Every byte the simulator received so far, as one hex string. */
  simRxHex(): string;
  /** The simulator process has ended (on its own: vanish-after). */
  exited(): boolean;
  waitExit(ms: number): Promise<boolean>;
  stop(): Promise<void>;
}

type Started = Awaited<ReturnType<typeof startCli>>;

function simMeter(device: string, sim: Started, pair?: PtyPair): SimMeter {
  let stopped = false;
  return {
    device,
    ...(pair ? { pair } : {}),
    simStderr: () => sim.output().stderr,
    simRx: () => (sim.output().stderr.match(/^sim rx /gm) ?? []).length,
    simRxHex: () => [...sim.output().stderr.matchAll(/^sim rx ([0-9A-F ]+)$/gm)].map((m) => m[1]!.trim()).join(' '),
    exited: () => sim.child.exitCode !== null || sim.child.signalCode !== null,
    waitExit: (ms) =>
      new Promise((resolve) => {
        if (sim.child.exitCode !== null || sim.child.signalCode !== null) return resolve(true);
        const timer = setTimeout(() => resolve(false), ms);
        sim.child.once('exit', () => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await sim.stop();
      } finally {
        await pair?.close();
      }
    },
  };
}

/** `multical simulate --device <pty a> --debug FLAGS`; the CLI uses the pty's other end. */
export async function ptyMeter(flags: string[] = []): Promise<SimMeter> {
  const pair = await ptyPair();
  try {
    const sim = await startCli(['simulate', '--device', pair.a, '--debug', ...flags], /serving KMP on /);
    return simMeter(pair.b, sim, pair);
  } catch (e) {
    await pair.close();
    throw e;
  }
}

/** `multical simulate --listen 127.0.0.1:0 --debug FLAGS`; resolves with the printed tcp:// address. */
export async function tcpMeter(flags: string[] = []): Promise<SimMeter> {
  const sim = await startCli(['simulate', '--listen', '127.0.0.1:0', '--debug', ...flags], /listening on (tcp:\/\/127\.0\.0\.1:\d+)\n/);
  return simMeter(sim.match[1]!, sim);
}

// ---- the frames the CLI logs --------------------------------------------------------------------

/** The hex of every `tx`/`rx` line (`tx 80 3F …`), in order. `stamped`: lines of --debug-file, which start with a time. */
export function frameLines(text: string, dir: 'tx' | 'rx', stamped = false): string[] {
  const re = stamped ? /^\S+ (tx|rx) ([0-9A-F]{2}(?: [0-9A-F]{2})*)$/gm : /^(tx|rx) ([0-9A-F]{2}(?: [0-9A-F]{2})*)$/gm;
  return [...text.matchAll(re)].filter((m) => m[1] === dir).map((m) => m[2]!);
}

/** Any line that looks like a raw frame, with or without a prefix. */
export const ANY_FRAME_LINE = /\b(tx|rx) [0-9A-F]{2}( [0-9A-F]{2}){3,}/;

export function bytesOf(hex: string): number[] {
  return hex.split(' ').map((h) => Number.parseInt(h, 16));
}

export function hexOf(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}

/** The GetRegister request frame for `ids` (to the heat meter, 0x3F), as hex. */
export function getRegisterRequest(ids: readonly number[]): string {
  return hexOf(frame(0x80, [0x3f, 0x10, ids.length, ...ids.flatMap((id) => [id >> 8, id & 0xff])]));
}

/** A request frame's register ids (asserting start, stop, CRC, address and command). */
export function requestIds(hex: string): number[] {
  const b = bytesOf(hex);
  if (b[0] !== 0x80 || b[b.length - 1] !== 0x0d) throw new Error(`not a request frame: ${hex}`);
  const body = destuff(b.slice(1, -1));
  if (!body || crc16(body) !== 0) throw new Error(`request CRC wrong: ${hex}`);
  if (body[0] !== 0x3f || body[1] !== 0x10) throw new Error(`not a GetRegister to 0x3F: ${hex}`);
  const n = body[2]!;
  if (body.length !== 3 + 2 * n + 2) throw new Error(`request length does not match its count ${n}: ${hex}`);
  return Array.from({ length: n }, (_, i) => (body[3 + 2 * i]! << 8) | body[4 + 2 * i]!);
}

export interface WireValue {
  unitCode: number;
  /** As the CLI must print it: the exact decimal, or hh:mm:ss / 20yy-mm-dd for time and date units. */
  text: string;
  numeric: boolean;
}

/** Exact decimal text of (−1)^s × mantissa × 10^(±e) (kmp-protocol.md, "Values"), from digits, never a double. */
function wireDecimal(siex: number, mantissa: readonly number[]): string {
  const m = mantissa.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const e = siex & 0x3f;
  return decimalText(siex & 0x80 ? -m : m, siex & 0x40 ? -e : e);
}

/**
 * Every register record in the good GetRegister replies found in the received bytes (echoes, noise,
 * cut-off and corrupt frames skipped): id → value as the meter sent it.
 */
export function wireRegisters(rxLines: readonly string[]): Map<number, WireValue> {
  const rx = rxLines.flatMap(bytesOf);
  const out = new Map<number, WireValue>();
  let start = -1;
  for (let i = 0; i < rx.length; i++) {
    if (rx[i] === 0x40) start = i;
    else if (rx[i] === 0x0d && start >= 0) {
      const body = destuff(rx.slice(start + 1, i));
      start = -1;
      if (!body || body.length < 4 || crc16(body) !== 0 || body[0] !== 0x3f || body[1] !== 0x10) continue;
      const data = body.slice(2, -2);
      for (let p = 0; p + 5 <= data.length;) {
        const id = (data[p]! << 8) | data[p + 1]!;
        const unitCode = data[p + 2]!;
        const len = data[p + 3]!;
        const siex = data[p + 4]!;
        const mantissa = data.slice(p + 5, p + 5 + len);
        p += 5 + len;
        if (unitCode === 0x2f || unitCode === 0x30) {
          let m = 0;
          for (const b of mantissa) m = m * 256 + b;
          const d = String(m).padStart(6, '0');
          const text =
            unitCode === 0x2f
              ? `${d.slice(0, 2)}:${d.slice(2, 4)}:${d.slice(4, 6)}`
              : `20${d.slice(0, 2)}-${d.slice(2, 4)}-${d.slice(4, 6)}`;
          out.set(id, { unitCode, text, numeric: false });
        } else {
          out.set(id, { unitCode, text: wireDecimal(siex, mantissa), numeric: true });
        }
      }
    }
  }
  return out;
}

// ---- the JSON the CLI prints ----------------------------------------------------------------------

export interface RawRegister {
  id: number;
  name: string;
  /** The value exactly as written in the JSON text. */
  raw: string;
  unit: string;
}

/** The register objects of `get --json` as raw text, in order; keys must be exactly id, name, value, unit. */
export function rawRegisters(json: string): RawRegister[] {
  // An info code's value is {"value":N,"flags":[…]}: its raw text is N.
  const re =
    /\{"id":(\d+),"name":("(?:[^"\\]|\\.)*"),"value":(?:\{"value":)?("(?:[^"\\]|\\.)*"|[^,}"]+)(?:,"flags":\[[^\]]*\]\})?,"unit":("(?:[^"\\]|\\.)*")\}/g;
  return [...json.matchAll(re)].map((m) => ({
    id: Number(m[1]),
    name: JSON.parse(m[2]!) as string,
    raw: m[3]!,
    unit: JSON.parse(m[4]!) as string,
  }));
}

// ---- the shared tables (../shared/data, the one source of register and unit names) ----------------

function tsv(name: string): string[][] {
  return readFileSync(join(ROOT, '..', 'shared', 'data', name), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}

let names: Map<number, string> | undefined;
let units: Map<number, string> | undefined;

/** Register id → name, from kmp-registers.tsv. */
export function tableName(id: number): string | undefined {
  names ??= new Map(tsv('kmp-registers.tsv').map((c) => [Number(c[1]), (c[2] ?? '').trim()]));
  return names.get(id);
}

/** Unit code → symbol, from kmp-units.tsv. */
export function tableUnit(code: number): string | undefined {
  units ??= new Map(tsv('kmp-units.tsv').map((c) => [Number(c[1]), (c[2] ?? '').trim()]));
  return units.get(code);
}

/** The classic 402 script's --test_kamstrup list (kmp-protocol.md, last line). */
export const CLASSIC_31 = [
  60, 80, 86, 87, 89, 74, 68, 141, 139, 140, 138, 145, 143, 149, 150, 144, 142, 126, 124, 125, 123, 130, 128, 146, 147, 129, 127, 97, 110,
  113, 1004,
];

/** The protocol description's vector: GetRegister for 60 68 74 80 86 87 89 266. */
export const EIGHT = [60, 68, 74, 80, 86, 87, 89, 266];
export const EIGHT_REQUEST = '80 3F 10 08 00 3C 00 44 00 4A 00 50 00 56 00 57 00 59 01 0A 9E 82 0D';
export const REQUEST_1002 = '80 3F 10 01 03 EA 4C B7 0D';
export const GET_SERIAL_REQUEST = '80 3F 02 35 E9 0D';
export const GET_TYPE_REQUEST = '80 3F 01 05 8A 0D';

/** stderr lines, blank ones dropped. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- what the CLI must print ------------------------------------------------------------------------

/** The units the simulated meter (energy in MWh) reports. */
export const SIM_UNIT: Record<number, string> = {
  60: 'MWh',
  68: 'm³',
  74: 'l/h',
  80: 'kW',
  86: '°C',
  87: '°C',
  89: 'K',
  266: 'Wh',
  1002: 'hh:mm:ss',
  1003: 'yy:mm:dd',
};

const EXACT_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Seconds between a hh:mm:ss and the UTC time of day at `ms`, across midnight. */
function secondsOff(hhmmss: string, ms: number): number {
  const [h, m, s] = hhmmss.split(':').map(Number) as [number, number, number];
  const want = Math.floor(ms / 1000) % 86400;
  const diff = Math.abs(h * 3600 + m * 60 + s - want);
  return Math.min(diff, 86400 - diff);
}

export interface GetJsonExpectation {
  /** Ids the meter left out (`missing`). */
  missing?: number[];
  /** Ids whose request failed (in `errors`, in neither `registers` nor `missing`). */
  failed?: number[];
  code?: number;
  /** When the run started (for the date register). */
  startedMs?: number;
}

/**
 * `get --json --debug` output: exactly one JSON object {"registers","missing"[,"errors"],"exitCode"}; every
 * register read in the order asked, once; name from kmp-registers.tsv; unit from kmp-units.tsv for the
 * code on the wire; value written exactly as the wire's mantissa and exponent say (raw text compared),
 * dates and times as strings.
 */
export function checkGetJson(
  r: CliResult,
  asked: number[],
  e: GetJsonExpectation = {},
): {
  registers: Array<{ id: number; value: unknown }>;
  missing: number[];
  errors?: Array<{ registers: number[]; code: string; message: string }>;
} {
  const missing = e.missing ?? [];
  const failed = e.failed ?? [];
  assert.equal(r.code, e.code ?? 0, `exit code (stderr: ${r.stderr})`);
  assert.ok(r.stdout.endsWith('\n'), 'stdout ends with a newline');
  assert.equal(lines(r.stdout).length, 1, `one line of JSON on stdout, got: ${r.stdout}`);
  const doc = JSON.parse(r.stdout) as ReturnType<typeof checkGetJson> & {
    registers: Array<{ id: number; name: string; value: unknown; unit: string }>;
    exitCode: number;
  };
  assert.deepEqual(Object.keys(doc), failed.length ? ['registers', 'missing', 'errors', 'exitCode'] : ['registers', 'missing', 'exitCode']);
  assert.equal(doc.exitCode, r.code, 'the exit code is in the object');
  const read = [...new Set(asked)].filter((id) => !missing.includes(id) && !failed.includes(id));
  assert.deepEqual(
    doc.registers.map((x) => x.id),
    read,
    'registers in the order asked, each once',
  );
  assert.deepEqual(doc.missing, missing);
  if (failed.length)
    assert.deepEqual(
      doc.errors?.flatMap((x) => x.registers),
      failed,
    );
  const raws = rawRegisters(r.stdout);
  assert.deepEqual(
    raws.map((x) => x.id),
    read,
    'every register object is {"id","name","value","unit"} in that key order',
  );
  const wire = wireRegisters(frameLines(r.stderr, 'rx'));
  for (const [i, raw] of raws.entries()) {
    const w = wire.get(raw.id);
    assert.ok(w, `register ${raw.id} is in a good reply on the wire`);
    assert.equal(raw.name, tableName(raw.id), `name of ${raw.id} as in kmp-registers.tsv`);
    assert.equal(raw.unit, tableUnit(w.unitCode), `unit of ${raw.id}: kmp-units.tsv name of code ${w.unitCode}`);
    if (SIM_UNIT[raw.id] !== undefined) assert.equal(raw.unit, SIM_UNIT[raw.id], `unit of ${raw.id}`);
    const parsed = doc.registers[i]!.value;
    if (w.numeric) {
      assert.match(raw.raw, EXACT_NUMBER, `register ${raw.id}: a plain JSON number, no exponent or float noise`);
      assert.equal(raw.raw, w.text, `register ${raw.id}: written exactly as on the wire`);
      assert.equal(typeof parsed, 'number');
      assert.equal(parsed, Number(w.text));
    } else {
      assert.equal(raw.raw, JSON.stringify(w.text), `register ${raw.id}: a JSON string`);
      assert.equal(parsed, w.text);
    }
  }
  const time = doc.registers.find((x) => x.id === 1002);
  if (time) {
    assert.match(String(time.value), /^\d\d:\d\d:\d\d$/);
    assert.ok(secondsOff(String(time.value), Date.now()) < 120, `clock ${String(time.value)} is the simulated meter's (UTC) time`);
  }
  const date = doc.registers.find((x) => x.id === 1003);
  if (date) {
    assert.match(String(date.value), /^20\d\d-\d\d-\d\d$/);
    const started = e.startedMs ?? Date.now() - r.ms;
    assert.ok([utcDate(started), utcDate(Date.now())].includes(String(date.value)), `date ${String(date.value)} is today (UTC)`);
  }
  return doc;
}

/** One line on stderr, `error: …`, no stack trace; returns it. */
export function assertOneErrorLine(stderr: string): string {
  const ls = lines(stderr);
  assert.equal(ls.length, 1, `exactly one line on stderr, got:\n${stderr}`);
  assert.match(ls[0]!, /^error: /);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
  return ls[0]!;
}
