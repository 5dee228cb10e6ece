/**
 * The records a simulated Kamstrup M-Bus module sends (mbus-protocol.md §7 "Records" and §9.2), each a
 * function of the clock: the same curves as the KMP simulator (kmp-registers.ts) — E1, V1, temperatures,
 * flow, power, E8/E9, hours — so one simulated meter reads alike over KMP and M-Bus. MULTICAL 403: the 20
 * records of §9.2; MULTICAL 603: those, the tariff registers, the pulse inputs and more target-date values.
 */
import { Decimal } from '../core/decimal.js';
import type { RecordInput } from '../mbus/index.js';
import { buildRegisters, e1KWh, volumeCm3, type EnergyUnit, type Generator } from './kmp-registers.js';
import type { MbusModel } from './mbus-spec.js';

export type { MbusModel } from './mbus-spec.js';

/** Version bytes and media of the wired modules (mbus-protocol.md §7 "Identification"). */
export const MODEL_HEADER: Readonly<Record<MbusModel, { version: number; medium: number }>> = {
  '403': { version: 0x34, medium: 0x0c },
  '603': { version: 0x35, medium: 0x0c },
};

/** One record: its DIB and VIB, the KMP register it stands for (for `omit`), and its value at time t (s). */
interface Spec {
  dif: string;
  vif: string;
  register?: number;
  value: (t: number) => RecordInput['value'];
}

/** Energy VIFs by unit: kWh (06), 0.01 GJ (0F), 0.1 MWh (FB 00); E3 adds VIFE 3C (backward flow). */
const ENERGY_VIF: Readonly<Record<EnergyUnit, { e1: string; e3: string }>> = {
  kWh: { e1: '06', e3: '86 3C' },
  GJ: { e1: '0F', e3: '8F 3C' },
  MWh: { e1: 'FB 00', e3: 'FB 80 3C' },
};

/** kWh as the module sends it: whole kWh, whole 0.01 GJ, whole 0.1 MWh (rounded down, as a counter is). */
function energyIn(unit: EnergyUnit, kWh: bigint): Decimal {
  if (unit === 'kWh') return Decimal.of(kWh);
  if (unit === 'MWh') return Decimal.of(kWh / 100n, -1);
  return Decimal.of((kWh * 36n) / 100n, -2); // 1 kWh = 0.0036 GJ
}

const num = (value: Decimal): RecordInput['value'] => ({ kind: 'number', value });

/** Midnight UTC of the first day of t's month: the target date. */
export function targetDate(t: number): number {
  const d = new Date(t * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
}

function minuteText(t: number): string {
  return new Date(Math.floor(t / 60) * 60_000).toISOString().slice(0, 16);
}

function specs403(unit: EnergyUnit, serialNo: number, implausible: boolean): Spec[] {
  const g = buildRegisters('kWh', serialNo);
  const reg = (id: number, dif: string, vif: string): Spec => {
    const gen: Generator = g.get(id)!;
    return { dif, vif, register: id, value: (t) => num(gen(t).value) };
  };
  const v = ENERGY_VIF[unit];
  return [
    reg(1001, '0C', '78'),
    { dif: '04', vif: v.e1, register: 60, value: (t) => num(energyIn(unit, e1KWh(t))) },
    { dif: '04', vif: v.e3, register: 63, value: (t) => num(energyIn(unit, g.get(63)!(t).value.coefficient)) },
    reg(68, '04', '14'),
    reg(97, '04', 'FF 07'),
    reg(110, '04', 'FF 08'),
    reg(1004, '04', '22'),
    reg(175, '34', '22'),
    implausible ? { dif: '02', vif: '5A', register: 86, value: () => num(Decimal.of(10000, -1)) } : reg(86, '02', '59'),
    reg(87, '02', '5D'),
    reg(89, '02', '61'),
    reg(80, '04', '2D'),
    reg(143, '14', '2D'),
    reg(74, '04', '3B'),
    reg(139, '14', '3B'),
    reg(99, '04', 'FF 22'),
    { dif: '04', vif: '6D', register: 1002, value: (t) => ({ kind: 'datetime', text: minuteText(t) }) },
    { dif: '44', vif: v.e1, value: (t) => num(energyIn(unit, e1KWh(targetDate(t)))) },
    { dif: '44', vif: '14', value: (t) => num(Decimal.of(volumeCm3(targetDate(t)), -2)) },
    {
      dif: '42',
      vif: '6C',
      register: 98,
      value: (t) => ({ kind: 'date', text: new Date(targetDate(t) * 1000).toISOString().slice(0, 10) }),
    },
  ];
}

function specs603(unit: EnergyUnit, serialNo: number, implausible: boolean): Spec[] {
  const fixed = (dif: string, vif: string, value: Decimal, register?: number): Spec => ({
    dif,
    vif,
    ...(register === undefined ? {} : { register }),
    value: () => num(value),
  });
  const v = ENERGY_VIF[unit];
  const g = buildRegisters('kWh', serialNo);
  return [
    ...specs403(unit, serialNo, implausible),
    fixed('84 10', v.e1, energyIn(unit, 0n), 64),
    fixed('84 20', v.e1, energyIn(unit, 0n), 65),
    fixed('84 40', '14', Decimal.of(123456, -2), 84),
    fixed('84 80 40', '14', Decimal.of(0, -2), 85),
    fixed('44', v.e3, energyIn(unit, 12n)),
    { dif: '44', vif: 'FF 07', value: (t) => num(g.get(97)!(targetDate(t)).value) },
    { dif: '44', vif: 'FF 08', value: (t) => num(g.get(110)!(targetDate(t)).value) },
    fixed('54', '2D', Decimal.of(388, -1)),
    fixed('54', '3B', Decimal.of(1210)),
  ];
}

export interface RecordSet {
  /** The records at time t (seconds since the epoch), in telegram order. */
  at(t: number): RecordInput[];
  /** How many records there are. */
  readonly count: number;
}

export function recordSet(
  model: MbusModel,
  o: { energyUnit: EnergyUnit; serialNo: number; omit: readonly number[]; implausible: boolean },
): RecordSet {
  const all = (model === '403' ? specs403 : specs603)(o.energyUnit, o.serialNo, o.implausible);
  const kept = all.filter((s) => s.register === undefined || !o.omit.includes(s.register));
  return {
    count: kept.length,
    at: (t) => kept.map((s) => ({ dif: s.dif, vif: s.vif, value: s.value(t) })),
  };
}
