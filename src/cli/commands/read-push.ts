/** `multical read` with push arguments: one meter read, then the Domoticz sink; lines or one JSON object. */
import { RawNumber, stringifyJson } from '../../core/json.js';
import type { ReadResult } from '../../core/reading.js';
import type { ReadArgument } from '../../domoticz/argument.js';
import type { DomoticzSettings } from '../../domoticz/options.js';
import type { PushResult } from '../../domoticz/push.js';
import type { MeterSetup } from '../../settings/device.js';
import type { Context } from '../context.js';
import { ExitCode, firstOf, type ExitCodeValue } from '../exit-codes.js';
import { withMeter } from '../meter-access.js';
import { registersDoc, reportFailures, rowsFor } from '../readings-view.js';

export interface PushFlags {
  json: boolean;
  quiet: boolean;
  allowDecrease: boolean;
}

/** Reads every register once, then pushes; `domoticz` undefined is a dry run. */
export async function readAndPush(
  args: ReadArgument[],
  setup: MeterSetup,
  domoticz: DomoticzSettings | undefined,
  f: PushFlags,
  ctx: Context,
): Promise<ExitCodeValue> {
  const ids = [...new Set(args.map((a) => a.register))];
  const { value: result } = await withMeter(setup, ctx, (meter) => meter.read(ids));
  reportFailures(ctx, result);
  const [{ DomoticzClient }, { pushAll }] = await Promise.all([import('../../domoticz/client.js'), import('../../domoticz/push.js')]);
  const client = domoticz ? new DomoticzClient(domoticz, ctx.log, ctx.signal) : undefined;
  let pushes: PushResult[];
  try {
    pushes = await pushAll(args, result, client, { allowDecrease: f.allowDecrease, onResult: (p) => printPush(p, f, ctx) });
  } finally {
    await client?.close();
  }
  if (client) ctx.log.verbose(`Domoticz: ${client.requests} HTTP requests`);
  if (f.json) ctx.io.stdout(readJson(ids, result, pushes));
  return exitCodeFor(pushes);
}

function printPush(p: PushResult, f: PushFlags, ctx: Context): void {
  const r = p.reading;
  const name = r?.name ?? `register ${p.arg.register}`;
  const what = r ? `${name} ${r.text}${r.unit ? ' ' + r.unit : ''}` : name;
  const mode = p.arg.mode === 0 ? 'mode 0' : `mode ${p.arg.mode} vs idx ${p.arg.idx2}`;
  // With --json, stdout carries only the JSON object; failures still get their line on stderr.
  const quietOut = f.quiet || f.json;
  if (p.status === 'sent') {
    if (!quietOut)
      ctx.io.stdout(
        `${ctx.out.green('✓')} ${p.arg.text}  ${what}  ${mode}  → idx ${p.arg.idx} "${p.device}": ${ctx.out.bold(p.svalue!)}\n`,
      );
  } else if (p.status === 'dry-run') {
    const would =
      p.arg.mode === 0
        ? 'would send the reading'
        : p.arg.mode === 1
          ? `would send reading − value(${p.arg.idx2})`
          : `would send value(${p.arg.idx}) + reading − value(${p.arg.idx2})`;
    if (!quietOut)
      ctx.io.stdout(
        `${p.arg.text}  ${what}  ${mode}  → idx ${p.arg.idx}: ${would}, formatted for the device's type (dry run: Domoticz not contacted)\n`,
      );
  } else {
    ctx.error(p.message ?? `${p.arg.text}: ${p.status}`);
  }
  for (const n of p.notes) ctx.log.verbose(`  ${p.arg.text}: ${n}`);
}

function readJson(ids: number[], result: ReadResult, pushes: PushResult[]): string {
  const doc = {
    ...registersDoc(rowsFor(ids, result), result),
    pushes: pushes.map((p) => ({
      argument: p.arg.text,
      idx: Number(p.arg.idx),
      register: p.arg.register,
      mode: p.arg.mode,
      ...(p.arg.idx2 !== undefined ? { idx2: Number(p.arg.idx2) } : {}),
      ...(p.reading
        ? { reading: p.reading.value !== undefined ? new RawNumber(p.reading.text) : p.reading.text, unit: p.reading.unit }
        : {}),
      ...(p.device !== undefined ? { device: p.device } : {}),
      status: p.status,
      ...(p.svalue !== undefined ? { svalue: p.svalue } : {}),
      ...(p.message !== undefined ? { message: p.message } : {}),
      ...(p.notes.length ? { notes: p.notes } : {}),
    })),
  };
  return stringifyJson(doc) + '\n';
}

export function exitCodeFor(pushes: PushResult[]): ExitCodeValue {
  const code = (p: PushResult): ExitCodeValue =>
    p.status === 'not-read'
      ? ExitCode.meter
      : p.status === 'failed'
        ? ExitCode.domoticz
        : p.status === 'refused'
          ? ExitCode.refused
          : ExitCode.ok;
  return firstOf(pushes.map(code));
}
