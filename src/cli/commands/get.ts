/**
 * `multical get -d DEVICE [--json] REGISTER…`: read registers — KMP: ceil(N/8) requests, each id once;
 * M-Bus: one readout. With `--protocol mbus` and no register ids (none in the config file either), every
 * record the meter sends, as a table or as the telegram's JSON.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseRegisterIds, REGISTER_LIST } from '../../settings/arguments.js';
import { meterSetup, METER_OPTIONS, type MeterSetup } from '../../settings/device.js';
import { METER_SELECT } from '../../settings/meters.js';
import type { OptionSpec } from '../../settings/options.js';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, Context, RunOptions } from '../context.js';
import { perMeter } from '../per-meter.js';
import type { ExitCodeValue } from '../exit-codes.js';

export const JSON_OPTION: OptionSpec = { name: 'json', config: false, type: { kind: 'bool' }, help: 'print one JSON object' };
/** `registers:` at the top of the config file: what `get` reads when given no ids. */
export const GET_REGISTERS: OptionSpec = { name: 'registers', type: REGISTER_LIST, help: 'registers `get` reads when given none' };

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  defineCommand(
    program,
    entry,
    {
      argumentHelp:
        'register ids, decimal (60) or hex (0x3C) (default: registers: in the config file; with --protocol mbus and none there: every record)',
      options: [
        ...Object.values(METER_OPTIONS),
        METER_SELECT,
        {
          ...JSON_OPTION,
          help: 'print one JSON object: {"registers":[…],"missing":[…]}; M-Bus without register ids: {"protocol":"mbus","meter":{…},"records":[…]}',
        },
      ],
      deadline: METER_OPTIONS.deadline,
      perMeter: true,
      run: getRun,
    },
    run,
    state,
  );
}

async function getRun({ args, ctx }: CommandRun): Promise<ExitCodeValue> {
  const json = resolveValue<boolean>(JSON_OPTION, ctx.sources) === true;
  // The registers given on the command line are read from every meter; else each meter's `registers:`.
  return perMeter(ctx, (src) => {
    const texts = args.length > 0 ? args : (resolveValue<string[] | undefined>(GET_REGISTERS, src) ?? []);
    const everyRecord = texts.length === 0 && resolveValue<string>(METER_OPTIONS.protocol, src) === 'mbus';
    if (texts.length === 0 && !everyRecord) throw new UsageError('no registers given: e.g. multical get -d sim 60 68 74 80');
    const ids = parseRegisterIds(texts);
    const setup = meterSetup(src);
    return { setup, run: (c) => (everyRecord ? allRecords(setup, json, c) : registers(ids, setup, json, c)) };
  });
}

async function allRecords(setup: MeterSetup, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  const { getAllRecords } = await import('./get-records.js');
  return getAllRecords(setup, json, ctx);
}

async function registers(ids: number[], setup: MeterSetup, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  const [{ withMeter }, view] = await Promise.all([import('../meter-access.js'), import('../readings-view.js')]);
  const { value: result } = await withMeter(setup, ctx, (meter) => meter.read(ids));
  const rows = view.rowsFor(ids, result);
  if (json) ctx.report(view.registersDoc(rows, result));
  else ctx.io.stdout(view.renderTable(ctx, rows));
  return view.reportFailures(ctx, result);
}
