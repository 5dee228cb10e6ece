import { parseRegisterId } from '../args.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { summarizeStats, withMeter, meterSetup, type Context, type MeterOptionText } from './context.js';
import { registersJson, renderTable, reportFailures, rowsFor } from './registers-view.js';

export interface GetOptions extends MeterOptionText {
  json?: boolean;
}

/** `multical get -d DEVICE [--json] REGISTER…`: read registers, ceil(N/8) requests, each id once. */
export async function getCommand(registerArgs: string[], o: GetOptions, ctx: Context): Promise<ExitCodeValue> {
  if (registerArgs.length === 0) throw new UsageError('no registers given: e.g. multical get -d sim 60 68 74 80');
  const ids = registerArgs.map((a) => parseRegisterId(a));
  const setup = meterSetup(o);
  const { value: result, stats } = await withMeter(setup, ctx, (client) => client.readRegisters(ids));
  ctx.log.verbose(`meter: ${summarizeStats(stats)}`);
  const rows = rowsFor(ids, result);
  ctx.io.stdout(o.json ? registersJson(rows, result) : renderTable(ctx, rows));
  return reportFailures(ctx, result);
}

export { ExitCode };
