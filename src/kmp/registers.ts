/** Register and unit names, from the generated tables (single source: ../shared/data/*.tsv). */
import { REGISTER_ROWS, UNIT_ROWS } from './tables.generated.js';

export interface RegisterInfo {
  id: number;
  name: string;
  families: readonly string[];
}

export interface UnitInfo {
  code: number;
  symbol: string;
  note: string;
}

const registers = new Map<number, RegisterInfo>(REGISTER_ROWS.map(([id, name, family]) => [id, { id, name, families: family.split(',') }]));
const units = new Map<number, UnitInfo>(UNIT_ROWS.map(([code, symbol, note]) => [code, { code, symbol, note }]));

export function registerInfo(id: number): RegisterInfo | undefined {
  return registers.get(id);
}

export function registerName(id: number): string {
  return registers.get(id)?.name ?? `Register ${id}`;
}

export function allRegisters(): RegisterInfo[] {
  return [...registers.values()];
}

export function unitInfo(code: number): UnitInfo | undefined {
  return units.get(code);
}

/** The unit symbol as the tables write it; `""` for a plain number; `unit 0xNN` for a code not in the table. */
export function unitSymbol(code: number): string {
  const u = units.get(code);
  if (u) return u.symbol;
  return `unit 0x${code.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** Unit codes by symbol, for the simulator and for conversions. */
export function unitCode(symbol: string): number {
  for (const u of units.values()) if (u.symbol === symbol) return u.code;
  throw new RangeError(`no KMP unit ${symbol}`);
}

/** The 31 registers of the classic script's --test_kamstrup, in its order. */
export const CLASSIC_TEST_REGISTERS: readonly number[] = [
  60, 80, 86, 87, 89, 74, 68, 141, 139, 140, 138, 145, 143, 149, 150, 144, 142, 126, 124, 125, 123, 130, 128, 146, 147, 129, 127, 97, 110,
  113, 1004,
];
