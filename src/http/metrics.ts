/**
 * Prometheus metrics (text exposition through prom-client) from the status board: one gauge per
 * quantity with `meter`, `unit` and `register` labels for each fresh reading (a stale meter's readings
 * are dropped, never shown as current), each info-code flag as a 0/1 gauge, read and push outcomes as
 * counters, and the time of each meter's last good read.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { alarmFlags } from '../kmp/info-code.js';
import type { MeterStatus, StatusBoard } from './board.js';

const READING_LABELS = ['meter', 'unit', 'register', 'storage', 'tariff', 'function'] as const;

function metricName(quantity: string): string {
  return `multical_${quantity
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '')}`;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly gauges = new Map<string, Gauge<(typeof READING_LABELS)[number]>>();
  private readonly reads = new Counter({
    name: 'multical_reads_total',
    help: 'meter reads, by result',
    labelNames: ['meter', 'result'],
    registers: [],
  });
  private readonly pushes = new Counter({
    name: 'multical_pushes_total',
    help: 'pushes to a sink (domoticz, mqtt), by result',
    labelNames: ['meter', 'sink', 'result'],
    registers: [],
  });
  private readonly lastSuccess = new Gauge({
    name: 'multical_last_success_timestamp_seconds',
    help: "the time of the meter's last good read (Unix seconds)",
    labelNames: ['meter'],
    registers: [],
  });
  private readonly flags = new Gauge({
    name: 'multical_info_flag',
    help: "the meter's info code flags: 1 while set",
    labelNames: ['meter', 'flag'],
    registers: [],
  });
  /** Counter values already exported, to increment by the difference. */
  private readonly counted = new Map<string, number>();

  constructor(private readonly board: StatusBoard) {
    for (const m of [this.reads, this.pushes, this.lastSuccess, this.flags]) this.registry.registerMetric(m);
  }

  /** The exposition text, from the board as it is now. */
  async text(now: Date): Promise<string> {
    for (const g of this.gauges.values()) g.reset();
    this.flags.reset();
    for (const m of this.board.list()) {
      this.count('reads', this.reads, { meter: m.name, result: 'ok' }, m.reads.ok);
      this.count('reads', this.reads, { meter: m.name, result: 'error' }, m.reads.failed);
      for (const [sink, o] of Object.entries(m.pushes)) {
        this.count('pushes', this.pushes, { meter: m.name, sink, result: 'ok' }, o.ok);
        this.count('pushes', this.pushes, { meter: m.name, sink, result: 'error' }, o.failed);
      }
      if (!m.last) continue;
      this.lastSuccess.set({ meter: m.name }, m.last.at.getTime() / 1000);
      if (this.board.fresh(m, now)) this.readings(m.name, m.last);
    }
    return this.registry.metrics();
  }

  private readings(meter: string, last: NonNullable<MeterStatus['last']>): void {
    for (const r of last.readings) {
      if (r.value === undefined) continue;
      const labels = {
        meter,
        unit: r.unit,
        register: r.register === undefined ? '' : String(r.register),
        storage: String(r.storage ?? 0),
        tariff: String(r.tariff ?? 0),
        function: r.function ?? 'instantaneous',
      };
      this.gauge(r.quantity).set(labels, Number(r.text));
      if (r.flags) {
        const set = new Set(r.flags.map((f) => f.name));
        for (const f of alarmFlags(last.identity?.modelNumber)) this.flags.set({ meter, flag: f.name }, set.has(f.name) ? 1 : 0);
        for (const f of r.flags) this.flags.set({ meter, flag: f.name }, 1);
      }
    }
  }

  private gauge(quantity: string): Gauge<(typeof READING_LABELS)[number]> {
    const name = metricName(quantity);
    let g = this.gauges.get(name);
    if (!g) {
      g = new Gauge({
        name,
        help: `the meter's ${quantity}, in the unit of the unit label`,
        labelNames: [...READING_LABELS],
        registers: [this.registry],
      });
      this.gauges.set(name, g);
    }
    return g;
  }

  private count(name: string, c: Counter<string>, labels: Record<string, string>, total: number): void {
    const key = `${name}|${JSON.stringify(labels)}`;
    const before = this.counted.get(key) ?? 0;
    if (total > before) c.inc(labels, total - before);
    else if (before === 0) c.inc(labels, 0);
    this.counted.set(key, total);
  }
}
