/**
 * The M-Bus master's request/reply over any transport (EN 13757-2; mbus-protocol.md §1–2): one deadline per
 * attempt derived from the baud rate and the longest answer that may come, the answer matched by content
 * (E5, or a RSP_UD from the right address), the master's own echoed frame dropped, bounded retries. A
 * garbled answer — bytes that are no frame, a bad checksum: two slaves on one address, or noise — is
 * retried like silence, then reported as garbled. `probe` listens for the whole window without retrying,
 * for the scan to tell silence, one E5 and a collision apart.
 */
import type { ReadStats } from '../core/reading.js';
import { toHex } from '../core/hex.js';
// The codec's modules one by one: a run loads what reading needs, not the encoder the simulator uses.
import { MbusError, hexByte } from '../mbus/errors.js';
import { MbusFramer } from '../mbus/framer.js';
import { isRspUd, reqUd2, sndNke } from '../mbus/link.js';
import { selectSecondary, selectionMatches, type SecondaryMask } from '../mbus/secondary.js';
import { decodeTelegram, type MbusTelegram } from '../mbus/telegram.js';
import { ClientLink, abortedError, afterAttempts, lostError, writeError, type FrameLogger } from './client-link.js';
import { MeterError } from './errors.js';
import { ACK_BYTES, TELEGRAM_BYTES, firstByteMs, replyDeadlineMs } from './mbus-target.js';
import type { Verdict } from './reply-wait.js';
import type { Transport } from './transport.js';

export const MBUS_DEFAULT_BAUD = 2400;
export const MBUS_DEFAULT_RETRIES = 2;

export interface MbusClientOptions {
  /** The bus's baud rate: the deadlines follow from it. */
  baud?: number;
  /** A fixed deadline per attempt instead of the derived one (slow gateways). */
  timeoutMs?: number;
  /** Attempts after the first, on silence or a garbled answer. */
  retries?: number;
  log?: FrameLogger;
  /** Aborts any wait at once (run deadline, SIGINT). */
  signal?: AbortSignal;
}

/** What one probe brought back in its whole window. */
export interface Heard {
  /** Whole slave frames (E5, short, long), in order. */
  frames: Uint8Array[];
  /** Bytes that were no frame (echoes of our own frame not counted). */
  noise: number;
  /** Frames that failed their checksum or stop byte, or were cut off. */
  badFrames: number;
}

type Judge<T> = (frame: Uint8Array) => Verdict<T>;

export class MbusClient {
  readonly stats: ReadStats;
  readonly baud: number;
  readonly retries: number;
  private readonly timeoutMs: number | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly framer = new MbusFramer();
  private readonly link: ClientLink;

  constructor(
    private readonly transport: Transport,
    options: MbusClientOptions = {},
  ) {
    this.baud = options.baud ?? MBUS_DEFAULT_BAUD;
    this.retries = options.retries ?? MBUS_DEFAULT_RETRIES;
    this.timeoutMs = options.timeoutMs;
    this.signal = options.signal;
    this.link = new ClientLink(transport, this.framer, options.log, options.signal);
    this.stats = this.link.stats;
  }

  /** The deadline of one attempt that may be answered with up to `longestReply` bytes. */
  deadlineMs(longestReply: number): number {
    return this.timeoutMs ?? replyDeadlineMs(this.baud, longestReply);
  }

  /** SND_NKE to a primary address (or 254): the link reset, answered with E5. */
  async reset(address: number): Promise<void> {
    await this.request(sndNke(address), ACK_BYTES, `SND_NKE to ${addressText(address)}`, ackJudge);
  }

  /** Selection by secondary address (CI 0x52 to FD), answered with E5 by the one meter that matches. */
  async select(mask: SecondaryMask): Promise<void> {
    await this.request(selectSecondary(mask), ACK_BYTES, `select ${maskText(mask)}`, ackJudge);
  }

  /**
   * One REQ_UD2; a retry keeps `fcb`, so the meter repeats a telegram we lost instead of sending the next.
   * `retries` below the client's: a scan confirming a lone E5 asks once.
   */
  async requestTelegram(address: number, fcb: boolean, mask?: SecondaryMask, retries = this.retries): Promise<MbusTelegram> {
    const label = `REQ_UD2 to ${addressText(address)} (FCB ${fcb ? 1 : 0})`;
    return this.request(reqUd2(address, fcb), TELEGRAM_BYTES, label, telegramJudge(address, mask), retries);
  }

  /** A frame nobody answers (SND_NKE to FD or FF); then `settleMs` of quiet, anything heard dropped. */
  async sendNoReply(frame: Uint8Array, label: string, settleMs = firstByteMs(this.baud)): Promise<void> {
    this.stats.requests++;
    await this.listen(frame, label, settleMs);
  }

  /** Sends `frame` once and keeps everything that comes back in the whole reply window. */
  async probe(frame: Uint8Array, longestReply: number, label: string): Promise<Heard> {
    this.stats.requests++;
    const frames = await this.listen(frame, label, this.deadlineMs(longestReply));
    const s = this.framer.stats();
    return { frames, noise: s.discarded - s.echoes * frame.length, badFrames: s.badFrames };
  }

  private async listen(frame: Uint8Array, label: string, ms: number): Promise<Uint8Array[]> {
    const frames: Uint8Array[] = [];
    this.framer.reset();
    this.link.onFrame = (f) => frames.push(f);
    try {
      await this.send(frame, label);
      await this.quiet(ms, label);
      this.framer.flush(); // an unfinished frame is garbled, not pending
    } finally {
      this.link.onFrame = undefined;
    }
    return frames;
  }

  private async send(frame: Uint8Array, label: string): Promise<void> {
    if (this.signal?.aborted) throw abortedError(label, this.signal);
    if (this.link.lost) throw lostError(label, this.transport, this.link.lost);
    try {
      await this.link.write(frame);
    } catch (e) {
      throw writeError(label, this.transport, e);
    }
  }

  private quiet(ms: number, label: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        this.link.onLost = undefined;
      };
      const timer = setTimeout(() => (done(), resolve()), ms);
      const onAbort = (): void => (done(), reject(abortedError(label, this.signal)));
      this.link.onLost = (e) => (done(), reject(lostError(label, this.transport, e)));
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** One request with bounded retries; throws a MeterError naming what was awaited and how often. */
  private async request<T>(frame: Uint8Array, longestReply: number, label: string, judge: Judge<T>, retries = this.retries): Promise<T> {
    this.stats.requests++;
    const ms = this.deadlineMs(longestReply);
    let failure: MeterError | undefined;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const verdict = await this.link.attempt(frame, label, ms, judge);
      if (verdict.kind === 'answer') return verdict.value;
      failure = this.failure(verdict, label, ms, frame.length);
    }
    throw afterAttempts(failure!, retries + 1);
  }

  /** Why an attempt failed: a bad answer, a garbled one (bytes but no frame), or silence. */
  private failure(v: Verdict<unknown>, label: string, ms: number, sent: number): MeterError {
    if (v.kind === 'bad') return new MeterError('METER_BAD_REPLY', `${label}: bad reply (${v.error.message})`, { cause: v.error });
    this.framer.flush();
    const s = this.framer.stats();
    const noise = s.discarded - s.echoes * sent;
    if (s.badFrames > 0 || noise > 0) {
      const what = s.badFrames > 0 ? 'a frame with a bad checksum or stop byte, or cut off' : `${noise} bytes that are no frame`;
      const message = `${label}: garbled reply (${what}): two meters answering at once, or noise on the bus`;
      return new MeterError('METER_BAD_REPLY', message, { fields: { garbled: true, timeoutMs: ms } });
    }
    const why = v.kind === 'ignore' && v.why ? ` (${v.why})` : '';
    return new MeterError('METER_TIMEOUT', `${label}: no reply in ${ms} ms${why}`, { fields: { timeoutMs: ms } });
  }
}

const ackJudge: Judge<true> = (raw) =>
  raw.length === 1 ? { kind: 'answer', value: true } : { kind: 'ignore', why: `a ${frameName(raw)} came instead of E5` };

/** A RSP_UD from `address` (any address for FD and FE), from the selected meter when there is a mask. */
export function telegramJudge(address: number, mask?: SecondaryMask): Judge<MbusTelegram> {
  return (raw) => {
    if (raw.length === 1) return { kind: 'ignore', why: 'an E5 came instead of a RSP_UD' };
    let t: MbusTelegram;
    try {
      t = decodeTelegram(raw);
    } catch (e) {
      if (e instanceof MbusError) return { kind: 'bad', error: e };
      throw e;
    }
    // A reply to FD or FE may carry any A (mbus-protocol.md §2): the header says who answered.
    if (address <= 250 && t.address !== address) return { kind: 'ignore', why: `a reply from address ${t.address} came instead` };
    if (!isRspUd(t.control)) return bad(`C ${hexByte(t.control)} is not RSP_UD`);
    if (t.applicationError) return bad(`the meter reports an application error: ${t.applicationError.message}`);
    const h = t.header;
    if (mask && h && !selectionMatches(mask, { id: h.id, manufacturer: h.manufacturer, version: h.version, medium: h.medium.code })) {
      return bad(`the answer is from ID ${h.id} ${h.manufacturer}, which ${maskText(mask)} does not select`);
    }
    return { kind: 'answer', value: t };
  };
}

function bad(message: string): Verdict<never> {
  return { kind: 'bad', error: new MbusError('MBUS_NOT_TELEGRAM', message) };
}

function frameName(raw: Uint8Array): string {
  return raw[0] === 0x10 ? `short frame (${toHex(raw)})` : `long frame of ${raw.length} bytes`;
}

export function addressText(address: number): string {
  return address === 0xfd ? 'FD (selected meter)' : address === 0xfe ? '254 (any meter)' : `address ${address}`;
}

export function maskText(m: SecondaryMask): string {
  const fields = [
    m.manufacturer,
    m.version === undefined ? undefined : `version ${m.version}`,
    m.medium === undefined ? undefined : `medium ${m.medium}`,
  ];
  return [m.id, ...fields.filter((f) => f !== undefined)].join(' ');
}
