/**
 * What one push sends, decided without I/O: from the argument, the reading, the target device and (for
 * modes 1 and 2) the compare device as Domoticz shows them, the svalue for the target's type — or why
 * nothing may be sent. A total never goes down or below zero, a value that cannot be right is not sent,
 * and a base value that Domoticz shows rounded is not computed with.
 */
import { Decimal } from '../core/decimal.js';
import type { ReadResult, Reading } from '../core/reading.js';
import { implausible, isTotal, unitDef } from '../core/units.js';
import type { ReadArgument } from './argument.js';
import type { Device } from './device.js';
import { shownValue } from './shown.js';
import { alignDeviceValue, describeTarget, formatSvalue, isAlertDevice, toTargetUnit, typeName, type Target } from './targets.js';

export type PushStatus = 'sent' | 'dry-run' | 'not-read' | 'refused' | 'failed' | 'held' | 'stopped';

/** A push the meter's reading allows, or why it does not. */
export type Precheck = { ok: Reading & { value: Decimal } } | { status: 'not-read' | 'refused'; message: string; reading?: Reading };

/** The reading of the argument's register, or why the meter gave none: never pushed as 0. */
export function readingFor(arg: ReadArgument, result: ReadResult): Reading | { status: 'not-read'; message: string } {
  const r = result.readings.get(arg.register);
  if (r) return r;
  const failed = result.failed.some((f) => f.registers.includes(arg.register));
  const name = `register ${arg.register}`;
  const why = failed ? `${name} could not be read` : `the meter does not report ${name}`;
  return { status: 'not-read', message: `${arg.text}: not pushed: ${why}` };
}

export function precheck(arg: ReadArgument, result: ReadResult): Precheck {
  const r = readingFor(arg, result);
  if ('status' in r) return r;
  const name = `${r.register} (${r.name})`;
  if (r.value === undefined) {
    return {
      status: 'refused',
      reading: r,
      message: `${arg.text}: register ${r.register} is a ${r.unit} value (${r.text}), not a number Domoticz can store`,
    };
  }
  const bad = implausible(r.value, r.unit);
  if (bad)
    return {
      status: 'refused',
      reading: r,
      message: `${arg.text}: ${r.text} ${r.unit} cannot be right for register ${name}: not pushed (${bad})`,
    };
  return { ok: r as Reading & { value: Decimal } };
}

/**
 * A device as a unit's plan sees it: as Domoticz answered, or holding the value (in its Data unit) that
 * an earlier push of the same unit writes into it; 'unknown' after an increment.
 */
export interface DeviceView {
  device: Device;
  written?: Decimal | 'unknown';
}

export type Decision =
  | { send: string; /** What the device holds afterwards, in its Data unit. */ stored: Decimal | 'unknown'; notes: string[] }
  | { refused: string; notes: string[] };

export interface PlanOptions {
  allowDecrease: boolean;
  /** The meter's power in W (register 80) for a General/kWh device, when the run read it. */
  powerW: Decimal | undefined;
}

const DECREASE_HINT = 'a meter total never goes down, not pushed (--allow-decrease after replacing the meter)';

/** The svalue for `target`, or why it is refused. `compare` is read for modes 1 and 2. */
export function planPush(
  arg: ReadArgument,
  reading: Reading & { value: Decimal },
  target: DeviceView,
  compare: DeviceView | undefined,
  o: PlanOptions,
): Decision {
  const notes: string[] = [...(arg.notes ?? [])];
  const refuse = (why: string): Decision => ({ refused: `${arg.text}: ${why}`, notes });
  const label = `device ${arg.idx} "${target.device.Name}"`;
  const shape = describeTarget(target.device);
  if ('unsupported' in shape) return refuse(`${label}: ${shape.unsupported}`);
  if (shape.kind === 'incremental' && arg.mode !== 1) {
    return refuse(`${label} is a Counter Incremental, which adds what it is sent: use mode 1 with a compare device`);
  }
  const conv = toTargetUnit(reading.value, reading.unit, shape);
  if ('refused' in conv) return refuse(`${label}: ${conv.refused}`);
  if (conv.note) notes.push(conv.note);
  const total = isTotal(reading.unit) && !o.allowDecrease;
  let value = conv.value;
  if (arg.mode !== 0) {
    const base = modeBase(arg, { value: conv.value, unit: conv.unit, total }, shape, target, compare!, notes);
    if ('refused' in base) return refuse(base.refused);
    value = base.value;
  } else if (total && shape.kind !== 'incremental') {
    const why = decrease(label, target, shape, value, conv.unit, notes);
    if (why) return refuse(why);
  }
  const sv = formatSvalue(shape, value, shape.kind === 'kwh' ? o.powerW : undefined);
  notes.push(...sv.notes);
  const stored = shape.kind === 'incremental' ? 'unknown' : shape.kind === 'gas' ? Decimal.parse(sv.svalue)!.shift(-3) : value;
  return { send: sv.svalue, stored, notes };
}

/** Mode 0 of a total: why `value` is less than the target holds, or undefined (a note when that is not known). */
function decrease(label: string, target: DeviceView, shape: Target, value: Decimal, unit: string, notes: string[]): string | undefined {
  let holds: Decimal;
  let tolerance = Decimal.ZERO;
  if (target.written === 'unknown') return undefined;
  if (target.written) holds = target.written;
  else {
    const shown = shownValue(target.device, shape.kind);
    if ('none' in shown) {
      notes.push(`${label} ${shown.none}: the check that a total does not go down was skipped`);
      return undefined;
    }
    holds = shown.value;
    // What Domoticz stores may be up to half a unit of the last known digit below what it shows.
    if (!shown.exact) tolerance = Decimal.of(5, shown.lastDigit - 1);
  }
  if (holds.sub(tolerance).compare(value) <= 0) return undefined;
  return `${value.toString()}${unit ? ` ${unit}` : ''} is less than ${label} shows (${holds.toString()}): ${DECREASE_HINT}`;
}

interface ModeReading {
  /** In the arithmetic's unit. */
  value: Decimal;
  unit: string;
  /** A meter total, checked for going down. */
  total: boolean;
}

/** Modes 1 and 2: reading − value(idx2), plus value(idx) for mode 2, every base value exact. */
function modeBase(
  arg: ReadArgument,
  r: ModeReading,
  shape: Target,
  target: DeviceView,
  compare: DeviceView,
  notes: string[],
): { value: Decimal } | { refused: string } {
  const u = r.unit ? ` ${r.unit}` : '';
  const cmpLabel = `compare device ${arg.idx2} "${compare.device.Name}"`;
  const cv = baseValue(compare, cmpLabel, shape.dataUnit === undefined ? r.unit : shape.dataUnit, r);
  if ('refused' in cv) return cv;
  let value = r.value.sub(cv.value);
  notes.push(`reading ${r.value.toString()} − device ${arg.idx2} "${compare.device.Name}" ${cv.value.toString()} = ${value.toString()}`);
  if (r.total && value.sign() < 0) {
    return { refused: `the reading ${r.value.toString()}${u} is lower than ${cmpLabel} shows (${cv.value.toString()}): ${DECREASE_HINT}` };
  }
  if (arg.mode === 2) {
    const ownLabel = `device ${arg.idx} "${target.device.Name}"`;
    const own = baseValue(target, ownLabel, undefined, r);
    if ('refused' in own) return own;
    notes.push(`device ${arg.idx} ${own.value.toString()} + ${value.toString()} = ${own.value.add(value).toString()}`);
    value = own.value.add(value);
    if (r.total && value.sign() < 0) {
      return {
        refused: `${ownLabel} shows ${own.value.toString()}${u}: the total would be ${value.toString()}${u}, below zero: not pushed (--allow-decrease sends it)`,
      };
    }
  }
  return { value };
}

/** A device's value as the base of a computation: exact, in `toUnit`, with every digit the reading has. */
function baseValue(view: DeviceView, label: string, toUnit: string | undefined, r: ModeReading): { value: Decimal } | { refused: string } {
  const dev = view.device;
  // An Alert's text holds flag names ("SENSOR_T1_…"): the first number in it is no value.
  if (isAlertDevice(dev)) return { refused: `${label} is a ${typeName(dev)} device: it holds a text, not a value` };
  const described = describeTarget(dev);
  const shape = 'unsupported' in described ? undefined : described;
  let value: Decimal;
  if (view.written === 'unknown') {
    return { refused: `${label} is a Counter Incremental that an earlier push of this run adds to: its total afterwards is not known` };
  } else if (view.written) value = view.written;
  else {
    const shown = shownValue(dev, shape?.kind);
    if ('none' in shown) return { refused: `${label} ${shown.none}` };
    if (!shown.exact && shown.lastDigit > r.value.exponent) return { refused: roundedAway(label, shown.text, r) };
    value = shown.value;
  }
  if (toUnit === undefined) return { value };
  const aligned = alignDeviceValue(value, shape?.dataUnit, toUnit);
  if (!(aligned instanceof Decimal)) return { refused: `${label} (${typeName(dev)}): ${aligned.refused}` };
  return { value: aligned };
}

/** Domoticz rounded the base away; `%g` keeps 6 significant digits whatever the unit, so say which device type keeps them all. */
function roundedAway(label: string, text: string, r: ModeReading): string {
  const quantity = unitDef(r.unit)?.quantity;
  const instead =
    quantity === 'energy'
      ? 'a General/kWh device (in Wh) or an RFXMeter counter, which show every digit'
      : quantity === 'volume'
        ? 'a P1 Smart Meter/Gas device (in litres), which shows every litre'
        : 'a device type that shows every digit';
  return (
    `${label} shows ${text}, which Domoticz rounded to 6 significant digits, and the computation needs the digits of the ` +
    `reading (${r.value.toString()}${r.unit ? ' ' + r.unit : ''}): computing with it would be wrong; keep this total in ${instead} ` +
    `(a larger unit does not help: %g keeps 6 significant digits in any unit)`
  );
}
