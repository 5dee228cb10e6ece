/**
 * Pure M-Bus (EN 13757-2 link layer, EN 13757-3 application layer) for wired Kamstrup MULTICAL meters:
 * the public surface. One module per layer: link (frames, C field, master frames), secondary (selection),
 * framer (bytes → frames), header (CI and data header), dif / vif / vife / values / real / dates (record
 * codings), records, registers (KMP ids), telegram (a whole RSP_UD), json (what the product prints),
 * encode (records and telegrams for the simulator). No I/O.
 */
export * from './errors.js';
export * from './link.js';
export * from './secondary.js';
export * from './framer.js';
export * from './identity.js';
export * from './header.js';
export { DataField, encodeDib, type MbusFunction, type DibInput } from './dif.js';
export type { MbusValue } from './record-value.js';
export type { MbusRecord, RecordsResult, RecordContext } from './records.js';
export { decodeRecords } from './records.js';
export { assignRegisters, registerFor } from './registers.js';
export * from './telegram.js';
export * from './json.js';
export * from './encode.js';
