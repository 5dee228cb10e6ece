/**
 * What a register becomes on MQTT: its snake_case key, the value as exact decimal text (or a date/text
 * string), the unit it is published in, and how Home Assistant should see it.
 *
 * Values are published in a unit Home Assistant accepts for the sensor's device class, on every run with
 * or without --ha-discovery, so the state a sensor shows always matches its unit and a topic never
 * changes unit when discovery is switched on. Home Assistant's sensor device classes and their units
 * (homeassistant/components/sensor/const.py, DEVICE_CLASS_UNITS and DEVICE_CLASS_STATE_CLASSES):
 *
 *   energy            Wh kWh MWh GJ (and more in newer releases)   total_increasing
 *   water             m³ L                                          total_increasing
 *   volume_flow_rate  m³/h L/min (L/h only in newer releases)       measurement
 *   power             W kW (MW only in newer releases)              measurement
 *   temperature       °C °F K — K means an absolute temperature      measurement
 *   duration          h min s d                                     total_increasing allowed
 *   pressure          bar …                                         measurement
 *
 * The meter's l/h is therefore published as m³/h (÷ 1000, exact), l as L, MW as kW, GWh as MWh and
 * J/kJ/MJ as GJ (exact). A temperature difference (register 89, K) gets no device class: with class
 * temperature Home Assistant would take 28 K for −245 °C (or convert 28 °C to 82 °F in a °F home);
 * `temperature_delta` exists only since late 2025 and an older Home Assistant rejects the whole config.
 */
import type { Decimal } from '../core/decimal.js';
import type { Reading } from '../core/reading.js';
import { convert, unitDef, type Quantity } from '../core/units.js';
import { registerKey } from './names.js';

export type HaStateClass = 'measurement' | 'total_increasing';

export interface HaSensorClass {
  deviceClass?: string;
  stateClass?: HaStateClass;
}

export interface PublishedReading {
  id: number;
  /** snake_case key: JSON key in <topic>/values and the topic <topic>/<key>. */
  key: string;
  /** The register table's name, e.g. "Heat Energy (E1)". */
  name: string;
  /** Exact decimal text in `unit`, or a date/time/text string. */
  text: string;
  numeric: boolean;
  /** The unit published ("" for a plain number or text). */
  unit: string;
  /** The unit the meter reported. */
  meterUnit: string;
  ha: HaSensorClass;
}

interface Mapping {
  /** Units Home Assistant accepts for the class, in the spelling it uses. */
  accepted: readonly string[];
  /** The unit to convert to when the meter's is not accepted. */
  fallback: (meterUnit: string) => string;
  ha: HaSensorClass;
}

const BY_QUANTITY: Partial<Record<Quantity, Mapping>> = {
  energy: {
    accepted: ['Wh', 'kWh', 'MWh', 'GJ'],
    fallback: (u) => (unitDef(u)?.den === 1n ? 'MWh' : 'GJ'), // GWh → MWh; J, kJ, MJ → GJ: exact both ways
    ha: { deviceClass: 'energy', stateClass: 'total_increasing' },
  },
  volume: { accepted: ['m³', 'L'], fallback: () => 'L', ha: { deviceClass: 'water', stateClass: 'total_increasing' } },
  flow: {
    accepted: ['m³/h', 'L/min'],
    fallback: (u) => (u === 'l/min' ? 'L/min' : 'm³/h'),
    ha: { deviceClass: 'volume_flow_rate', stateClass: 'measurement' },
  },
  power: { accepted: ['W', 'kW'], fallback: () => 'kW', ha: { deviceClass: 'power', stateClass: 'measurement' } },
  temperature: { accepted: ['°C'], fallback: () => '°C', ha: { deviceClass: 'temperature', stateClass: 'measurement' } },
  tempdiff: { accepted: ['K'], fallback: () => 'K', ha: { stateClass: 'measurement' } },
  time: { accepted: ['h'], fallback: () => 'h', ha: { deviceClass: 'duration', stateClass: 'total_increasing' } },
  pressure: { accepted: ['bar'], fallback: () => 'bar', ha: { deviceClass: 'pressure', stateClass: 'measurement' } },
  mass: { accepted: ['ton'], fallback: () => 'ton', ha: { stateClass: 'total_increasing' } },
  'volume-temperature': { accepted: ['m³·°C'], fallback: () => 'm³·°C', ha: { stateClass: 'total_increasing' } },
};

/** The unit a numeric value in `meterUnit` is published in, and its Home Assistant classes. */
export function haMapping(meterUnit: string): { unit: string; ha: HaSensorClass } {
  const def = unitDef(meterUnit);
  if (meterUnit === '' || def?.quantity === 'number') return { unit: '', ha: {} };
  const m = def ? BY_QUANTITY[def.quantity] : undefined;
  if (!m) return { unit: meterUnit, ha: { stateClass: 'measurement' } };
  const unit = m.accepted.includes(meterUnit) ? meterUnit : m.fallback(meterUnit);
  return { unit, ha: { ...m.ha } };
}

/** A reading as it is published. */
export function publishedReading(r: Reading & { register: number }): PublishedReading {
  const base = { id: r.register, key: registerKey(r.register), name: r.name, meterUnit: r.unit };
  if (r.value === undefined) {
    // A yy:mm:dd or yyyy:mm:dd register is shown as an ISO date, which Home Assistant's `date` class takes.
    const isoDate = /^\d{4}-\d{2}-\d{2}$/.test(r.text) && (r.unit === 'yy:mm:dd' || r.unit === 'yyyy:mm:dd');
    return { ...base, text: r.text, numeric: false, unit: '', ha: isoDate ? { deviceClass: 'date' } : {} };
  }
  const { unit, ha } = haMapping(r.unit);
  const value: Decimal | undefined = unit === '' || unit === r.unit ? r.value : convert(r.value, r.unit, unit);
  if (value === undefined) return { ...base, text: r.value.toString(), numeric: true, unit: r.unit, ha: { stateClass: 'measurement' } };
  return { ...base, text: value.toString(), numeric: true, unit, ha };
}
