/**
 * The Domoticz sink: each unit of pushes (units.ts) in turn — read every device it needs, plan every push
 * (plan.ts), write the journal (journal.ts) when the unit sends more than one update, send the updates in
 * argument order and stop the unit at the first that fails. A stopped run says which update may have been
 * applied; the journal lets the next run finish the unit (recover.ts). An alert push (alert.ts) is a
 * unit of its own, decided from the reading alone: the device is read only to check that it is an Alert.
 */
import type { Decimal } from '../core/decimal.js';
import type { ReadResult, Reading } from '../core/reading.js';
import { convert } from '../core/units.js';
import { alertPrecheck, planAlert, type AlertState } from './alert.js';
import type { ReadArgument } from './argument.js';
import type { DomoticzClient } from './client.js';
import type { Device } from './device.js';
import { DomoticzError } from './errors.js';
import type { JournalStore } from './journal.js';
import { planPush, precheck, type DeviceView, type PushStatus } from './plan.js';
import { cutAt, groupUnits, touched, type Unit } from './units.js';
import type { Planned } from './send.js';

export interface PushResult {
  arg: ReadArgument;
  status: PushStatus;
  reading?: Reading;
  /** The target device's name, once it was read. */
  device?: string;
  svalue?: string;
  /** An alert push: the level and text decided from the reading (sent, or would be). */
  alert?: AlertState;
  message?: string;
  notes: string[];
}

/** Where pushes go; undefined for a dry run (Domoticz is not contacted). */
export interface Sink {
  client: DomoticzClient;
  journal: JournalStore;
  /** Units the previous run left half-done and this run could not finish: why, by journal name. */
  blocked: ReadonlyMap<string, string>;
}

export interface PushOptions {
  allowDecrease: boolean;
  /** Told about each push as soon as its unit is done (printing). */
  onResult?: (p: PushResult) => void;
}

const POWER_REGISTER = 80;

/** Pushes every argument, unit by unit; the results in argument order. */
export async function pushAll(
  args: readonly ReadArgument[],
  result: ReadResult,
  sink: Sink | undefined,
  o: PushOptions,
): Promise<PushResult[]> {
  const out: PushResult[] = [];
  let stopped = false;
  for (const unit of groupUnits(args)) {
    const rs: PushResult[] = stopped
      ? unit.members.map((m): PushResult => ({
          arg: args[m]!,
          status: 'stopped',
          message: `${args[m]!.text}: not sent: the run was stopped`,
          notes: [],
        }))
      : await pushUnit(args, unit, result, sink, o);
    unit.members.forEach((m, k) => {
      out[m] = rs[k]!;
      o.onResult?.(rs[k]!);
    });
    stopped ||= rs.some((r) => r.status === 'stopped');
  }
  return out;
}

/** The unit's pushes: every one sent, or each saying why not. `dry-run` marks one not decided yet. */
async function pushUnit(
  args: readonly ReadArgument[],
  unit: Unit,
  result: ReadResult,
  sink: Sink | undefined,
  o: PushOptions,
): Promise<PushResult[]> {
  const res = unit.members.map((m) => prechecked(args[m]!, result));
  if (!sink) return res;
  // Sending (and its journal) is loaded only by a run that sends: a dry run plans without them.
  const [{ journalName }, { sendUnit }] = await Promise.all([import('./journal.js'), import('./send.js')]);
  const name = journalName(sink.client.where, unit.devices);
  const blocked = sink.blocked.get(name);
  // Refused, not held: when no failure of this run is the cause, the exit code must still say so.
  if (blocked !== undefined)
    return res.map((r) => (open(r) ? { ...r, status: 'refused', message: `${r.arg.text}: not sent: ${blocked}` } : r));
  const first = res.findIndex((r) => !open(r));
  let cut = first < 0 ? res.length : first;
  const read = await readDevices([...new Set(res.slice(0, cut).flatMap((r) => touched(r.arg)))], sink.client);
  if ('stopped' in read) return res.map((r) => (open(r) ? stopped(r, 'the run was stopped before its update') : r));
  if ('failed' in read) {
    cut = res.findIndex((r) => touched(r.arg).includes(read.failed));
    res[cut] = { ...res[cut]!, status: 'failed', message: `${res[cut]!.arg.text}: ${read.error.message}` };
  }
  const planned = planUnit(res, cut, read.devices, result, o);
  cut = cutAt(args, unit, planned.length);
  holdFrom(
    res,
    cut,
    unit,
    res.find((r) => !open(r)),
  );
  const toSend = planned.slice(0, cut);
  const sent = await sendUnit(toSend, sink, name, unit);
  sent.forEach((r, k) => (res[k] = r));
  const failed = sent.find((r) => r.status !== 'sent');
  // What was planned but not sent is in the journal: the next run sends it.
  if (failed) holdFrom(res, 0, unit, failed, toSend.length > 1 ? '; the next run sends it from the journal' : '');
  return res;
}

const open = (r: PushResult): boolean => r.status === 'dry-run';

/** A push as the meter's reading allows it (`dry-run`: not decided yet), or why it does not. */
function prechecked(arg: ReadArgument, result: ReadResult): PushResult {
  if (arg.mode === 'alert') {
    const pre = alertPrecheck(arg, result);
    if ('ok' in pre) return { arg, reading: pre.ok, alert: pre.alert, status: 'dry-run', notes: pre.notes };
    return { arg, status: pre.status, message: pre.message, notes: [], ...(pre.reading ? { reading: pre.reading } : {}) };
  }
  const pre = precheck(arg, result);
  if ('ok' in pre) return { arg, reading: pre.ok, status: 'dry-run', notes: [...(arg.notes ?? [])] };
  return { arg, status: pre.status, message: pre.message, notes: [], ...(pre.reading ? { reading: pre.reading } : {}) };
}

function stopped(r: PushResult, why: string): PushResult {
  return { ...r, status: 'stopped', message: `${r.arg.text}: not sent: ${why}` };
}

/** Every push from `cut` on that was going to be sent is held back, naming the one it goes with. */
function holdFrom(res: PushResult[], cut: number, unit: Unit, cause: PushResult | undefined, next = ''): void {
  for (let p = cut; p < res.length; p++) {
    const r = res[p]!;
    if (!open(r)) continue;
    if (cause?.status === 'stopped') {
      res[p] = stopped(r, `the run was stopped${next}`);
      continue;
    }
    const what = cause ? `${cause.arg.text} was not sent` : 'a push it goes with was not sent';
    res[p] = {
      ...r,
      status: 'held',
      message:
        `${r.arg.text}: not sent: ${what}, and the pushes on devices ${unit.devices.join(', ')} go together ` +
        `(one without the other would lose or count twice the usage since the last run)${next}`,
    };
  }
}

type DevicesRead =
  { devices: Map<string, Device> } | { devices: Map<string, Device>; failed: string; error: DomoticzError } | { stopped: true };

async function readDevices(needed: string[], client: DomoticzClient): Promise<DevicesRead> {
  const devices = new Map<string, Device>();
  for (const idx of needed) {
    try {
      devices.set(idx, await client.getDevice(idx));
    } catch (e) {
      if (!(e instanceof DomoticzError)) throw e;
      if (e.code === 'DZ_ABORTED') return { stopped: true };
      return { devices, failed: idx, error: e };
    }
  }
  return { devices };
}

/** Plans the pushes before `cut` in order, each seeing what the ones before it write; stops at the first refused. */
function planUnit(res: PushResult[], cut: number, devices: ReadonlyMap<string, Device>, result: ReadResult, o: PushOptions): Planned[] {
  const views = new Map<string, DeviceView>([...devices].map(([idx, device]) => [idx, { device }]));
  const out: Planned[] = [];
  for (let k = 0; k < cut; k++) {
    const r = res[k]!;
    const target = views.get(r.arg.idx)!;
    if (r.alert) {
      const d = planAlert(r.arg, r.alert, target.device);
      res[k] = { ...r, device: target.device.Name, ...('refused' in d ? { status: 'refused', message: d.refused } : {}) };
      if ('refused' in d) break;
      out.push({ result: res[k]!, svalue: d.send, nvalue: d.nvalue, additive: false });
      continue;
    }
    const compare = r.arg.idx2 === undefined ? undefined : views.get(r.arg.idx2);
    const reading = r.reading as Reading & { value: Decimal };
    const d = planPush(r.arg, reading, target, compare, { allowDecrease: o.allowDecrease, powerW: powerW(result) });
    if ('refused' in d) {
      res[k] = { ...r, device: target.device.Name, notes: d.notes, status: 'refused', message: d.refused };
      break;
    }
    res[k] = { ...r, device: target.device.Name, notes: d.notes };
    views.set(r.arg.idx, { device: target.device, written: d.stored });
    out.push({ result: res[k]!, svalue: d.send, additive: d.stored === 'unknown' });
  }
  return out;
}

function powerW(result: ReadResult): Decimal | undefined {
  const p = result.readings.get(POWER_REGISTER);
  return p?.value === undefined ? undefined : convert(p.value, p.unit, 'W');
}
