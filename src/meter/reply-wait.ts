/**
 * The wait for one reply to one request, whatever the protocol: settled once — by the answer, by the
 * deadline, by a failure, or, after a bad frame, by the first of a good frame right behind it and a short
 * quiet spell, so that a valid reply that follows a corrupt frame in the same burst is not thrown away.
 */
import type { MulticalError } from '../core/errors.js';

export type Verdict<T> = { kind: 'answer'; value: T } | { kind: 'bad'; error: MulticalError } | { kind: 'ignore'; why: string };

/** How long a bad frame waits for a good one right behind it (same burst) before it is the verdict. */
const BAD_FRAME_GRACE_MS = 20;

export class Wait<T> {
  private timer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private settled = false;
  private bad: Verdict<T> | undefined;
  private ignored = '';

  constructor(
    private readonly resolve: (v: Verdict<T>) => void,
    private readonly reject: (e: Error) => void,
    private readonly cleanup: () => void,
  ) {}

  /** The request is on the wire: the deadline starts now. */
  start(timeoutMs: number, pending: () => number): void {
    if (this.settled) return;
    this.timer = setTimeout(() => {
      const partial = pending();
      this.settle(this.bad ?? { kind: 'ignore', why: this.ignored || (partial > 0 ? `${partial} bytes of an unfinished reply` : '') });
    }, timeoutMs);
  }

  frame(v: Verdict<T>, moreComing: () => boolean): void {
    if (this.settled) return;
    if (v.kind === 'answer') return this.settle(v);
    if (v.kind === 'ignore') {
      this.ignored = v.why;
      return;
    }
    this.bad ??= v;
    const check = (): void => {
      if (moreComing()) this.graceTimer = setTimeout(check, BAD_FRAME_GRACE_MS);
      else this.settle(this.bad!);
    };
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(check, BAD_FRAME_GRACE_MS);
  }

  /** The link went away: a bad reply already received is still this attempt's verdict. */
  lost(e: Error): void {
    if (this.bad) this.settle(this.bad);
    else this.fail(e);
  }

  fail(e: unknown): void {
    if (this.settled) return;
    this.done();
    this.reject(e instanceof Error ? e : new Error(String(e)));
  }

  private settle(v: Verdict<T>): void {
    if (this.settled) return;
    this.done();
    this.resolve(v);
  }

  private done(): void {
    this.settled = true;
    clearTimeout(this.timer);
    clearTimeout(this.graceTimer);
    this.cleanup();
  }
}
