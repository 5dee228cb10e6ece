/**
 * A simulated MULTICAL heat meter that speaks KMP: GetType, GetSerialNo and GetRegister answered from
 * the clock-driven register table, its loggers (CID 0xB8, or GetLog at 0x7F) by kmp-loggers.ts, with the
 * faults of faults.ts. `reply()` decides the bytes of one
 * answer and has no timing; `serve()` puts the meter on a transport with wire.ts.
 */
import { Decimal } from '../core/decimal.js';
import { CID_LOGGER, Cid, decodeGetRegisterRequest, encodeGetSerialNoReply, encodeGetTypeReply, encodeRegisterRecord } from '../kmp/app.js';
import { crc16 } from '../kmp/crc.js';
import { KmpError } from '../kmp/errors.js';
import { HEAT_METER_ADDRESS, START_FROM_METER, START_TO_METER, STOP, decodeFrame, encodeFrame, type Frame } from '../kmp/frame.js';
import { Framer } from '../kmp/framer.js';
import { unitCode } from '../kmp/registers.js';
import { stuff } from '../kmp/stuffing.js';
import type { Transport } from '../meter/transport.js';
import { FaultPlan, concat, noise, nonsenseRecord, truncated, type SimFaults } from './faults.js';
import type { LoggerSimOptions, SimLoggers } from './kmp-loggers.js';
import { buildRegisters, type EnergyUnit, type Generator } from './kmp-registers.js';
import type { SimOptions } from './spec.js';
import { serve, type Served } from './wire.js';

/** The loggers' simulation, once a meter of this process was asked for its logs (then every meter has it at hand). */
let loggersClass: typeof SimLoggers | undefined;

interface Settings {
  echo: boolean;
  latencyMs: number;
  baud: number;
  faults: SimFaults;
  energyUnit: EnergyUnit;
  serialNo: number;
  meterType: number;
  infoCode: number;
  now: () => number;
  random: () => number;
}

export class KmpSimulator {
  readonly options: Settings;
  private readonly registers: Map<number, Generator>;
  private readonly plan: FaultPlan;
  /** The meter's own history: its loggers (CID 0xB8) or a 601 logger module (GetLog at 0x7F), loaded by the first logger request. */
  private loggers: SimLoggers | undefined;
  private readonly loggerOptions: LoggerSimOptions | undefined;
  /** Requests received (whole frames, echo and faults included); tests and benchmarks read it. */
  requestsSeen = 0;
  requestLog: Frame[] = [];

  constructor(options: SimOptions = {}) {
    this.options = {
      echo: options.echo ?? false,
      latencyMs: options.latencyMs ?? 0,
      baud: options.baud ?? 0,
      faults: options.faults ?? {},
      energyUnit: options.energyUnit ?? 'MWh',
      serialNo: options.serialNo ?? 19088743,
      meterType: options.meterType ?? 0x0004,
      infoCode: options.infoCode ?? 0,
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
    this.registers = buildRegisters(this.options.energyUnit, this.options.serialNo, this.options.infoCode);
    this.plan = new FaultPlan(this.options.faults);
    this.loggerOptions = options.loggers;
  }

  knows(id: number): boolean {
    return this.registers.has(id);
  }

  /** The bytes the meter sends back for one request frame (echo excluded), or null for silence. Logger requests need loadLoggers() first. */
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
    if (frame.direction !== 'toMeter') return null;
    return this.replyTo(frame);
  }

  /** Loads the meter's loggers: the first logger request does it when served, so a run that reads registers never does. */
  async loadLoggers(): Promise<this> {
    loggersClass ??= (await import('./kmp-loggers.js')).SimLoggers;
    this.logs();
    return this;
  }

  private logs(): SimLoggers {
    if (!loggersClass) throw new Error('the simulated meter was asked for its logs before loadLoggers()');
    return (this.loggers ??= new loggersClass(this.registers, this.options.now, this.loggerOptions));
  }

  private replyTo(frame: Frame): Uint8Array | null {
    // Only a logger module (a 601's, `logger=module`) answers at another address.
    const moduleAsked = frame.destination !== HEAT_METER_ADDRESS;
    if (moduleAsked && (this.loggerOptions?.model !== 'module' || !this.logs().answersAt(frame.destination))) return null;
    if (this.plan.silent(this.requestsSeen)) return null;
    const answer = this.answer(frame);
    if (answer === null) return null;
    const reply: Frame = { direction: 'fromMeter', destination: frame.destination, ...answer };
    let bytes = this.plan.fires('corruptCrc') ? encodeWithBadCrc(reply) : encodeFrame(reply);
    if (this.plan.fires('truncate')) bytes = truncated(bytes);
    if (this.options.faults.garbage) bytes = concat(noise(this.options.random, [START_FROM_METER, START_TO_METER]), bytes);
    return bytes;
  }

  /** Puts the meter on `transport` with its echo, latency and wire pacing. */
  serve(transport: Transport): Served {
    const o = this.options;
    // A request to the loggers (CID 0xB8, or a logger module's address) loads them first; the byte after the start byte is the address.
    const forLoggers = (r: Uint8Array): boolean =>
      (r[1] !== HEAT_METER_ADDRESS && this.loggerOptions?.model === 'module') || r[2] === CID_LOGGER;
    const reply = async (r: Uint8Array): Promise<Uint8Array | null> => {
      if (!loggersClass && forLoggers(r)) await this.loadLoggers();
      return this.reply(r);
    };
    const device = { splitter: () => new Framer('toMeter'), reply };
    return serve(device, transport, { echo: o.echo, latencyMs: o.latencyMs, baud: o.baud, vanishAfter: o.faults.vanishAfter });
  }

  private answer(frame: Frame): { cid: number; data: Uint8Array } | null {
    const typeReply = (): Uint8Array => encodeGetTypeReply({ type: this.options.meterType, letter: 6, number: 1 });
    if (frame.destination !== HEAT_METER_ADDRESS) return this.logs().answerModule(frame.cid, frame.data);
    switch (frame.cid) {
      case Cid.GetType:
        return { cid: Cid.GetType, data: typeReply() };
      case Cid.GetSerialNo:
        return { cid: Cid.GetSerialNo, data: encodeGetSerialNoReply(this.options.serialNo) };
      case Cid.GetRegister: {
        const data = this.registerReply(frame.data);
        if (data === null) return null;
        return this.plan.fires('wrongCommand') ? { cid: Cid.GetType, data: typeReply() } : { cid: Cid.GetRegister, data };
      }
      case CID_LOGGER: {
        const log = this.logs().answerB8(frame.cid, frame.data);
        return log && this.plan.fires('wrongCommand') ? { cid: Cid.GetType, data: typeReply() } : log;
      }
      default:
        return null;
    }
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
      if (id === 60 && this.options.faults.nonsense) {
        parts.push(nonsenseRecord(this.options.faults.nonsense, id));
        continue;
      }
      const v = id === 86 && this.options.faults.implausible ? { unit: '°C', value: Decimal.of(100000, -2) } : gen(t);
      parts.push(encodeRegisterRecord({ id, unitCode: unitCode(v.unit), value: v.value }));
    }
    return concat(...parts);
  }
}

/** A frame whose CRC is wrong by one bit, stuffed like any other: only the check fails, never the framing. */
function encodeWithBadCrc(frame: Frame): Uint8Array {
  const body = Uint8Array.of(frame.destination, frame.cid, ...frame.data, 0, 0);
  const crc = crc16(body, 0, body.length - 2) ^ 0x0001;
  body[body.length - 2] = crc >> 8;
  body[body.length - 1] = crc & 0xff;
  return Uint8Array.of(START_FROM_METER, ...stuff(body), STOP);
}
