/**
 * The running service: the status board, the HTTP API on it, the scheduler of meter reads, and the one
 * Domoticz connection. Started from the settings, reloaded on SIGHUP (a config that does not check is
 * reported and the running one kept), stopped gracefully. Reads and pushes run under their own signal, so
 * a stop lets them finish (up to a bound) instead of cutting them off.
 */
import { MulticalError, StopError } from '../../core/errors.js';
import type { DomoticzClient } from '../../domoticz/client.js';
import { StatusBoard } from '../../http/board.js';
import type { HttpSettings } from '../../http/options.js';
import { startHttp, type HttpService } from '../../http/server.js';
import { METER_SELECT } from '../../settings/meters.js';
import type { Context } from '../context.js';
import { meterJob } from './meter-job.js';
import { servicePlan, type ServicePlan } from './plan.js';
import { Scheduler } from './scheduler.js';

/** How long a reload waits for a read in progress before the new plan starts. */
const RELOAD_BOUND_MS = 10_000;

export class Service {
  private scheduler: Scheduler | undefined;
  private domoticz: DomoticzClient | undefined;
  private meterNames: string[] = [];

  private constructor(
    private readonly ctx: Context,
    private readonly args: string[],
    private readonly work: AbortController,
    private readonly board: StatusBoard,
    private readonly http: HttpService,
  ) {}

  static async start(ctx: Context, args: string[], http: HttpSettings): Promise<Service> {
    const work = new AbortController();
    const board = new StatusBoard([]);
    const api = await startHttp(board, { host: http.host, port: http.port, token: http.token }).catch((e: NodeJS.ErrnoException) => {
      throw new MulticalError(
        'USAGE',
        `--listen ${http.host}:${http.port}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`,
      );
    });
    const service = new Service(ctx, args, work, board, api);
    try {
      await service.apply(ctx.sources);
    } catch (e) {
      await api.close();
      throw e;
    }
    return service;
  }

  get address(): string {
    return this.http.address;
  }

  names(): string[] {
    return this.meterNames;
  }

  /** SIGHUP: the config file again; the running plan stays if the new one does not check. */
  async reload(): Promise<void> {
    const say = (t: string): void => this.ctx.io.stderr(`multical serve: ${this.ctx.log.clean(t)}\n`);
    let plan: Awaited<ReturnType<Service['prepare']>>;
    try {
      plan = await this.prepare(await this.sourcesAgain());
    } catch (e) {
      say(`the config was not reloaded, the running one is kept: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    await this.scheduler?.stop(RELOAD_BOUND_MS);
    await this.switchTo(plan);
    say(`reloaded the config: meters ${this.meterNames.join(', ')}`);
  }

  /** The run's settings with the config file read again (from --config, $MULTICAL_CONFIG or the default place). */
  private async sourcesAgain(): Promise<Context['sources']> {
    const [{ findConfigPath, loadConfigFile }, { configSchema }] = await Promise.all([
      import('../../settings/config-file.js'),
      import('../schema.js'),
    ]);
    const { io, sources } = this.ctx;
    const found = findConfigPath(sources.cli('config') as string | undefined, io.env, io.cwd);
    const config = found ? await loadConfigFile(found.path, found.what, configSchema(), sources.warn) : undefined;
    return { ...sources, config };
  }

  async stop(boundMs: number): Promise<void> {
    const cut = (await this.scheduler?.stop(boundMs)) ?? false;
    if (cut) this.work.abort(new StopError('TERMINATED', 'a read or push did not finish in time'));
    await this.http.close();
    await this.domoticz?.close();
  }

  private async apply(sources: Context['sources']): Promise<void> {
    await this.switchTo(await this.prepare(sources));
  }

  /** Everything checked, nothing contacted: the jobs the settings ask for. */
  private async prepare(sources: Context['sources']): Promise<{ plan: ServicePlan; ctx: Context }> {
    const { DomoticzClient } = await import('../../domoticz/client.js');
    const selected = sources.cli(METER_SELECT.name) as string[] | undefined;
    const plan = servicePlan(sources, this.args, selected, (s) => new DomoticzClient(s, this.ctx.log, this.work.signal));
    return { plan, ctx: { ...this.ctx, sources, signal: this.work.signal } };
  }

  private async switchTo({ plan, ctx: workCtx }: { plan: ServicePlan; ctx: Context }): Promise<void> {
    await this.domoticz?.close();
    this.domoticz = plan.domoticz;
    this.board.configure(plan.meters.map((m) => ({ name: m.name, intervalMs: m.intervalMs })));
    this.meterNames = plan.meters.map((m) => m.name);
    this.scheduler = new Scheduler(plan.meters.map((m) => meterJob(m, this.board, workCtx)));
    this.scheduler.start();
  }
}
