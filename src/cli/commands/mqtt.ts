/** `multical mqtt`: read the registers once, then connect, publish, disconnect (for cron, like `read`). */
import type { Command } from 'commander';
import { MQTT_OPTIONS, type MqttSettings } from '../../mqtt/options.js';
import { METER_SELECT } from '../../settings/meters.js';
import { meterSetup, METER_OPTIONS } from '../../settings/device.js';
import type { OptionSpec } from '../../settings/options.js';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, RunOptions } from '../context.js';
import { firstOf, type ExitCodeValue } from '../exit-codes.js';
import { meterPlans, perMeter } from '../per-meter.js';
import { JSON_OPTION } from './get.js';
import { READ_FLAGS } from './read.js';

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  const { registers: _registers, ...options } = MQTT_OPTIONS;
  defineCommand(
    program,
    entry,
    {
      argumentHelp: 'register ids (default: mqtt.registers in the config file, else 60 68 74 80 86 87 89)',
      options: [
        ...Object.values(METER_OPTIONS),
        METER_SELECT,
        ...Object.values(options),
        { ...JSON_OPTION, help: 'print one JSON object describing what was published' },
        { ...READ_FLAGS.quiet, help: 'print nothing when everything worked (for cron)' },
      ],
      deadline: METER_OPTIONS.deadline,
      perMeter: true,
      run: mqttRun,
    },
    run,
    state,
  );
}

async function mqttRun({ args, ctx }: CommandRun): Promise<ExitCodeValue> {
  const on = (spec: OptionSpec): boolean => resolveValue<boolean | undefined>(spec, ctx.sources) === true;
  const [{ resolveMqtt }, { mqttIds, publishMeter }] = await Promise.all([import('../../mqtt/options.js'), import('./mqtt-publish.js')]);
  const settings = resolveMqtt(ctx.sources);
  const f = { json: on(JSON_OPTION), quiet: on(READ_FLAGS.quiet) };
  const plans = meterPlans(ctx);
  const nodes = new Map<string, string | undefined>();
  // The register ids given on the command line are read from every meter; else each meter's mqtt.registers.
  const code = await perMeter(
    ctx,
    (src, plan) => {
      const mine = plan.listed ? listedSettings(resolveMqtt(src), plan.name) : settings;
      const ids = mqttIds(args, mine);
      const setup = meterSetup(src);
      return { setup, run: (c) => publishMeter(ids, mine, setup, { ...f, onNode: (n) => nodes.set(plan.name, n) }, c) };
    },
    plans,
  );
  const wholeList = plans[0]!.listed && ctx.sources.cli('meter') === undefined;
  if (!wholeList || !settings.haDiscovery || ctx.sources.config === undefined) return code;
  const { clearRemovedMeters } = await import('./mqtt-removed.js');
  const cleared = await clearRemovedMeters(
    settings,
    ctx.sources.config.path,
    plans.map((p) => nodes.get(p.name)),
    f,
    ctx,
  );
  return firstOf([code, cleared]);
}

/** A meter of a list publishes under `<topic>/<name>/`; a client id that was set gets the name too (one connection per meter). */
function listedSettings(s: MqttSettings, name: string): MqttSettings {
  return { ...s, topic: `${s.topic}/${name}`, ...(s.clientId !== undefined ? { clientId: `${s.clientId}-${name}` } : {}) };
}
