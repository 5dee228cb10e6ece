/**
 * One `history` run on an open link: open the log, choose its registers and span (from the options, or
 * from the state of the last --new run), walk it window by window in log id order, and print each window.
 * With --csv the state is saved after each window is out, so a run stopped half-way (deadline, signal)
 * leaves only whole windows printed and remembered; the table is printed, and then saved, at the end.
 */
import { StopError } from '../../core/errors.js';
import { statsText } from '../../core/reading.js';
import { B8_LOGGERS, KmpLoggerClient } from '../../meter/kmp-logger-client.js';
import { HistoryError } from '../../meter/kmp-logger-errors.js';
import { LoggerLink, type LoggerLinkOptions } from '../../meter/kmp-logger-link.js';
import { openB8, openGetLog, type OpenLog } from '../../meter/kmp-logger-open.js';
import { checkMark, markOf, planSpan, type Span as LogSpan } from '../../meter/kmp-logger-span.js';
import { Pager, walkWindows, type LogEntryRead } from '../../meter/kmp-logger-walk.js';
import type { Transport } from '../../meter/transport.js';
import type { Context } from '../context.js';
import { DEFAULT_LAST, type HistoryPlan, type Span } from './history-options.js';
import { loadState, saveState, stateName, type HistoryState } from './history-state.js';
import { columnsFor, csvHeader, csvRows, historyDoc, rowOf, settleUnits, table, type Column, type Row } from './history-view.js';

/** Registers that make an entry's time stamp (logger-time.ts): shown as the time column, not as values. */
const STAMPS = [348, 1003, 1002];
/** GetLog has no configuration: what an interval log is asked for when no registers are given. */
const INTERVAL_VALUES = [60, 68, 86, 87, 1004];
/** Replies' worth of entries per window: the checkpoint of a long --new run. */
const WINDOW_PAGES = 8;

export type LinkSettings = Pick<LoggerLinkOptions, 'timeoutMs' | 'retries' | 'baud' | 'bitsPerByte'>;

interface Opened {
  log: OpenLog;
  /** Registers asked for: the time stamp registers first, then the values. */
  request: number[];
  values: number[];
  /** Whether the log holds a time stamp register (B8: known from its configuration). */
  stamped: boolean;
}

export async function runHistory(
  ctx: Context,
  plan: HistoryPlan,
  settings: LinkSettings,
  transport: Transport,
  dir: string | undefined,
): Promise<void> {
  const link = new LoggerLink(transport, { ...settings, signal: ctx.signal, log: (d, b) => ctx.log.frame(d, b) });
  const client = new KmpLoggerClient(link);
  try {
    // --new keys its state on the meter's serial number; asking it first also tells a silent meter at once.
    const serial = plan.incremental ? String(await client.serialNo()) : undefined;
    const opened = await openFor(client, plan);
    const { log } = opened;
    ctx.log.verbose(`history: the ${log.source.label} holds ${log.empty ? 'no entries' : `log ids ${log.oldest}–${log.newest}`}`);
    await new HistoryRun(ctx, plan, opened, serial, dir).run();
  } catch (e) {
    if (!(e instanceof HistoryError) || e.code !== ('LOG_CHANGED' as string) || !plan.incremental) throw e;
    throw new HistoryError('LOG_CHANGED', `${e.message}; once the meter is checked, start over with --new --restart`, { cause: e });
  } finally {
    ctx.log.verbose(`meter: ${statsText(client.stats)}`);
  }
}

async function openFor(client: KmpLoggerClient, plan: HistoryPlan): Promise<Opened> {
  if (plan.logger === 'interval') {
    const values = plan.registers ?? INTERVAL_VALUES;
    const request = [...new Set([1003, 1002, ...values])];
    return { log: await openGetLog(client, 1, request), request, values, stamped: true };
  }
  const log = await openB8(client, B8_LOGGERS[plan.logger]);
  const logged = log.configuration!.registers;
  const stamps = logged.includes(348) ? [348] : logged.includes(1003) ? [1003, ...(logged.includes(1002) ? [1002] : [])] : [];
  const values = plan.registers ?? logged.filter((id) => !STAMPS.includes(id));
  const absent = values.filter((id) => !logged.includes(id));
  if (absent.length > 0) {
    const which = `register${absent.length === 1 ? '' : 's'} ${absent.join(', ')}`;
    throw new HistoryError('NOT_LOGGED', `the ${log.source.label} does not hold ${which}; it holds ${logged.join(', ')}`);
  }
  return { log, request: [...new Set([...stamps, ...values])], values, stamped: stamps.length > 0 };
}

class HistoryRun {
  private readonly pager = new Pager();
  private readonly columns: Column[];
  private readonly rows: Row[] = [];
  private readonly missing = new Set<number>();
  private readonly stored: HistoryState | undefined;
  private readonly name: string | undefined;
  private headerDue: boolean;
  private last: LogEntryRead | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly plan: HistoryPlan,
    private readonly o: Opened,
    private readonly serial: string | undefined,
    private readonly dir: string | undefined,
  ) {
    this.name = serial === undefined ? undefined : stateName(serial, plan.logger, o.log.address);
    this.stored = this.name !== undefined && !plan.restart ? loadState(dir!, this.name) : undefined;
    this.columns = columnsFor(o.values, this.stored?.units);
    this.headerDue = plan.format === 'csv' && (plan.header ?? this.stored === undefined);
  }

  private get label(): string {
    return this.o.log.source.label;
  }

  async run(): Promise<void> {
    const was = this.stored?.configuration;
    const now = this.o.log.configuration?.registers;
    if (was !== undefined && now !== undefined && was.join(',') !== now.join(',')) {
      throw new HistoryError(
        'LOG_CHANGED',
        `the ${this.label} was reconfigured since the last run: it held registers ${was.join(', ')}, now ${now.join(', ')}`,
      );
    }
    if (this.o.log.empty) this.ctx.io.stderr(`note: the ${this.label} is empty\n`);
    if (this.plan.span?.kind === 'dates' && this.stored === undefined) await this.readDates(this.plan.span);
    else await this.readSpan();
    await this.finish();
  }

  private spanWanted(): LogSpan {
    if (this.stored !== undefined) return { kind: 'after', mark: this.stored.mark };
    if (this.plan.span?.kind === 'last') return this.plan.span;
    return this.plan.incremental ? { kind: 'all' } : { kind: 'last', count: DEFAULT_LAST[this.plan.logger] };
  }

  private async readSpan(): Promise<void> {
    const log = this.o.log;
    const p = planSpan({ label: this.label, ...log }, this.spanWanted());
    if (p.lost) {
      const n = p.lost.to - p.lost.from + 1;
      this.ctx.io.stderr(
        `warning: log ids ${p.lost.from}–${p.lost.to} of the ${this.label} were overwritten before a run read them (${n} lost)\n`,
      );
    }
    if (p.lo > p.hi && this.stored !== undefined)
      this.ctx.io.stderr(`note: nothing new in the ${this.label} since log id ${this.stored.mark.logId}\n`);
    this.ctx.log.verbose(`history: reading log ids ${p.lo}–${p.hi}, registers ${this.o.request.join(', ')}`);
    let reread = p.reread;
    await walkWindows(log.source, this.pager, {
      lo: p.lo,
      hi: p.hi,
      registers: this.o.request,
      direction: 'up',
      pages: WINDOW_PAGES,
      onWindow: async (block) => {
        let entries = block.entries;
        if (reread !== undefined) {
          checkMark(this.label, reread, entries[0]);
          entries = entries.slice(1);
          reread = undefined;
        }
        await this.emit(entries, block.missing);
      },
    });
  }

  /** --from/--to: back from the newest entry until one is older than --from, then the entries between. */
  private async readDates(span: Extract<Span, { kind: 'dates' }>): Promise<void> {
    if (!this.o.stamped) {
      throw new HistoryError(
        'NOT_LOGGED',
        `the ${this.label} holds no time stamp (register 348 or 1003): --from/--to need one; use --last`,
      );
    }
    const picked: LogEntryRead[] = [];
    const missing = new Set<number>();
    const log = this.o.log;
    const timeOf = (e: LogEntryRead | undefined): string | undefined => (e === undefined ? undefined : rowOf(e).row.time?.local);
    if (!log.empty) {
      const walk = { lo: log.oldest, hi: log.newest, registers: this.o.request, direction: 'down' as const, pages: 1 };
      await walkWindows(log.source, this.pager, {
        ...walk,
        onWindow: (block) => {
          picked.unshift(...block.entries);
          block.missing.forEach((id) => missing.add(id));
          const t = timeOf(block.entries[0]);
          return span.from !== undefined && t !== undefined && t < span.from;
        },
      });
    }
    const undated = picked.filter((e) => timeOf(e) === undefined).length;
    if (undated > 0) this.ctx.io.stderr(`note: ${undated} entries without a time stamp left out\n`);
    const within = (t: string | undefined): boolean =>
      t !== undefined && (span.from === undefined || t >= span.from) && (span.to === undefined || t <= span.to);
    await this.emit(
      picked.filter((e) => within(timeOf(e))),
      [...missing],
    );
  }

  private async emit(entries: LogEntryRead[], missing: readonly number[]): Promise<void> {
    for (const id of missing.filter((m) => this.o.values.includes(m) && !this.missing.has(m))) {
      this.missing.add(id);
      this.ctx.io.stderr(`note: the ${this.label} left out register ${id} (${columnsFor([id])[0]!.name}): its column is empty\n`);
    }
    const rows = entries.map((e) => {
      const r = rowOf(e);
      if (r.warning !== undefined) this.ctx.io.stderr(`warning: ${r.warning}\n`);
      return r.row;
    });
    settleUnits(this.label, this.columns, rows);
    if (entries.length > 0) this.last = entries[entries.length - 1];
    if (this.plan.format !== 'csv') {
      this.rows.push(...rows);
      return;
    }
    const text = (this.headerDue ? csvHeader(this.columns) : '') + csvRows(this.columns, rows);
    this.headerDue = false;
    if (text !== '') await this.print(text);
    if (this.plan.incremental && this.last !== undefined) this.save(this.last);
  }

  private async finish(): Promise<void> {
    if (this.plan.format === 'csv' && this.headerDue) {
      this.headerDue = false;
      await this.print(csvHeader(this.columns));
    }
    if (this.plan.format === 'table' && this.rows.length > 0) await this.print(table(this.columns, this.rows, (s) => this.ctx.out.bold(s)));
    if (this.plan.format === 'json') this.ctx.report(this.doc());
    if (!this.plan.incremental) return;
    if (this.plan.format === 'table' && this.last !== undefined) this.save(this.last);
    // An empty log on the first run is remembered too, so the CSV header is not written again.
    if (this.stored === undefined && this.o.log.empty) this.save(undefined);
  }

  private doc(): Record<string, unknown> {
    const { log } = this.o;
    const hex = `0x${log.address.toString(16).toUpperCase()}`;
    const source =
      log.family === 'b8'
        ? { command: 'B8', address: hex, type: B8_LOGGERS[this.plan.logger as keyof typeof B8_LOGGERS] }
        : { command: 'GetLog A2', address: hex, lid: 1 };
    const meta = {
      logger: this.plan.logger,
      source,
      serial: this.serial,
      oldestLogId: log.oldest,
      newestLogId: log.newest,
      missing: [...this.missing],
    };
    return historyDoc(meta, this.columns, this.rows);
  }

  /** Output first: it must have left this process before the state says it was printed. */
  private async print(text: string): Promise<void> {
    this.ctx.io.stdout(text);
    await new Promise((resolve) => setImmediate(resolve));
    const reason: unknown = this.ctx.signal.reason;
    if (this.ctx.signal.aborted) throw reason instanceof Error ? reason : new StopError('CLOSED', 'the output was closed');
  }

  private save(entry: LogEntryRead | undefined): void {
    const units: Record<string, string> = {};
    for (const c of this.columns) if (c.unit !== undefined) units[String(c.id)] = c.unit;
    const configuration = this.o.log.configuration?.registers;
    saveState(this.dir!, this.name!, {
      version: 1,
      serial: this.serial!,
      logger: this.plan.logger,
      address: this.o.log.address,
      ...(configuration ? { configuration } : {}),
      mark: entry === undefined ? { logId: 0, values: {} } : markOf(entry),
      units,
      savedAt: new Date().toISOString(),
    });
  }
}
