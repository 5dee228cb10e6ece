/**
 * What the service knows about each meter, and nothing it has not read: the last good read (its
 * readings, its time, who the meter is), the last error, and counters of reads and pushes. HTTP clients
 * read from here and never cause a meter request. A read older than STALE_INTERVALS intervals is stale.
 */
import type { MulticalError } from '../core/errors.js';
import type { MeterIdentity, Reading } from '../core/reading.js';

/** A meter's last good read stays fresh for this many read intervals (a missed read or two is fine). */
export const STALE_INTERVALS = 2.5;

export interface Outcome {
  ok: number;
  failed: number;
}

export interface MeterStatus {
  name: string;
  intervalMs: number;
  last?: { at: Date; readings: Reading[]; identity?: MeterIdentity | undefined };
  lastError?: { at: Date; code: string; message: string };
  reads: Outcome;
  pushes: Record<string, Outcome>;
}

export class StatusBoard {
  private readonly meters = new Map<string, MeterStatus>();

  constructor(meters: ReadonlyArray<{ name: string; intervalMs: number }>) {
    this.configure(meters);
  }

  /** The meters after a reload: a meter that stays keeps what is known of it; one that went is forgotten. */
  configure(meters: ReadonlyArray<{ name: string; intervalMs: number }>): void {
    const before = new Map(this.meters);
    this.meters.clear();
    for (const m of meters) {
      const old = before.get(m.name);
      this.meters.set(
        m.name,
        old ? { ...old, intervalMs: m.intervalMs } : { name: m.name, intervalMs: m.intervalMs, reads: { ok: 0, failed: 0 }, pushes: {} },
      );
    }
  }

  list(): MeterStatus[] {
    return [...this.meters.values()];
  }

  get(name: string): MeterStatus | undefined {
    return this.meters.get(name);
  }

  /** A read that gave readings (some registers may have failed: those keep no old value). */
  read(name: string, at: Date, readings: Reading[], identity?: MeterIdentity): void {
    const m = this.need(name);
    m.last = { at, readings, identity: identity ?? m.last?.identity };
    m.reads.ok++;
  }

  failure(name: string, at: Date, error: MulticalError): void {
    const m = this.need(name);
    m.lastError = { at, code: error.code, message: error.message };
    m.reads.failed++;
  }

  push(name: string, sink: string, ok: boolean, at: Date, error?: MulticalError): void {
    const m = this.need(name);
    const o = (m.pushes[sink] ??= { ok: 0, failed: 0 });
    if (ok) o.ok++;
    else o.failed++;
    if (error) m.lastError = { at, code: error.code, message: error.message };
  }

  /** Whether the meter's last good read is younger than STALE_INTERVALS intervals. */
  fresh(m: MeterStatus, now: Date): boolean {
    return m.last !== undefined && now.getTime() - m.last.at.getTime() < STALE_INTERVALS * m.intervalMs;
  }

  private need(name: string): MeterStatus {
    const m = this.meters.get(name);
    if (!m) throw new RangeError(`no meter ${name} on the board`);
    return m;
  }
}
