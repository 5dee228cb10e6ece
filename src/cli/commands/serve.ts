/**
 * `multical serve`: the meters as a service. Each meter is read at start and then every interval, its
 * readings go to its sinks (Domoticz, MQTT) and to a read-only HTTP API (REST for Home Assistant,
 * Prometheus metrics, a health check). SIGTERM lets a read or push in progress finish, closes the ports and
 * exits 0 within a bound; SIGHUP reloads the config file (a bad one is reported and the old one kept).
 */
import type { Command } from 'commander';
import { StopError } from '../../core/errors.js';
import { DOMOTICZ_OPTIONS } from '../../domoticz/options.js';
import { HTTP_OPTIONS } from '../../http/options.js';
import { MQTT_OPTIONS } from '../../mqtt/options.js';
import { METER_OPTIONS } from '../../settings/device.js';
import { METER_SELECT } from '../../settings/meters.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandRun, RunOptions } from '../context.js';
import type { ExitCodeValue } from '../exit-codes.js';
import type { CommandEntry } from './index.js';

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  const { deadline: _deadline, ...meter } = METER_OPTIONS;
  const { push: _push, ...domoticz } = DOMOTICZ_OPTIONS;
  const { registers: _registers, password: _pw, passwordFile: _pwf, ca: _ca, insecure: _in, ...mqtt } = MQTT_OPTIONS;
  defineCommand(
    program,
    entry,
    {
      argumentHelp: "with -d: what to push to Domoticz after each read, as for read (with a config file: each meter's domoticz.push)",
      options: [...Object.values(meter), ...Object.values(HTTP_OPTIONS), ...Object.values(domoticz), ...Object.values(mqtt), METER_SELECT],
      run: serveRun,
    },
    run,
    state,
  );
}

/** How long SIGTERM waits for a read or push in progress before cutting it short. */
const STOP_BOUND_MS = 20_000;

async function serveRun({ args, ctx }: CommandRun): Promise<ExitCodeValue> {
  const [{ Service }, { resolveHttp }] = await Promise.all([import('../service/service.js'), import('../../http/options.js')]);
  const http = resolveHttp(ctx.sources);
  const service = await Service.start(ctx, args, http);
  ctx.io.stdout(`multical serve: listening on http://${service.address}; meters: ${service.names().join(', ')}\n`);
  const unhang = ctx.run.onHangup?.(() => void service.reload());
  await new Promise<void>((resolve) =>
    ctx.signal.aborted ? resolve() : ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  unhang?.();
  const reason: unknown = ctx.signal.reason;
  ctx.io.stderr(`multical serve: ${reason instanceof StopError ? reason.message : 'stopping'}; finishing what is in progress\n`);
  await service.stop(STOP_BOUND_MS);
  // Stopping a service with SIGTERM (or Ctrl-C) is how it is meant to end: exit 0.
  return 0;
}
