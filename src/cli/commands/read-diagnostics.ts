/** The classic script's diagnostics: --test_kamstrup (31 registers in 4 requests) and --test_domoticz. */
import { DomoticzError } from '../../domoticz/errors.js';
import type { DomoticzSettings } from '../../domoticz/options.js';
import { typeName } from '../../domoticz/targets.js';
import { CLASSIC_TEST_REGISTERS } from '../../kmp/registers.js';
import type { MeterSetup } from '../../settings/device.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { withMeter } from '../meter-access.js';
import { alignColumns, registersDoc, renderTable, reportFailures, rowsFor } from '../readings-view.js';

export async function testKamstrup(setup: MeterSetup, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  const ids = [...CLASSIC_TEST_REGISTERS];
  const { value: result } = await withMeter(setup, ctx, (meter) => meter.read(ids));
  const rows = rowsFor(ids, result);
  if (json) ctx.report(registersDoc(rows, result));
  else ctx.io.stdout(renderTable(ctx, rows, 'CommandNr'));
  return reportFailures(ctx, result);
}

/** Lists every used device; `settings` undefined is a dry run, which contacts nothing. */
export async function testDomoticz(settings: DomoticzSettings | undefined, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  if (!settings) {
    if (json) ctx.report({ devices: [], dryRun: true });
    else ctx.io.stdout('dry run: Domoticz not contacted\n');
    return ExitCode.ok;
  }
  const { DomoticzClient } = await import('../../domoticz/client.js');
  const client = new DomoticzClient(settings, ctx.log, ctx.signal);
  // Names and values come from the server: masked like everything else printed from an answer.
  const clean = (t: string): string => ctx.log.clean(t);
  try {
    const devices = await client.listDevices();
    if (json) {
      const list = devices.map((d) => ({ idx: Number(d.idx), name: clean(d.Name), type: d.Type, subType: d.SubType, data: clean(d.Data) }));
      ctx.report({ devices: list });
      return ExitCode.ok;
    }
    const cells = devices.map((d) => [d.idx, clean(d.Name), clean(typeName(d)), clean(d.Data)]);
    const t = alignColumns(['idx', 'Name', 'Type', 'Data'], cells, new Set([0]));
    ctx.io.stdout([ctx.out.bold(t.header), ...t.lines].join('\n') + '\n');
    if (devices.length === 0) ctx.io.stdout('(Domoticz has no used devices)\n');
    return ExitCode.ok;
  } catch (e) {
    // A stop goes to the program's error sink; a Domoticz failure is this command's one line (and object).
    if (!(e instanceof DomoticzError) || e.code === 'DZ_ABORTED') throw e;
    ctx.error(e.message);
    if (json) ctx.report({ devices: [], error: clean(e.message) });
    return ExitCode.domoticz;
  } finally {
    await client.close();
  }
}
