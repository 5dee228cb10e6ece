/**
 * What each Domoticz device type takes as svalue and how its Data shows the value, per
 * ../shared/docs/domoticz-api.md ("Device types"): the unit its Data is in (how the current value is
 * read back) and how a value in that unit is written into svalue.
 */
import { Decimal } from '../core/decimal.js';
import { convert, sameQuantity, unitDef } from '../core/units.js';
import type { Device } from './device.js';

export type TargetKind = 'custom' | 'temp' | 'kwh' | 'counter' | 'gas' | 'waterflow' | 'percentage' | 'incremental';

export interface Target {
  kind: TargetKind;
  /** Human name of the type, for messages: "General/Custom Sensor". */
  typeName: string;
  /** Unit of the number in Data (and of the arithmetic); undefined when the device's unit is free text we do not know. */
  dataUnit: string | undefined;
}

export function typeName(dev: Device): string {
  return `${dev.Type}/${dev.SubType}`;
}

/**
 * A General/Alert device (Domoticz's documented JSON API: nvalue a level 0–4, svalue a text; not in the
 * measured domoticz-api.md). It takes an info code's flags (alert.ts), never a number.
 */
export function isAlertDevice(dev: Device): boolean {
  return dev.Type === 'General' && dev.SubType === 'Alert';
}

/** The kind of target a device is, or a reason it cannot take a meter reading. */
export function describeTarget(dev: Device): Target | { unsupported: string } {
  const t = dev.Type;
  const s = dev.SubType;
  const name = typeName(dev);
  if (t === 'General' && s === 'Custom Sensor') {
    const unit = typeof dev.SensorUnit === 'string' ? dev.SensorUnit.trim() : '';
    const def = unit === '' ? undefined : unitDef(unit);
    return { kind: 'custom', typeName: name, dataUnit: def ? def.symbol : undefined };
  }
  if (t === 'Temp') return { kind: 'temp', typeName: name, dataUnit: '°C' };
  if (t === 'General' && s === 'kWh') return { kind: 'kwh', typeName: name, dataUnit: 'kWh' };
  if (t === 'P1 Smart Meter' && s === 'Gas') return { kind: 'gas', typeName: name, dataUnit: 'm³' };
  if (t === 'General' && s === 'Waterflow') return { kind: 'waterflow', typeName: name, dataUnit: 'l/min' };
  if (t === 'General' && s === 'Percentage') return { kind: 'percentage', typeName: name, dataUnit: '' };
  if (t === 'RFXMeter' && s === 'RFXMeter counter') {
    // Recorded: count 1300 shows as "1.300 kWh": an energy counter in Wh. Other counter types have
    // dividers set in the Domoticz settings that the API does not tell: refuse rather than guess.
    if (dataUnitText(dev) === 'kWh') return { kind: 'counter', typeName: name, dataUnit: 'kWh' };
    return { unsupported: `${name} device whose Data is not in kWh: its divider is unknown` };
  }
  if (t === 'General' && s === 'Counter Incremental') {
    if (dataUnitText(dev) === 'kWh') return { kind: 'incremental', typeName: name, dataUnit: 'kWh' };
    return { unsupported: `${name} device whose Data is not in kWh: its divider is unknown` };
  }
  if (isAlertDevice(dev)) return { unsupported: `a ${name} device takes an info code's flags (idx:99:alert), not a meter reading` };
  return { unsupported: `a ${name} device cannot take a meter reading` };
}

function dataUnitText(dev: Device): string | undefined {
  const m = /^\s*-?\d+(?:\.\d+)?\s*(\S.*)?$/.exec(dev.Data);
  return m?.[1]?.trim();
}

export interface Conversion {
  value: Decimal;
  /** Unit of `value`. */
  unit: string;
  note?: string;
}

/**
 * Expresses a reading (value in the meter's unit) in the target's Data unit, or says why it cannot be.
 * A device with an unknown (free text) unit takes the reading as the meter reports it.
 */
export function toTargetUnit(value: Decimal, meterUnit: string, target: Target): Conversion | { refused: string } {
  const want = target.dataUnit;
  if (target.kind === 'percentage') {
    if (meterUnit !== '') return { refused: `a Percentage device takes plain numbers, and this reading is in ${meterUnit}` };
    return { value, unit: '' };
  }
  if (want === undefined)
    return { value, unit: meterUnit, note: 'the device unit is not one multical knows: sent as the meter reports it' };
  if (meterUnit === want) return { value, unit: want };
  if (!unitDef(meterUnit))
    return {
      refused: `the meter reports this register in ${meterUnit || 'no unit'}, which a ${target.typeName} device in ${want} cannot take`,
    };
  if (!sameQuantity(meterUnit, want)) {
    return {
      refused: `a reading in ${meterUnit || 'no unit (a plain number)'} cannot be expressed in ${want} for a ${target.typeName} device`,
    };
  }
  return { value: convert(value, meterUnit, want)!, unit: want, note: `converted from ${meterUnit} to ${want}` };
}

/** A device value read from Data (unit `fromUnit`, may be unknown) in the unit the arithmetic uses. */
export function alignDeviceValue(value: Decimal, fromUnit: string | undefined, toUnit: string): Decimal | { refused: string } {
  if (fromUnit === undefined || fromUnit === toUnit || (toUnit === '' && fromUnit === '')) return value;
  if (!unitDef(toUnit)) return value;
  if (!sameQuantity(fromUnit, toUnit))
    return { refused: `the compare device is in ${fromUnit || 'no unit'}, the target in ${toUnit || 'no unit'}` };
  return convert(value, fromUnit, toUnit)!;
}

export interface Svalue {
  svalue: string;
  notes: string[];
}

/**
 * Writes a value (in the target's Data unit) as the svalue that device type wants.
 * `powerW` is the meter's power in W for a kWh device, when the run read register 80.
 */
export function formatSvalue(target: Target, value: Decimal, powerW: Decimal | undefined): Svalue {
  const notes: string[] = [];
  const text = (d: Decimal): string => d.trimTo(0).toString();
  switch (target.kind) {
    case 'kwh': {
      const wh = value.shift(3);
      if (powerW === undefined) notes.push('power 0 W sent: register 80 (Power) was not read in this run');
      return { svalue: `${text(powerW ?? Decimal.ZERO)};${text(wh)}`, notes };
    }
    case 'counter':
    case 'incremental':
      return { svalue: text(value.shift(3)), notes };
    case 'gas': {
      const litres = value.shift(3);
      const whole = litres.floor();
      if (!whole.equals(litres)) notes.push(`a Gas device counts whole litres: ${text(litres)} l sent as ${text(whole)}`);
      return { svalue: text(whole), notes };
    }
    default:
      return { svalue: text(value), notes };
  }
}
