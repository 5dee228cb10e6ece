/** The classic script's diagnostics: --test_kamstrup (31 registers in 4 requests) and --test_domoticz. */
import { stringifyJson } from '../../core/json.js';
import type { DomoticzSettings } from '../../domoticz/options.js';
import { typeName } from '../../domoticz/targets.js';
import { CLASSIC_TEST_REGISTERS } from '../../kmp/registers.js';
import type { MeterSetup } from '../../settings/device.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { withMeter } from '../meter-access.js';
import { alignColumns, registersJson, renderTable, reportFailures, rowsFor } from '../readings-view.js';

export async function testKamstrup(setup: MeterSetup, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  const ids = [...CLASSIC_TEST_REGISTERS];
  const { value: result } = await withMeter(setup, ctx, (meter) => meter.read(ids));
  const rows = rowsFor(ids, result);
  ctx.io.stdout(json ? registersJson(rows, result) : renderTable(ctx, rows, 'CommandNr'));
  return reportFailures(ctx, result);
}

/** Lists every used device; `settings` undefined is a dry run, which contacts nothing. */
export async function testDomoticz(settings: DomoticzSettings | undefined, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  if (!settings) {
    ctx.io.stdout(json ? stringifyJson({ devices: [], dryRun: true }) + '\n' : 'dry run: Domoticz not contacted\n');
    return ExitCode.ok;
  }
  const { DomoticzClient } = await import('../../domoticz/client.js');
  const client = new DomoticzClient(settings, ctx.log, ctx.signal);
  try {
    const devices = await client.listDevices();
    if (json) {
      const list = devices.map((d) => ({ idx: Number(d.idx), name: d.Name, type: d.Type, subType: d.SubType, data: d.Data }));
      ctx.io.stdout(stringifyJson({ devices: list }) + '\n');
      return ExitCode.ok;
    }
    const cells = devices.map((d) => [d.idx, d.Name, typeName(d), d.Data]);
    const t = alignColumns(['idx', 'Name', 'Type', 'Data'], cells, new Set([0]));
    ctx.io.stdout([ctx.out.bold(t.header), ...t.lines].join('\n') + '\n');
    if (devices.length === 0) ctx.io.stdout('(Domoticz has no used devices)\n');
    return ExitCode.ok;
  } finally {
    await client.close();
  }
}
