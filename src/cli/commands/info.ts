/** `multical info`: who the meter is — KMP: serial number (GetSerialNo), meter type and revision (GetType). */
import type { Command } from 'commander';
import { meterSetup, METER_OPTIONS } from '../../settings/device.js';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, RunOptions } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { JSON_OPTION } from './get.js';

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  defineCommand(
    program,
    entry,
    {
      options: [...Object.values(METER_OPTIONS), { ...JSON_OPTION, help: 'print JSON' }],
      deadline: METER_OPTIONS.deadline,
      run: infoRun,
    },
    run,
    state,
  );
}

async function infoRun({ ctx }: CommandRun): Promise<ExitCodeValue> {
  const setup = meterSetup(ctx.sources);
  const json = resolveValue<boolean>(JSON_OPTION, ctx.sources) === true;
  const { withMeter } = await import('../meter-access.js');
  const { value: identity } = await withMeter(setup, ctx, (meter) => meter.identify());
  if (json) {
    ctx.report(Object.fromEntries(identity.facts.map((f) => [f.key, f.value])));
  } else {
    const shown = identity.facts.filter((f) => f.label !== undefined);
    const width = Math.max(...shown.map((f) => f.label!.length)) + 2;
    ctx.io.stdout(shown.map((f) => `${(f.label! + ':').padEnd(width)}${f.text ?? String(f.value)}\n`).join(''));
  }
  return ExitCode.ok;
}
