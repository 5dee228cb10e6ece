/**
 * Stable snake_case names for registers, for MQTT topics and JSON keys, derived from the register table's
 * names (src/kmp/tables.generated.ts) by one rule:
 *
 *  1. a parenthesised note is dropped — "(undocumented)", "(one decimal)", "(8 MSD)" — unless it is a
 *     code of letters then digits, which is kept as words: "Heat Energy (E1)" → "Heat Energy E1";
 *  2. camelCase is split where a lower-case letter or digit that ends a part of two or more characters
 *     meets an upper-case letter: "E1HighRes" → "E1 High Res", "HourCounter" → "Hour Counter", but
 *     "dE" and "wM-Bus" stay whole (→ de, wm_bus);
 *  3. everything that is not a letter or a digit separates words; words are lower-cased and joined by "_".
 *
 * So 60 "Heat Energy (E1)" → heat_energy_e1, 1004 "HourCounter" → hour_counter, 266 "E1HighRes" →
 * e1_high_res, 86 "Temp1" → temp1. NAME_OVERRIDES holds the few names where the rule gives an ugly or
 * ambiguous result; a test checks that the rule plus the overrides give every register a unique name.
 * A register not in the table is `register_<id>`.
 */
import { allRegisters, registerInfo } from '../kmp/registers.js';

export const NAME_OVERRIDES: Readonly<Record<number, string>> = {
  // "wM-Bus transmission interval (undocumented)": the rule gives wm_bus_…; the bus is called wM-Bus/wmbus.
  675: 'wmbus_transmission_interval',
  // "Info code (logger)": the rule drops "(logger)" and would collide with 99 "InfoCode".
  458: 'info_code_logger',
  // "Meter type" (electricity) would collide with 404 "Meter Type" (heat).
  1126: 'electricity_meter_type',
};

/** Words that name the MQTT topics next to the register topics; no register may take them. */
export const RESERVED_NAMES: readonly string[] = ['values', 'status'];

/** The rule alone (no overrides), for any table name. */
export function snakeCase(tableName: string): string {
  const noNotes = tableName.replace(/\(([^)]*)\)/g, (_m, inner: string) =>
    /^[A-Za-z]+\d+$/.test(inner.trim()) ? ` ${inner.trim()} ` : ' ',
  );
  const split = noNotes.replace(/(?<=[A-Za-z0-9][a-z0-9])(?=[A-Z])/g, ' ').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  return split
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase())
    .join('_');
}

/** The published name of a register: override, else the rule applied to its table name, else register_<id>. */
export function registerKey(id: number): string {
  const override = NAME_OVERRIDES[id];
  if (override !== undefined) return override;
  const info = registerInfo(id);
  if (!info) return `register_${id}`;
  const name = snakeCase(info.name);
  return name === '' || /^\d/.test(name) ? `register_${id}` : name;
}

/** Every table register's published name, for the uniqueness check and documentation. */
export function allRegisterKeys(): Array<{ id: number; key: string }> {
  return allRegisters().map((r) => ({ id: r.id, key: registerKey(r.id) }));
}
