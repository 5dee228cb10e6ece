/**
 * Walking a log by log id (kmp-loggers.md, "Walking a log incrementally"): a span of ids is read in windows,
 * each window in pages of as many entries as the meter gives in one reply (it shortens a reply when its
 * buffer is full: the next page goes on from where that one ended), and in as few passes over the window as
 * there are register groups (a meter that cuts the registers of a reply, TRUNCATED_REGISTERS, is asked for
 * the rest in another pass). A window is handed on only when every register of every entry in it is read,
 * so a run stopped half-way leaves whole windows behind, never a gap.
 */
import type { RegisterRecord } from '../kmp/app.js';
import { MAX_LOG_COUNT } from '../kmp/logger-budget.js';
import { guessLength } from './kmp-logger-client.js';
import { HistoryError } from './kmp-logger-errors.js';

/** One entry of a log: its log id (record id for GetLog) and the registers read, in the order asked. */
export interface LogEntryRead {
  logId: number;
  records: RegisterRecord[];
}

/** What one reply gave: entries covering log ids [from, to], and the registers it held. */
export interface Page {
  entries: LogEntryRead[];
  from: number;
  to: number;
  registers: number[];
  /** The meter left registers out for lack of room (TRUNCATED_REGISTERS): ask them in another pass. */
  truncatedRegisters: boolean;
}

/** A log as the walk sees it: one request reads one end of a span [lo, hi]. */
export interface LogSource {
  /** `hourly logger`, `interval log at 0x7F`: for messages. */
  readonly label: string;
  /** How many registers one request may name and the longest reply the client can take (unstuffed body bytes). */
  readonly maxRegisters: number;
  readonly maxReplyBody: number;
  /** The largest count one request can ask (B8: 16 bits, GetLog: one byte). */
  readonly maxEntries: number;
  /** Body bytes of a reply of `entries` entries of registers with these mantissa lengths. */
  replyBody(lengths: readonly number[], entries: number): number;
  page(lo: number, hi: number, registers: readonly number[], pager: Pager): Promise<Page>;
}

/**
 * What the walk has learnt about the meter: mantissa lengths of registers, and how many entries of a
 * register group one reply holds (as the PyKMP fork does: shrink on a shortened reply, never grow again).
 */
export class Pager {
  readonly lengths = new Map<number, number>();
  private readonly limits = new Map<string, number>();

  lengthOf(id: number): number {
    return this.lengths.get(id) ?? guessLength(id);
  }

  /** Entries to ask for: what fits the client's longest reply, what the meter gave before, what is left. */
  ask(src: LogSource, registers: readonly number[], remaining: number): number {
    const fit = Math.max(
      1,
      maxLogEntriesFor(
        src,
        registers.map((id) => this.lengthOf(id)),
      ),
    );
    return Math.max(1, Math.min(remaining, fit, src.maxEntries, this.limits.get(registers.join(',')) ?? Infinity));
  }

  /** A reply with fewer entries than asked (inside the log) is the meter's limit for this group. */
  learn(registers: readonly number[], asked: number, got: number, formats: ReadonlyArray<{ id: number; length: number }>): void {
    for (const f of formats) this.lengths.set(f.id, f.length);
    if (got > 0 && got < asked) this.limits.set(registers.join(','), got);
  }

  /** The first registers of `pending` whose first entry fits one reply (at least one register). */
  group(src: LogSource, pending: readonly number[]): number[] {
    const out: number[] = [];
    for (const id of pending) {
      const next = [...out, id];
      if (
        out.length > 0 &&
        (next.length > src.maxRegisters ||
          src.replyBody(
            next.map((r) => this.lengthOf(r)),
            1,
          ) > src.maxReplyBody)
      )
        break;
      out.push(id);
    }
    return out;
  }

  /** Entries a window should hold: `pages` replies' worth for all registers. */
  window(src: LogSource, registers: readonly number[], pages: number): number {
    return pages * this.ask(src, this.group(src, registers), Number.MAX_SAFE_INTEGER);
  }
}

function maxLogEntriesFor(src: LogSource, lengths: readonly number[]): number {
  const one = src.replyBody(lengths, 1);
  if (one > src.maxReplyBody) return 1;
  const per = src.replyBody(lengths, 2) - one;
  return per <= 0 ? MAX_LOG_COUNT : 1 + Math.floor((src.maxReplyBody - one) / per);
}

export interface Block {
  /** Entries in log id order, each with every register read, in the order asked. */
  entries: LogEntryRead[];
  /** Registers the log does not hold (left out of the replies). */
  missing: number[];
}

/** Reads log ids lo … hi (inclusive) completely. */
export async function readBlock(src: LogSource, lo: number, hi: number, registers: readonly number[], pager: Pager): Promise<Block> {
  const rows = new Map<number, Map<number, RegisterRecord>>();
  const missing: number[] = [];
  let pending = [...registers];
  while (pending.length > 0) {
    const group = pager.group(src, pending);
    const pass = await readPass(src, lo, hi, group, pager, rows);
    const left = group.filter((id) => !pass.registers.includes(id));
    if (pass.registers.length === 0) {
      missing.push(...pending);
      break;
    }
    if (!pass.truncatedRegisters) missing.push(...left);
    pending = [...(pass.truncatedRegisters ? left : []), ...pending.slice(group.length)];
  }
  const entries = [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([logId, byId]) => ({ logId, records: registers.flatMap((id) => byId.get(id) ?? []) }));
  return { entries, missing };
}

async function readPass(
  src: LogSource,
  lo: number,
  hi: number,
  group: number[],
  pager: Pager,
  rows: Map<number, Map<number, RegisterRecord>>,
): Promise<{ registers: number[]; truncatedRegisters: boolean }> {
  let [a, b] = [lo, hi];
  let asked = group;
  let first: Page | undefined;
  while (a <= b) {
    const p = await src.page(a, b, asked, pager);
    if (first === undefined) {
      first = p;
      asked = p.registers;
      if (asked.length === 0) break;
    } else if (p.registers.join(',') !== asked.join(',')) {
      throw new HistoryError(
        'LOG_UNREADABLE',
        `${src.label}: a reply held registers ${p.registers.join(', ')}, ${asked.join(', ')} were asked`,
      );
    }
    for (const e of p.entries) {
      const row = rows.get(e.logId) ?? new Map<number, RegisterRecord>();
      for (const r of e.records) row.set(r.id, r);
      rows.set(e.logId, row);
    }
    if (p.to === b && p.from <= b && p.from >= a) b = p.from - 1;
    else if (p.from === a && p.to >= a && p.to <= b) a = p.to + 1;
    else throw new HistoryError('LOG_UNREADABLE', `${src.label}: a reply covered log ids ${p.from}–${p.to}, ${a}–${b} were asked`);
  }
  return { registers: first?.registers ?? [], truncatedRegisters: first?.truncatedRegisters ?? false };
}

export interface WindowWalk {
  lo: number;
  hi: number;
  registers: readonly number[];
  /** up: oldest window first (for output in time order); down: newest first (searching back in time). */
  direction: 'up' | 'down';
  /** Replies' worth of entries per window. */
  pages: number;
  /** Called with each window, entries in log id order; returning true ends the walk. */
  onWindow(block: Block): Promise<boolean | void> | boolean | void;
}

/** Reads [lo, hi] window by window; each window is whole before it is handed on. */
export async function walkWindows(src: LogSource, pager: Pager, w: WindowWalk): Promise<void> {
  let [a, b] = [w.lo, w.hi];
  while (a <= b) {
    const size = Math.max(1, pager.window(src, w.registers, w.pages));
    const [from, to] = w.direction === 'up' ? [a, Math.min(b, a + size - 1)] : [Math.max(a, b - size + 1), b];
    const block = await readBlock(src, from, to, w.registers, pager);
    if (w.direction === 'up') a = to + 1;
    else b = from - 1;
    if ((await w.onWindow(block)) === true) return;
  }
}
