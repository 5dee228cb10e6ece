/** `multical get -d DEVICE [--json] REGISTER…`: read registers, ceil(N/8) requests, each id once. */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseRegisterIds, REGISTER_LIST } from '../../settings/arguments.js';
import { meterSetup, METER_OPTIONS } from '../../settings/device.js';
import type { OptionSpec } from '../../settings/options.js';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, RunOptions } from '../context.js';
import type { ExitCodeValue } from '../exit-codes.js';

export const JSON_OPTION: OptionSpec = { name: 'json', config: false, type: { kind: 'bool' }, help: 'print one JSON object' };
/** `registers:` at the top of the config file: what `get` reads when given no ids. */
export const GET_REGISTERS: OptionSpec = { name: 'registers', type: REGISTER_LIST, help: 'registers `get` reads when given none' };

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  defineCommand(
    program,
    entry,
    {
      argumentHelp: 'register ids, decimal (60) or hex (0x3C) (default: registers: in the config file)',
      options: [...Object.values(METER_OPTIONS), { ...JSON_OPTION, help: 'print one JSON object: {"registers":[…],"missing":[…]}' }],
      deadline: METER_OPTIONS.deadline,
      run: getRun,
    },
    run,
    state,
  );
}

async function getRun({ args, ctx }: CommandRun): Promise<ExitCodeValue> {
  const texts = args.length > 0 ? args : (resolveValue<string[] | undefined>(GET_REGISTERS, ctx.sources) ?? []);
  if (texts.length === 0) throw new UsageError('no registers given: e.g. multical get -d sim 60 68 74 80');
  const ids = parseRegisterIds(texts);
  const setup = meterSetup(ctx.sources);
  const json = resolveValue<boolean>(JSON_OPTION, ctx.sources) === true;
  const [{ withMeter }, view] = await Promise.all([import('../meter-access.js'), import('../readings-view.js')]);
  const { value: result } = await withMeter(setup, ctx, (meter) => meter.read(ids));
  const rows = view.rowsFor(ids, result);
  if (json) ctx.report(view.registersDoc(rows, result));
  else ctx.io.stdout(view.renderTable(ctx, rows));
  return view.reportFailures(ctx, result);
}
