/**
 * What one push sends, decided without I/O: from the argument, the reading, the target device and (for
 * modes 1 and 2) the compare device as Domoticz shows them, the svalue for the target's type — or why
 * nothing may be sent. A total never goes down, a value that cannot be right is not sent, and a base
 * value that Domoticz shows rounded is not computed with.
 */
import { Decimal } from '../core/decimal.js';
import type { ReadResult, Reading } from '../core/reading.js';
import { implausible, isTotal } from '../core/units.js';
import type { ReadArgument } from './argument.js';
import type { Device } from './device.js';
import { largerUnit, shownValue } from './shown.js';
import { alignDeviceValue, describeTarget, formatSvalue, toTargetUnit, typeName, type Target } from './targets.js';

export type PushStatus = 'sent' | 'dry-run' | 'not-read' | 'refused' | 'failed';

/** A push the meter's reading allows, or why it does not. */
export type Precheck = { ok: Reading & { value: Decimal } } | { status: 'not-read' | 'refused'; message: string; reading?: Reading };

export function precheck(arg: ReadArgument, result: ReadResult): Precheck {
  const r = result.readings.get(arg.register);
  if (!r) {
    const failed = result.failed.some((f) => f.registers.includes(arg.register));
    const name = `register ${arg.register}`;
    const why = failed ? `${name} could not be read` : `the meter does not report ${name}`;
    return { status: 'not-read', message: `${arg.text}: not pushed: ${why}` };
  }
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

export type Decision = { send: string; notes: string[] } | { refused: string; notes: string[] };

export interface PlanOptions {
  allowDecrease: boolean;
  /** The meter's power in W (register 80) for a General/kWh device, when the run read it. */
  powerW: Decimal | undefined;
}

/** The svalue for `target`, or why it is refused. `compare` is read for modes 1 and 2. */
export function planPush(
  arg: ReadArgument,
  reading: Reading & { value: Decimal },
  target: Device,
  compare: Device | undefined,
  o: PlanOptions,
): Decision {
  const notes: string[] = [...(arg.notes ?? [])];
  const refuse = (why: string): Decision => ({ refused: `${arg.text}: ${why}`, notes });
  const label = `device ${arg.idx} "${target.Name}"`;
  const kind = describeTarget(target);
  if ('unsupported' in kind) return refuse(`${label}: ${kind.unsupported}`);
  if (kind.kind === 'incremental' && arg.mode !== 1) {
    return refuse(`${label} is a Counter Incremental, which adds what it is sent: use mode 1 with a compare device`);
  }
  const conv = toTargetUnit(reading.value, reading.unit, kind);
  if ('refused' in conv) return refuse(`${label}: ${conv.refused}`);
  if (conv.note) notes.push(conv.note);
  let value = conv.value;
  if (arg.mode !== 0) {
    const base = modeBase(arg, conv.value, kind, conv.unit, target, compare!, notes, o.allowDecrease);
    if ('refused' in base) return refuse(base.refused);
    value = base.value;
  } else if (isTotal(reading.unit) && !o.allowDecrease && kind.kind !== 'incremental') {
    const shown = shownValue(target, kind.kind);
    if ('none' in shown) notes.push(`${label} ${shown.none}: the check that a total does not go down was skipped`);
    // The stored total may be up to half a unit of the last shown digit below what Data shows.
    else if (shown.value.sub(Decimal.of(5, shown.lastDigit - 1)).compare(value) > 0) {
      const unit = conv.unit ? ` ${conv.unit}` : '';
      return refuse(
        `${value.toString()}${unit} is less than ${label} shows (${shown.value.toString()}): a meter total never goes down, not pushed (--allow-decrease after replacing the meter)`,
      );
    }
  }
  const sv = formatSvalue(kind, value, kind.kind === 'kwh' ? o.powerW : undefined);
  notes.push(...sv.notes);
  return { send: sv.svalue, notes };
}

/** Modes 1 and 2: reading − value(idx2), plus value(idx) for mode 2, every base value exact. */
function modeBase(
  arg: ReadArgument,
  reading: Decimal,
  kind: Target,
  unit: string,
  target: Device,
  compare: Device,
  notes: string[],
  allowDecrease: boolean,
): { value: Decimal } | { refused: string } {
  const cv = baseValue(
    compare,
    `compare device ${compare.idx} "${compare.Name}"`,
    kind.dataUnit === undefined ? unit : kind.dataUnit,
    reading,
    unit,
  );
  if ('refused' in cv) return cv;
  let value = reading.sub(cv.value);
  notes.push(`reading ${reading.toString()} − device ${arg.idx2} "${compare.Name}" ${cv.value.toString()} = ${value.toString()}`);
  if (isTotal(unit) && value.sign() < 0 && !allowDecrease) {
    return {
      refused:
        `the reading ${reading.toString()}${unit ? ' ' + unit : ''} is lower than compare device ${arg.idx2} "${compare.Name}" shows ` +
        `(${cv.value.toString()}): a meter total never goes down, not pushed (--allow-decrease after replacing the meter)`,
    };
  }
  if (arg.mode === 2) {
    const own = baseValue(target, `device ${arg.idx} "${target.Name}"`, undefined, reading, unit);
    if ('refused' in own) return own;
    notes.push(`device ${arg.idx} ${own.value.toString()} + ${value.toString()} = ${own.value.add(value).toString()}`);
    value = own.value.add(value);
  }
  return { value };
}

/** A device's shown value as the base of a computation: exact, in `toUnit`, with every digit the reading has. */
function baseValue(
  dev: Device,
  label: string,
  toUnit: string | undefined,
  reading: Decimal,
  unit: string,
): { value: Decimal } | { refused: string } {
  const kind = describeTarget(dev);
  const shown = shownValue(dev, 'unsupported' in kind ? undefined : kind.kind);
  if ('none' in shown) return { refused: `${label} ${shown.none}` };
  if (!shown.exact && shown.lastDigit > reading.exponent) {
    const larger = largerUnit('unsupported' in kind ? undefined : kind.dataUnit);
    return {
      refused:
        `${label} shows ${shown.text}, rounded by Domoticz to fewer digits than the reading has (${reading.toString()}${unit ? ' ' + unit : ''}): ` +
        `computing with it would be wrong${larger ? `; keep this total in ${larger}` : '; keep this total in a larger unit'}, or in a General/kWh or RFXMeter counter device`,
    };
  }
  if (toUnit === undefined) return { value: shown.value };
  const fromUnit = 'unsupported' in kind ? undefined : kind.dataUnit;
  const aligned = alignDeviceValue(shown.value, fromUnit, toUnit);
  if (!(aligned instanceof Decimal)) return { refused: `${label} (${typeName(dev)}): ${aligned.refused}` };
  return { value: aligned };
}
