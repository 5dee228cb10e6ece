/**
 * The simulated MULTICAL's registers: each a function of the clock, so energy, volume and the hour
 * counter grow between runs and temperatures move, in the units a MULTICAL 403 reports.
 */
import { Decimal } from '../core/decimal.js';

export interface SimValue {
  unit: string;
  value: Decimal;
}

export type Generator = (t: number) => SimValue;
export type EnergyUnit = 'MWh' | 'GJ' | 'kWh';

/** 2026-01-01T00:00:00Z: the simulated meter's totals are counted from here. */
export const T0 = Date.UTC(2026, 0, 1) / 1000;

const d = (coefficient: bigint | number, exponent = 0): Decimal =>
  Decimal.of(typeof coefficient === 'number' ? Math.round(coefficient) : coefficient, exponent);
const wave = (t: number, periodS: number, phase = 0): number => Math.sin((2 * Math.PI * (t + phase)) / periodS);

export function energyKWh(t: number, baseKWh: number, avgKW: number): bigint {
  return BigInt(baseKWh) + BigInt(Math.floor(((t - T0) * avgKW) / 3600));
}

export function energy(unit: EnergyUnit, kWh: bigint): SimValue {
  if (unit === 'kWh') return { unit, value: d(kWh) };
  if (unit === 'MWh') return { unit, value: d(kWh, -3) };
  return { unit, value: d(kWh * 36n, -4) }; // 1 kWh = 0.0036 GJ
}

function yymmdd(date: Date): Decimal {
  return d((date.getUTCFullYear() % 100) * 10000 + (date.getUTCMonth() + 1) * 100 + date.getUTCDate());
}

function hhmmss(date: Date): Decimal {
  return d(date.getUTCHours() * 10000 + date.getUTCMinutes() * 100 + date.getUTCSeconds());
}

function daysBefore(t: number, days: number): Date {
  return new Date((t - days * 86400) * 1000);
}

export const temp1 = (t: number): number => 6543 + Math.round(250 * wave(t, 1800));
export const temp2 = (t: number): number => 4021 + Math.round(120 * wave(t, 2400, 300));
export const flowLh = (t: number): number => 456 + Math.round(80 * wave(t, 900));
export const e1KWh = (t: number): bigint => energyKWh(t, 55006, 12.3);
export const volumeCm3 = (t: number): bigint => 123456n + BigInt(Math.floor(((t - T0) * 45.6) / 3600));
export const hours = (t: number): number => 21432 + Math.floor((t - T0) / 3600);

const fixed =
  (unit: string, c: number, e = 0): Generator =>
  () => ({ unit, value: d(c, e) });
const dateBack =
  (days: number): Generator =>
  (t) => ({ unit: 'yy:mm:dd', value: yymmdd(daysBefore(t, days)) });

function maxima(): Array<[number, Generator]> {
  return [
    [123, dateBack(120)],
    [124, fixed('l/h', 1210)],
    [125, dateBack(200)],
    [126, fixed('l/h', 0)],
    [127, dateBack(95)],
    [128, fixed('kW', 388, -1)],
    [129, dateBack(210)],
    [130, fixed('kW', 0, -1)],
    [138, dateBack(9)],
    [139, fixed('l/h', 987)],
    [140, dateBack(3)],
    [141, fixed('l/h', 12)],
    [142, dateBack(9)],
    [143, fixed('kW', 301, -1)],
    [144, dateBack(3)],
    [145, fixed('kW', 4, -1)],
    [146, fixed('°C', 6312, -2)],
    [147, fixed('°C', 3975, -2)],
    [149, fixed('°C', 6488, -2)],
    [150, fixed('°C', 4102, -2)],
  ];
}

/** Register id → value as a function of time (seconds since the epoch). */
export function buildRegisters(energyUnit: EnergyUnit, serialNo: number, infoCode = 0): Map<number, Generator> {
  const e =
    (base: number, kW: number): Generator =>
    (t) =>
      energy(energyUnit, energyKWh(t, base, kW));
  const g: Array<[number, Generator]> = [
    [60, (t) => energy(energyUnit, e1KWh(t))],
    [61, e(98110, 21.9)],
    [62, e(43104, 9.6)],
    [63, e(12, 0)],
    [94, e(0, 0)],
    [95, e(0, 0)],
    [96, e(0, 0)],
    [266, (t) => ({ unit: 'Wh', value: d(e1KWh(t) * 1000n + BigInt(Math.floor((((t - T0) * 12.3) % 3600) / 3.6))) })],
    [68, (t) => ({ unit: 'm³', value: d(volumeCm3(t), -2) })],
    [69, fixed('m³', 0, -2)],
    [239, (t) => ({ unit: 'm³', value: d(1234560n + BigInt(Math.floor(((t - T0) * 456) / 3600)), -3) })],
    [74, (t) => ({ unit: 'l/h', value: d(flowLh(t)) })],
    [75, fixed('l/h', 0)],
    [80, (t) => ({ unit: 'kW', value: d(Math.round((flowLh(t) * (temp1(t) - temp2(t))) / 100 / 86), -1) })],
    [86, (t) => ({ unit: '°C', value: d(temp1(t), -2) })],
    [87, (t) => ({ unit: '°C', value: d(temp2(t), -2) })],
    [88, fixed('°C', 1000, -2)],
    [89, (t) => ({ unit: 'K', value: d(temp1(t) - temp2(t), -2) })],
    [91, fixed('bar', 25, -1)],
    [92, fixed('bar', 21, -1)],
    [97, (t) => ({ unit: 'm³·°C', value: d(8123456n + BigInt(Math.floor((t - T0) / 120))) })],
    [110, (t) => ({ unit: 'm³·°C', value: d(5012345n + BigInt(Math.floor((t - T0) / 190))) })],
    [99, fixed('', infoCode)],
    [113, fixed('', 0)],
    ...maxima(),
    [152, fixed('', 19101050)],
    [153, fixed('', 10310)],
    [154, fixed('', 41209)],
    [175, fixed('h', 0)],
    [1001, fixed('', serialNo)],
    [1002, (t) => ({ unit: 'hh:mm:ss', value: hhmmss(new Date(t * 1000)) })],
    [1003, (t) => ({ unit: 'yy:mm:dd', value: yymmdd(new Date(t * 1000)) })],
    [1004, (t) => ({ unit: 'h', value: d(hours(t)) })],
    [1005, fixed('', 0)],
    [1010, fixed('', 12345678)],
  ];
  return new Map(g);
}
