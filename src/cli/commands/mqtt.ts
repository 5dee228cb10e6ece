/** `multical mqtt`: read the registers once, then connect, publish, disconnect (for cron, like `read`). */
import type { Command } from 'commander';
import { MQTT_OPTIONS } from '../../mqtt/options.js';
import { meterSetup, METER_OPTIONS } from '../../settings/device.js';
import type { OptionSpec } from '../../settings/options.js';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, RunOptions } from '../context.js';
import type { ExitCodeValue } from '../exit-codes.js';
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
        ...Object.values(options),
        { ...JSON_OPTION, help: 'print one JSON object describing what was published' },
        { ...READ_FLAGS.quiet, help: 'print nothing when everything worked (for cron)' },
      ],
      deadline: METER_OPTIONS.deadline,
      run: mqttRun,
    },
    run,
    state,
  );
}

async function mqttRun({ args, ctx }: CommandRun): Promise<ExitCodeValue> {
  const on = (spec: OptionSpec): boolean => resolveValue<boolean | undefined>(spec, ctx.sources) === true;
  const [{ resolveMqtt }, { publishRun }] = await Promise.all([import('../../mqtt/options.js'), import('./mqtt-publish.js')]);
  const settings = resolveMqtt(ctx.sources);
  return publishRun(args, settings, () => meterSetup(ctx.sources), { json: on(JSON_OPTION), quiet: on(READ_FLAGS.quiet) }, ctx);
}
