/**
 * What the KMP and the M-Bus client share about the transport under them: each incoming chunk counted,
 * logged and cut into frames for whoever waits (`onFrame`); the transport's loss remembered (`lost`) and
 * told to whoever waits (`onLost`); each frame sent counted and logged; one attempt — a frame sent and the
 * wait for what answers it, whatever the protocol's judge says a frame means; and the errors an attempt,
 * or a request after all its attempts, ends with.
 */
import { errorMessage } from '../core/errors.js';
import type { ReadStats } from '../core/reading.js';
import { MeterError } from './errors.js';
import { Wait, type Verdict } from './reply-wait.js';
import type { Transport } from './transport.js';

export type FrameLogger = (direction: 'tx' | 'rx', bytes: Uint8Array) => void;

/** A protocol's framer, as the link uses it: whole frames out of chunks, and how many bytes wait for more. */
interface ReplyFramer {
  push(chunk: Uint8Array): Uint8Array[];
  reset(): void;
  pending(): number;
}

export class ClientLink {
  readonly stats: ReadStats = { requests: 0, attempts: 0, bytesSent: 0, bytesReceived: 0 };
  /** The waiting attempt's handler of a whole frame. */
  onFrame: ((frame: Uint8Array) => void) | undefined;
  /** The waiting attempt's handler of the transport's loss. */
  onLost: ((e: Error) => void) | undefined;
  /** Why the transport went away, once it has. */
  lost: Error | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly framer: ReplyFramer,
    private readonly log: FrameLogger | undefined,
    /** Aborts any wait at once (run deadline, SIGINT). */
    private readonly signal: AbortSignal | undefined,
  ) {
    transport.setReceiver((chunk) => {
      this.stats.bytesReceived += chunk.length;
      this.log?.('rx', chunk);
      for (const frame of framer.push(chunk)) this.onFrame?.(frame);
    });
    transport.onLost((e) => {
      this.lost = e;
      this.onLost?.(e);
    });
  }

  /** One attempt's frame onto the transport, counted and logged. */
  write(frame: Uint8Array): Promise<void> {
    this.stats.attempts++;
    this.stats.bytesSent += frame.length;
    this.log?.('tx', frame);
    return this.transport.write(frame);
  }

  /** One frame sent, and the wait for what answers it: one deadline of `ms` from the last byte sent, settled once. */
  attempt<T>(frame: Uint8Array, label: string, ms: number, judge: (raw: Uint8Array) => Verdict<T>): Promise<Verdict<T>> {
    return new Promise<Verdict<T>>((resolve, reject) => {
      const wait = new Wait<T>(resolve, reject, () => {
        this.onFrame = undefined;
        this.onLost = undefined;
        this.signal?.removeEventListener('abort', onAbort);
      });
      const onAbort = (): void => wait.fail(abortedError(label, this.signal));
      const onLost = (e: Error): void => wait.lost(lostError(label, this.transport, e));
      if (this.signal?.aborted) return onAbort();
      if (this.lost) return onLost(this.lost);
      this.signal?.addEventListener('abort', onAbort, { once: true });
      this.onLost = onLost;
      this.framer.reset();
      this.onFrame = (raw) => {
        try {
          wait.frame(judge(raw), () => this.framer.pending() > 0);
        } catch (e) {
          wait.fail(e);
        }
      };
      this.write(frame).then(
        () => wait.start(ms, () => this.framer.pending()),
        (e: unknown) => wait.fail(writeError(label, this.transport, e)),
      );
    });
  }
}

export function abortedError(label: string, signal: AbortSignal | undefined): MeterError {
  return new MeterError('METER_ABORTED', `stopped while waiting for the reply to ${label}`, { cause: signal?.reason });
}

export function lostError(label: string, transport: Transport, e: Error): MeterError {
  return new MeterError('METER_LOST', `${label}: ${transport.name} went away (${e.message})`, { cause: e });
}

export function writeError(label: string, transport: Transport, e: unknown): MeterError {
  return new MeterError('METER_WRITE', `${label}: could not write to ${transport.name} (${errorMessage(e)})`, { cause: e });
}

/** The last attempt's failure, saying how many attempts there were. */
export function afterAttempts(last: MeterError, attempts: number): MeterError {
  return new MeterError(last.code, `${last.message}, ${attempts} attempt${attempts === 1 ? '' : 's'}`, {
    cause: last.cause,
    fields: { ...last.fields, attempts },
  });
}
