/**
 * A Domoticz device as `getdevices` answers it (domoticz-api.md, "Device types"), checked for the shape
 * the push code relies on: an answer of another shape is a Domoticz error, never a crash.
 */
import { DomoticzError } from './errors.js';

export interface Device {
  /** Always a string in Domoticz's answers. */
  idx: string;
  Name: string;
  Type: string;
  SubType: string;
  /** The value as Domoticz shows it, with its unit: "12.345 GJ". */
  Data: string;
  /** Custom Sensors only: the axis label the user typed. */
  SensorUnit?: string;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;

/** A device object from an answer, or a DZ_BAD_ANSWER naming what is wrong with it. */
export function deviceOf(v: unknown, what: string): Device {
  const bad = (why: string): never => {
    throw new DomoticzError('DZ_BAD_ANSWER', `${what}: Domoticz answered a device ${why}`);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('that is not an object');
  const o = v as Record<string, unknown>;
  const idx = str(o.idx) ?? bad('without an idx');
  if (!/^\d{1,9}$/.test(idx)) bad(`whose idx ${JSON.stringify(idx.slice(0, 12))} is not a number`);
  const dev: Device = {
    idx,
    Name: str(o.Name) ?? bad(`${idx} without a name`),
    Type: str(o.Type) ?? bad(`${idx} without a type`),
    SubType: str(o.SubType) ?? '',
    // A number too large for a double arrives as Infinity: not a value (shown.ts says so), not a malformed answer.
    Data: o.Data === undefined ? '' : typeof o.Data === 'number' ? String(o.Data) : (str(o.Data) ?? bad(`${idx} whose Data is not text`)),
  };
  if (o.SensorUnit !== undefined) dev.SensorUnit = str(o.SensorUnit) ?? bad(`${idx} whose SensorUnit is not text`);
  return dev;
}
