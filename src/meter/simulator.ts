import { Decimal } from '../core/decimal.js';
import {
  Cid,
  decodeGetRegisterRequest,
  encodeGetSerialNoReply,
  encodeGetTypeReply,
  encodeRawRecord,
  encodeRegisterRecord,
} from '../kmp/app.js';
import { KmpError } from '../kmp/errors.js';
import { HEAT_METER_ADDRESS, decodeFrame, encodeFrame, type Frame } from '../kmp/frame.js';
import { Framer } from '../kmp/framer.js';
import { unitCode } from '../kmp/registers.js';
import { UsageError } from '../core/errors.js';
import type { Transport } from './transport.js';

/**
 * A simulated MULTICAL heat meter that speaks KMP on the far end of any transport. Values are a
 * function of the clock, so energy, volume and the hour counter grow between runs and temperatures move.
 * Fault injection covers what real IR links do: silence, corrupt CRCs, noise, echoes, cut-off replies.
 */
export interface SimFaults {
  /** Never answer. */
  noAnswer?: boolean;
  /** Ignore the first N requests (a sleeping IR port answers the second request). */
  silentFirst?: number;
  /** Flip a CRC bit: in the first reply only, or in every reply. */
  corruptCrc?: 'once' | 'always';
  /** Line noise before every reply. */
  garbage?: boolean;
  /** Cut the reply off before its stop byte: once, or always. */
  truncate?: 'once' | 'always';
  /** Answer GetRegister with a reply to another command: once, or always. */
  wrongCommand?: 'once' | 'always';
  /** Close the link when this many requests have been answered. */
  vanishAfter?: number;
  /** Registers the meter leaves out of its replies as if it did not know them. */
  omit?: number[];
  /** Temp1 (register 86) reads 1000 °C: a value that cannot be right. */
  implausible?: boolean;
}

export interface SimOptions {
  /** Echo every request back first, as some IR heads do. */
  echo?: boolean;
  /** Milliseconds between the request's end and the reply's first byte (a real meter: ~250). */
  latencyMs?: number;
  /** Pace the wire at this baud (8N2: 11 bits a byte), both for the request arriving and the reply. */
  baud?: number;
  faults?: SimFaults;
  /** Unit of the energy registers: MWh (default), GJ or kWh. */
  energyUnit?: 'MWh' | 'GJ' | 'kWh';
  serialNo?: number;
  meterType?: number;
  /** The clock (ms since epoch); tests pin it. */
  now?: () => number;
  random?: () => number;
}

/** Real-meter timing: 1200 baud 8N2 on the wire, ~0.25 s before the reply. */
export const REAL_METER_TIMING = { baud: 1200, latencyMs: 250 } as const;

interface SimValue {
  unit: string;
  value: Decimal;
  /** Raw mantissa instead of a decimal (unit 0x4F date-time). */
  raw?: Uint8Array;
}

type Generator = (t: number) => SimValue;

/** 2026-01-01T00:00:00Z: the simulated meter's totals are counted from here. */
const T0 = Date.UTC(2026, 0, 1) / 1000;
const d = (coefficient: bigint | number, exponent = 0): Decimal => Decimal.of(typeof coefficient === 'number' ? Math.round(coefficient) : coefficient, exponent);
const wave = (t: number, periodS: number, phase = 0): number => Math.sin((2 * Math.PI * (t + phase)) / periodS);

function energyKWh(t: number, baseKWh: number, avgKW: number): bigint {
  return BigInt(baseKWh) + BigInt(Math.floor(((t - T0) * avgKW) / 3600));
}

function energy(unit: 'MWh' | 'GJ' | 'kWh', kWh: bigint): SimValue {
  if (unit === 'kWh') return { unit, value: d(kWh) };
  if (unit === 'MWh') return { unit, value: d(kWh, -3) };
  return { unit, value: d(kWh * 36n, -4) }; // 1 kWh = 0.0036 GJ
}

function yymmdd(date: Date): Decimal {
  return d((date.getUTCFullYear() % 100) * 10000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate());
}

function hhmmss(date: Date): Decimal {
  return d(date.getUTCHours() * 10000 + date.getUTCMinutes() * 100 + date.getUTCSeconds());
}

function daysBefore(t: number, days: number): Date {
  return new Date((t - days * 86400) * 1000);
}

function buildRegisters(energyUnit: 'MWh' | 'GJ' | 'kWh', serialNo: number): Map<number, Generator> {
  const temp1 = (t: number): number => 6543 + Math.round(250 * wave(t, 1800));
  const temp2 = (t: number): number => 4021 + Math.round(120 * wave(t, 2400, 300));
  const flow = (t: number): number => 456 + Math.round(80 * wave(t, 900));
  const e1 = (t: number): bigint => energyKWh(t, 55006, 12.3);
  const g: Array<[number, Generator]> = [
    [60, (t) => energy(energyUnit, e1(t))],
    [61, (t) => energy(energyUnit, energyKWh(t, 98110, 21.9))],
    [62, (t) => energy(energyUnit, energyKWh(t, 43104, 9.6))],
    [63, (t) => energy(energyUnit, energyKWh(t, 12, 0))],
    [94, (t) => energy(energyUnit, energyKWh(t, 0, 0))],
    [95, (t) => energy(energyUnit, energyKWh(t, 0, 0))],
    [96, (t) => energy(energyUnit, energyKWh(t, 0, 0))],
    [266, (t) => ({ unit: 'Wh', value: d(e1(t) * 1000n + BigInt(Math.floor((((t - T0) * 12.3) % 3600) / 3.6))) })],
    [68, (t) => ({ unit: 'm³', value: d(123456n + BigInt(Math.floor(((t - T0) * 45.6) / 3600)), -2) })],
    [69, () => ({ unit: 'm³', value: d(0, -2) })],
    [239, (t) => ({ unit: 'm³', value: d(1234560n + BigInt(Math.floor(((t - T0) * 456) / 3600)), -3) })],
    [74, (t) => ({ unit: 'l/h', value: d(flow(t)) })],
    [75, () => ({ unit: 'l/h', value: d(0) })],
    [80, (t) => ({ unit: 'kW', value: d(Math.round((flow(t) * (temp1(t) - temp2(t))) / 100 / 86), -1) })],
    [86, (t) => ({ unit: '°C', value: d(temp1(t), -2) })],
    [87, (t) => ({ unit: '°C', value: d(temp2(t), -2) })],
    [88, () => ({ unit: '°C', value: d(1000, -2) })],
    [89, (t) => ({ unit: 'K', value: d(temp1(t) - temp2(t), -2) })],
    [91, () => ({ unit: 'bar', value: d(25, -1) })],
    [92, () => ({ unit: 'bar', value: d(21, -1) })],
    [97, (t) => ({ unit: 'm³·°C', value: d(8123456n + BigInt(Math.floor((t - T0) / 120))) })],
    [110, (t) => ({ unit: 'm³·°C', value: d(5012345n + BigInt(Math.floor((t - T0) / 190))) })],
    [99, () => ({ unit: '', value: d(0) })],
    [113, () => ({ unit: '', value: d(0) })],
    [123, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, 120)) })],
    [124, () => ({ unit: 'l/h', value: d(1210) })],
    [125, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, 200)) })],
    [126, () => ({ unit: 'l/h', value: d(0) })],
    [127, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, 95)) })],
    [128, () => ({ unit: 'kW', value: d(388, -1) })],
    [129, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, 210)) })],
    [130, () => ({ unit: 'kW', value: d(0, -1) })],
    [138, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, 9)) })],
    [139, () => ({ unit: 'l/h', value: d(987) })],
    [140, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, 3)) })],
    [141, () => ({ unit: 'l/h', value: d(12) })],
    [142, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, 9)) })],
    [143, () => ({ unit: 'kW', value: d(301, -1) })],
    [144, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, 3)) })],
    [145, () => ({ unit: 'kW', value: d(4, -1) })],
    [146, () => ({ unit: '°C', value: d(6312, -2) })],
    [147, () => ({ unit: '°C', value: d(3975, -2) })],
    [149, () => ({ unit: '°C', value: d(6488, -2) })],
    [150, () => ({ unit: '°C', value: d(4102, -2) })],
    [152, () => ({ unit: '', value: d(19101050) })],
    [153, () => ({ unit: '', value: d(10310) })],
    [154, () => ({ unit: '', value: d(41209) })],
    [175, () => ({ unit: 'h', value: d(0) })],
    [1001, () => ({ unit: '', value: d(serialNo) })],
    [1002, (t) => ({ unit: 'hh:mm:ss', value: hhmmss(new Date(t * 1000)) })],
    [1003, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(new Date(t * 1000)) })],
    [1004, (t) => ({ unit: 'h', value: d(21432 + Math.floor((t - T0) / 3600)) })],
    [1005, () => ({ unit: '', value: d(0) })],
    [1010, () => ({ unit: '', value: d(12345678) })],
  ];
  return new Map(g);
}

export class MeterSimulator {
  readonly options: Required<Omit<SimOptions, 'faults'>> & { faults: SimFaults };
  private readonly registers: Map<number, Generator>;
  /** Requests received (whole frames, echo and faults included); tests and benchmarks read it. */
  requestsSeen = 0;
  requestLog: Frame[] = [];
  private corruptedOnce = false;
  private truncatedOnce = false;
  private wrongOnce = false;

  constructor(options: SimOptions = {}) {
    this.options = {
      echo: options.echo ?? false,
      latencyMs: options.latencyMs ?? 0,
      baud: options.baud ?? 0,
      faults: options.faults ?? {},
      energyUnit: options.energyUnit ?? 'MWh',
      serialNo: options.serialNo ?? 19088743,
      meterType: options.meterType ?? 0x0004,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
    this.registers = buildRegisters(this.options.energyUnit, this.options.serialNo);
  }

  knows(id: number): boolean {
    return this.registers.has(id);
  }

  /**
   * The bytes the meter sends back for one request frame (echo excluded), or null for silence.
   * Decides faults; has no timing.
   */
  reply(request: Uint8Array): Uint8Array | null {
    let frame: Frame;
    try {
      frame = decodeFrame(request);
    } catch (e) {
      if (e instanceof KmpError) return null; // a real meter ignores a frame it cannot read
      throw e;
    }
    this.requestsSeen++;
    this.requestLog.push(frame);
    const f = this.options.faults;
    if (frame.direction !== 'toMeter' || frame.destination !== HEAT_METER_ADDRESS) return null;
    if (f.noAnswer) return null;
    if (f.silentFirst && this.requestsSeen <= f.silentFirst) return null;

    let data: Uint8Array | null;
    let cid = frame.cid;
    switch (frame.cid) {
      case Cid.GetType:
        data = encodeGetTypeReply({ type: this.options.meterType, letter: 6, number: 1 });
        break;
      case Cid.GetSerialNo:
        data = encodeGetSerialNoReply(this.options.serialNo);
        break;
      case Cid.GetRegister:
        data = this.registerReply(frame.data);
        if (data && (f.wrongCommand === 'always' || (f.wrongCommand === 'once' && !this.wrongOnce))) {
          this.wrongOnce = true;
          cid = Cid.GetType;
          data = encodeGetTypeReply({ type: this.options.meterType, letter: 6, number: 1 });
        }
        break;
      default:
        data = null;
    }
    if (data === null) return null;
    let bytes = encodeFrame({ direction: 'fromMeter', destination: frame.destination, cid, data });
    if (f.corruptCrc === 'always' || (f.corruptCrc === 'once' && !this.corruptedOnce)) {
      this.corruptedOnce = true;
      bytes = corruptCrc(bytes);
    }
    if (f.truncate === 'always' || (f.truncate === 'once' && !this.truncatedOnce)) {
      this.truncatedOnce = true;
      bytes = bytes.slice(0, Math.max(2, bytes.length - 3));
    }
    if (f.garbage) bytes = concat(this.noise(), bytes);
    return bytes;
  }

  private registerReply(data: Uint8Array): Uint8Array | null {
    let ids: number[];
    try {
      ids = decodeGetRegisterRequest(data);
    } catch {
      return null;
    }
    const t = this.options.now() / 1000;
    const omit = new Set(this.options.faults.omit ?? []);
    const parts: Uint8Array[] = [];
    for (const id of ids) {
      const gen = this.registers.get(id);
      if (!gen || omit.has(id)) continue; // left out, as a real meter does with registers it does not know
      const v = id === 86 && this.options.faults.implausible ? { unit: '°C', value: d(100000, -2) } : gen(t);
      const code = unitCode(v.unit);
      parts.push(v.raw ? encodeRawRecord(id, code, v.raw) : encodeRegisterRecord({ id, unitCode: code, value: v.value }));
    }
    return concat(...parts);
  }

  private noise(): Uint8Array {
    const n = 3 + Math.floor(this.options.random() * 8);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let b: number;
      do b = Math.floor(this.options.random() * 256);
      while (b === 0x40 || b === 0x80);
      out[i] = b;
    }
    return out;
  }

  /**
   * Serves KMP on a transport until it closes: frames requests (80 … 0D), answers one at a time with
   * the configured echo, latency and wire pacing. Returns a function that stops serving.
   */
  serve(transport: Transport): { stop: () => void; done: Promise<void> } {
    const framer = new Framer('toMeter');
    const queue: Uint8Array[] = [];
    let busy = false;
    let stopped = false;
    let answered = 0;
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => (resolveDone = r));
    const timers = new Set<NodeJS.Timeout>();
    const sleep = (ms: number): Promise<void> =>
      ms <= 0
        ? Promise.resolve()
        : new Promise((r) => {
            const t = setTimeout(() => {
              timers.delete(t);
              r();
            }, ms);
            timers.add(t);
          });
    const byteMs = this.options.baud > 0 ? (11 * 1000) / this.options.baud : 0;
    const send = async (bytes: Uint8Array): Promise<void> => {
      if (byteMs === 0) return transport.write(bytes);
      // Trickle the bytes at the wire's pace, as a real 1200 baud link delivers them: a byte arrives
      // once all 11 of its bits are through, so n bytes take n byte times.
      const start = performance.now();
      let sent = 0;
      while (sent < bytes.length && !stopped) {
        const due = Math.min(bytes.length, Math.floor((performance.now() - start) / byteMs));
        if (due > sent) {
          await transport.write(bytes.subarray(sent, due));
          sent = due;
        }
        if (sent < bytes.length) await sleep(start + (sent + 1) * byteMs - performance.now());
      }
    };
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      resolveDone();
    };
    const pump = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        while (queue.length > 0 && !stopped) {
          const request = queue.shift()!;
          // The request itself takes wire time to arrive at a real meter.
          await sleep(request.length * byteMs);
          if (this.options.echo) await transport.write(request);
          const reply = this.reply(request);
          if (reply === null || stopped) continue;
          await sleep(this.options.latencyMs);
          if (stopped) break;
          await send(reply);
          answered++;
          const vanish = this.options.faults.vanishAfter;
          if (vanish !== undefined && answered >= vanish) {
            stop();
            await transport.close();
          }
        }
      } catch {
        stop();
      } finally {
        busy = false;
      }
    };
    transport.setReceiver((chunk) => {
      if (stopped) return;
      queue.push(...framer.push(chunk));
      void pump();
    });
    transport.onLost(() => stop());
    return { stop, done };
  }
}

function corruptCrc(frame: Uint8Array): Uint8Array {
  // Re-encode is not needed: flipping the lowest bit of the byte before the stop byte breaks the CRC.
  // Take care not to create a byte that would need stuffing (that would change framing, not the CRC).
  const out = Uint8Array.from(frame);
  const i = out.length - 2;
  let b = (out[i] as number) ^ 0x01;
  if ([0x06, 0x0d, 0x1b, 0x40, 0x80].includes(b)) b = (out[i] as number) ^ 0x02;
  out[i] = b;
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Parses a simulator spec: `sim` or `sim:echo,real-timing,crc-once,omit=86+87,energy=GJ`. The same words
 * are used by `multical simulate --fault`.
 */
export function parseSimSpec(spec: string): SimOptions {
  const opts: SimOptions = { faults: {} };
  const f = opts.faults!;
  const rest = spec === 'sim' ? '' : spec.replace(/^sim:/, '');
  for (const word of rest.split(',').map((w) => w.trim()).filter(Boolean)) {
    const [key, value] = word.split('=', 2) as [string, string | undefined];
    const int = (): number => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`simulator option ${key} needs a whole number, not ${JSON.stringify(value ?? '')}`);
      return n;
    };
    switch (key) {
      case 'echo':
        opts.echo = true;
        break;
      case 'real-timing':
        opts.baud = REAL_METER_TIMING.baud;
        opts.latencyMs = REAL_METER_TIMING.latencyMs;
        break;
      case 'latency':
        opts.latencyMs = int();
        break;
      case 'baud':
        opts.baud = int();
        break;
      case 'energy':
        if (value !== 'MWh' && value !== 'GJ' && value !== 'kWh') throw new UsageError(`simulator energy unit must be MWh, GJ or kWh, not ${JSON.stringify(value ?? '')}`);
        opts.energyUnit = value;
        break;
      case 'no-answer':
        f.noAnswer = true;
        break;
      case 'silent-first':
        f.silentFirst = value === undefined ? 1 : int();
        break;
      case 'crc-once':
        f.corruptCrc = 'once';
        break;
      case 'crc-always':
        f.corruptCrc = 'always';
        break;
      case 'garbage':
        f.garbage = true;
        break;
      case 'implausible':
        f.implausible = true;
        break;
      case 'truncate-once':
        f.truncate = 'once';
        break;
      case 'truncate-always':
        f.truncate = 'always';
        break;
      case 'wrong-command-once':
        f.wrongCommand = 'once';
        break;
      case 'wrong-command':
        f.wrongCommand = 'always';
        break;
      case 'vanish-after':
        f.vanishAfter = int();
        break;
      case 'omit': {
        const ids = (value ?? '').split('+').map((s) => Number(s));
        if (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 0 || n > 0xffff)) {
          throw new UsageError(`simulator option omit needs register ids joined by +, not ${JSON.stringify(value ?? '')}`);
        }
        f.omit = ids;
        break;
      }
      default:
        throw new UsageError(`unknown simulator option ${JSON.stringify(word)} (see multical simulate --help)`);
    }
  }
  return opts;
}

export { SIM_SPEC_HELP } from './sim-words.js';
