/** Deadline for one attempt: from the request's last byte to the reply's stop byte. */
import {
  CID_NAMES,
  Cid,
  MAX_REGISTERS_PER_REQUEST,
  decodeGetSerialNoReply,
  decodeGetTypeReply,
  decodeRegisterRecords,
  encodeGetRegisterRequest,
  type MeterType,
  type RegisterRecord,
} from '../kmp/app.js';
import type { ReadStats } from '../core/reading.js';
import { KmpError } from '../kmp/errors.js';
import { HEAT_METER_ADDRESS, decodeFrame, encodeFrame } from '../kmp/frame.js';
import { Framer } from '../kmp/framer.js';
import { hex16, toHex } from '../core/hex.js';
import { ClientLink, afterAttempts, type FrameLogger } from './client-link.js';
import { MeterError } from './errors.js';
import type { Transport } from './transport.js';
import type { Verdict } from './reply-wait.js';

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_RETRIES = 2;

export interface ClientOptions {
  timeoutMs?: number;
  /** Attempts after the first, on no reply or a bad reply. Bounded: the meter runs on a battery. */
  retries?: number;
  destination?: number;
  log?: FrameLogger;
  /** Aborts any wait at once (run deadline, SIGINT). */
  signal?: AbortSignal;
}

export interface RegisterReadResult {
  /** Records the meter sent, by register id. */
  records: Map<number, RegisterRecord>;
  /** Ids the meter left out of its reply: it does not know them. */
  missing: number[];
  /** Ids whose request failed (no reply, bad reply), with the reason. */
  failed: Array<{ ids: number[]; error: MeterError }>;
}

/**
 * KMP request/reply over any transport: one deadline per attempt, the reply matched by content
 * (start byte 40, CRC, address, command, and for GetRegister only requested ids), echoes and noise
 * skipped, bounded retries.
 */
export class KmpClient {
  readonly stats: ReadStats;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly destination: number;
  private readonly framer = new Framer('fromMeter');
  private readonly link: ClientLink;

  constructor(transport: Transport, options: ClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = options.retries ?? DEFAULT_RETRIES;
    this.destination = options.destination ?? HEAT_METER_ADDRESS;
    this.link = new ClientLink(transport, this.framer, options.log, options.signal);
    this.stats = this.link.stats;
  }

  async getType(): Promise<MeterType> {
    return this.request(Cid.GetType, new Uint8Array(0), 'GetType', (data) => decodeGetTypeReply(data));
  }

  async getSerialNo(): Promise<number> {
    return this.request(Cid.GetSerialNo, new Uint8Array(0), 'GetSerialNo', (data) => decodeGetSerialNoReply(data));
  }

  /** Reads registers in ceil(N/8) requests; each id once however often it is asked for. */
  async readRegisters(ids: readonly number[]): Promise<RegisterReadResult> {
    const unique = [...new Set(ids)];
    const result: RegisterReadResult = { records: new Map(), missing: [], failed: [] };
    for (let i = 0; i < unique.length; i += MAX_REGISTERS_PER_REQUEST) {
      const batch = unique.slice(i, i + MAX_REGISTERS_PER_REQUEST);
      const gone = result.failed.find((f) => f.error.code === 'METER_TIMEOUT' || f.error.code === 'METER_LOST');
      if (gone) {
        // A meter that did not answer at all is not asked again in this run: it saves its battery
        // and keeps the run short. Later batches are reported as not read, for that reason.
        const error = new MeterError(
          gone.error.code,
          `GetRegister ${batch.join(', ')}: not sent, the meter stopped answering (${gone.error.message})`,
          {
            cause: gone.error,
            fields: { skipped: true },
          },
        );
        result.failed.push({ ids: batch, error });
        continue;
      }
      try {
        const records = await this.getRegisters(batch);
        for (const r of records) result.records.set(r.id, r);
        for (const id of batch) if (!result.records.has(id)) result.missing.push(id);
      } catch (e) {
        if (!(e instanceof MeterError) || e.code === 'METER_ABORTED') throw e;
        result.failed.push({ ids: batch, error: e });
      }
    }
    return result;
  }

  /** One GetRegister request for up to 8 registers. */
  async getRegisters(ids: readonly number[]): Promise<RegisterRecord[]> {
    const data = encodeGetRegisterRequest(ids);
    const wanted = new Set(ids);
    return this.request(Cid.GetRegister, data, `GetRegister ${ids.join(', ')}`, (reply) => {
      const records = decodeRegisterRecords(reply);
      const stranger = records.find((r) => !wanted.has(r.id));
      if (stranger) return { ignore: `register ${hex16(stranger.id)} was not asked for` };
      return records;
    });
  }

  /**
   * Sends one request and waits for the frame that answers it. `decode` turns reply data into a value,
   * throws a KmpError for a malformed reply, or returns `{ignore}` for a frame that answers something else.
   */
  async request<T>(cid: number, data: Uint8Array, what: string, decode: (data: Uint8Array) => T | { ignore: string }): Promise<T> {
    this.stats.requests++;
    const frame = encodeFrame({ direction: 'toMeter', destination: this.destination, cid, data });
    const label = `${what} to ${hex2(this.destination)}`;
    let lastFailure: MeterError | undefined;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      const verdict = await this.link.attempt(frame, label, this.timeoutMs, (raw) => this.judge(raw, cid, decode));
      if (verdict.kind === 'answer') return verdict.value;
      if (verdict.kind === 'bad') {
        lastFailure = new MeterError('METER_BAD_REPLY', `${label}: bad reply (${verdict.error.message})`, {
          cause: verdict.error,
          fields: { ...verdict.error.fields, attempts: attempt + 1 },
        });
      } else {
        lastFailure = new MeterError(
          'METER_TIMEOUT',
          `${label}: no reply in ${this.timeoutMs} ms${verdict.why ? ` (${verdict.why})` : ''}`,
          {
            fields: { attempts: attempt + 1, timeoutMs: this.timeoutMs },
          },
        );
      }
    }
    throw afterAttempts(lastFailure!, this.retries + 1);
  }

  /** What a received frame means for the request `cid`: its answer, a bad reply, or another command's. */
  private judge<T>(raw: Uint8Array, cid: number, decode: Decode<T>): Verdict<T> {
    try {
      const f = decodeFrame(raw);
      if (f.destination !== this.destination) {
        throw new KmpError('KMP_ADDRESS', `reply from address ${hex2(f.destination)}, ${hex2(this.destination)} expected`, {
          expected: this.destination,
          actual: f.destination,
        });
      }
      // A reply to something else: keep waiting for ours.
      if (f.cid !== cid) return { kind: 'ignore', why: `a ${CID_NAMES[f.cid] ?? 'command ' + hex2(f.cid)} reply came instead` };
      const value = decode(f.data);
      return isIgnore(value) ? { kind: 'ignore', why: value.ignore } : { kind: 'answer', value };
    } catch (e) {
      if (e instanceof KmpError) return { kind: 'bad', error: e };
      throw e;
    }
  }
}

type Decode<T> = (data: Uint8Array) => T | { ignore: string };

function isIgnore(v: unknown): v is { ignore: string } {
  return typeof v === 'object' && v !== null && 'ignore' in v && !Array.isArray(v);
}

function hex2(n: number): string {
  return '0x' + toHex(Uint8Array.of(n));
}
