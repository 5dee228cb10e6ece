/**
 * `multical info`: who the meter is — KMP: serial number (GetSerialNo), meter type and revision (GetType) —
 * and how it is (the info code, register 99, with its named flags): three requests.
 */
import type { Command } from 'commander';
import { meterSetup, METER_OPTIONS, type MeterSetup } from '../../settings/device.js';
import { METER_SELECT } from '../../settings/meters.js';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, Context, RunOptions } from '../context.js';
import { perMeter } from '../per-meter.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { jsonValue, withFlags } from '../readings-view.js';
import { JSON_OPTION } from './get.js';

/** Register 99: the current info code, shown with its named flags. */
const INFO_CODE = 99;

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  defineCommand(
    program,
    entry,
    {
      options: [...Object.values(METER_OPTIONS), METER_SELECT, { ...JSON_OPTION, help: 'print JSON' }],
      deadline: METER_OPTIONS.deadline,
      perMeter: true,
      run: infoRun,
    },
    run,
    state,
  );
}

async function infoRun({ ctx }: CommandRun): Promise<ExitCodeValue> {
  const json = resolveValue<boolean>(JSON_OPTION, ctx.sources) === true;
  return perMeter(ctx, (src) => {
    const setup = meterSetup(src);
    return { setup, run: (c) => showInfo(setup, json, c) };
  });
}

async function showInfo(setup: MeterSetup, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  const { withMeter } = await import('../meter-access.js');
  // The info code first: an M-Bus meter then names itself from the same readout, with no request more.
  const { value } = await withMeter(setup, ctx, async (meter) => {
    const info = await meter.read([INFO_CODE]);
    return { info, identity: await meter.identify() };
  });
  const { identity } = value;
  const code = value.info.readings.get(INFO_CODE);
  if (json) {
    const info = code ? { infoCode: jsonValue(code.text, code.value !== undefined, code.flags?.map((f) => f.name) ?? []) } : {};
    ctx.report({ ...Object.fromEntries(identity.facts.map((f) => [f.key, f.value])), ...info });
  } else {
    const shown = [
      ...identity.facts.filter((f) => f.label !== undefined),
      ...(code
        ? [
            {
              label: 'Info code',
              text: withFlags(
                code.text,
                code.flags?.map((f) => f.name),
              ),
              value: code.text,
            },
          ]
        : []),
    ];
    const width = Math.max(...shown.map((f) => f.label!.length)) + 2;
    ctx.io.stdout(shown.map((f) => `${(f.label! + ':').padEnd(width)}${f.text ?? String(f.value)}\n`).join(''));
  }
  return ExitCode.ok;
}
