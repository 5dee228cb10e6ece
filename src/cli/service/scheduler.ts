/**
 * When each meter of `serve` is read: at start, then every interval, each on its own timer, drift-free
 * (the next read is due one interval after the last one started). Meters on one device take turns;
 * meters on different devices run independently. Stopping lets a read or push in progress finish, up to
 * a bound, and starts nothing new.
 */
export interface Job {
  name: string;
  /** Jobs with the same key never run at the same time (one device, one bus). */
  deviceKey: string;
  intervalMs: number;
  run: () => Promise<void>;
}

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly jobs: readonly Job[]) {}

  start(): void {
    for (const job of this.jobs) this.due(job, 0);
  }

  /** Starts nothing new; resolves when what runs has finished, or after `boundMs` (then `true`: cut short). */
  async stop(boundMs: number): Promise<boolean> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), boundMs)));
    const done = Promise.all([...this.running]).then(() => false);
    const cut = await Promise.race([done, bound]);
    clearTimeout(timer);
    return cut;
  }

  private due(job: Job, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => this.fire(job), delayMs);
    this.timers.set(job.name, timer);
  }

  private fire(job: Job): void {
    this.timers.delete(job.name);
    if (this.stopped) return;
    const started = Date.now();
    const previous = this.chains.get(job.deviceKey) ?? Promise.resolve();
    const run = previous.then(() => (this.stopped ? undefined : job.run())).catch(() => undefined);
    this.chains.set(job.deviceKey, run);
    this.running.add(run);
    void run.then(() => {
      this.running.delete(run);
      if (this.chains.get(job.deviceKey) === run) this.chains.delete(job.deviceKey);
      this.due(job, Math.max(0, started + job.intervalMs - Date.now()));
    });
  }
}
