import { ExitCode, type ExitCodeValue } from '../core/errors.js';
import { stringifyJson } from '../core/json.js';
import { withMeter, meterSetup, summarizeStats, type Context, type MeterOptionText } from './context.js';

export interface InfoOptions extends MeterOptionText {
  json?: boolean;
}

/** `multical info`: serial number (GetSerialNo), meter type and software revision (GetType). */
export async function infoCommand(o: InfoOptions, ctx: Context): Promise<ExitCodeValue> {
  const setup = meterSetup(o);
  const { value, stats } = await withMeter(setup, ctx, async (client) => {
    const serial = await client.getSerialNo();
    const type = await client.getType();
    return { serial, type };
  });
  ctx.log.verbose(`meter: ${summarizeStats(stats)}`);
  const typeHex = '0x' + value.type.type.toString(16).toUpperCase().padStart(4, '0');
  if (o.json) {
    ctx.io.stdout(stringifyJson({ serialNo: value.serial, meterType: value.type.type, meterTypeHex: typeHex, revision: value.type.revision }) + '\n');
  } else {
    ctx.io.stdout(`Serial number:     ${value.serial}\nMeter type:        ${typeHex}\nSoftware revision: ${value.type.revision}\n`);
  }
  return ExitCode.ok;
}
