/**
 * The Domoticz sink: each `idx:CommandNr:mode[:idx2]` argument in the order given, device values read
 * fresh right before each computation (so `91:68:2:92 92:68:0` works in one run), the decision taken by
 * plan.ts, the update sent by client.ts.
 */
import type { Decimal } from '../core/decimal.js';
import type { ReadResult, Reading } from '../core/reading.js';
import { convert } from '../core/units.js';
import type { ReadArgument } from './argument.js';
import type { DomoticzClient } from './client.js';
import { DomoticzError } from './errors.js';
import { planPush, precheck, type PushStatus } from './plan.js';

export interface PushResult {
  arg: ReadArgument;
  status: PushStatus;
  reading?: Reading;
  /** The target device's name, once it was read. */
  device?: string;
  svalue?: string;
  message?: string;
  notes: string[];
}

export interface PushOptions {
  allowDecrease: boolean;
  /** Told about each push as soon as it is done (printing, journal). */
  onResult?: (p: PushResult) => void;
}

const POWER_REGISTER = 80;

/** Pushes every argument; `client` undefined is a dry run (Domoticz is not contacted). */
export async function pushAll(
  args: readonly ReadArgument[],
  result: ReadResult,
  client: DomoticzClient | undefined,
  o: PushOptions,
): Promise<PushResult[]> {
  const out: PushResult[] = [];
  for (const arg of args) {
    const p = await pushOne(arg, result, client, o);
    out.push(p);
    o.onResult?.(p);
  }
  return out;
}

async function pushOne(arg: ReadArgument, result: ReadResult, client: DomoticzClient | undefined, o: PushOptions): Promise<PushResult> {
  const pre = precheck(arg, result);
  if (!('ok' in pre)) return { arg, status: pre.status, message: pre.message, notes: [], ...(pre.reading ? { reading: pre.reading } : {}) };
  const reading = pre.ok;
  if (!client) return { arg, reading, status: 'dry-run', notes: [...(arg.notes ?? [])] };
  let device: string | undefined;
  try {
    const target = await client.getDevice(arg.idx);
    device = target.Name;
    const compare = arg.mode === 0 ? undefined : await client.getDevice(arg.idx2!);
    const d = planPush(arg, reading, target, compare, { allowDecrease: o.allowDecrease, powerW: powerW(result) });
    if ('refused' in d) return { arg, reading, device, status: 'refused', message: d.refused, notes: d.notes };
    await client.updateDevice(arg.idx, '0', d.send);
    return { arg, reading, device, status: 'sent', svalue: d.send, notes: d.notes };
  } catch (e) {
    if (!(e instanceof DomoticzError) || e.code === 'DZ_ABORTED') throw e;
    return { arg, reading, status: 'failed', message: `${arg.text}: ${e.message}`, notes: [], ...(device !== undefined ? { device } : {}) };
  }
}

function powerW(result: ReadResult): Decimal | undefined {
  const p = result.readings.get(POWER_REGISTER);
  return p?.value === undefined ? undefined : convert(p.value, p.unit, 'W');
}
