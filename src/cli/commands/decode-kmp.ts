/**
 * `multical decode` for one KMP frame (kmp-protocol.md, kmp-loggers.md): requests (GetType, GetSerialNo,
 * GetRegister ids, logger requests) and replies — register records with names, units and exact values,
 * GetType and GetSerialNo, the CID 0xB8 logger replies (GetConfiguration, log readouts of subcommands 06
 * and 07) and the GetLog replies A0–A3. What does not decode throws the codec's KmpError.
 */
import { RawNumber } from '../../core/json.js';
import { toHex } from '../../core/hex.js';
import {
  CID_NAMES,
  Cid,
  decodeGetRegisterRequest,
  decodeGetSerialNoReply,
  decodeGetTypeReply,
  decodeRegisterRecords,
  type RegisterRecord,
} from '../../kmp/app.js';
import { formatRecord } from '../../kmp/format.js';
import { decodeFrame } from '../../kmp/frame.js';
import { decodeGetLogReply, decodeGetLogRequest, isGetLogCid } from '../../kmp/logger-getlog.js';
import { decodeLogReadoutReply } from '../../kmp/logger-readout.js';
import { CID_LOGGER, LOGGER_TYPE_NAMES, LoggerSub, decodeConfigurationReply, decodeLoggerRequest } from '../../kmp/logger.js';
import { registerName } from '../../kmp/registers.js';
import type { Context } from '../context.js';
import type { Decoded } from './decode-mbus.js';
import { renderTable, type Row } from '../readings-view.js';

const GETLOG_NAMES: Readonly<Record<number, string>> = {
  0xa0: 'GetLogTimePresent',
  0xa1: 'GetLogLastPresent',
  0xa2: 'GetLogIDPresent',
  0xa3: 'GetLogTimePast',
};
const SUB_NAMES: Readonly<Record<number, string>> = { 5: 'GetConfiguration', 6: 'GetLogIDPastAbs', 7: 'GetLogLastEntryPastAbs' };

function commandName(cid: number): string {
  if (cid === CID_LOGGER) return 'Logger';
  return CID_NAMES[cid] ?? GETLOG_NAMES[cid] ?? `CID 0x${cid.toString(16).toUpperCase().padStart(2, '0')}`;
}

/** A register record as `get --json` writes it, and as a table row. */
function registerJson(r: RegisterRecord): Record<string, unknown> {
  const f = formatRecord(r);
  return { id: r.id, name: registerName(r.id), value: f.numeric ? new RawNumber(f.text) : f.text, unit: f.unit };
}

function row(r: RegisterRecord): Row {
  const f = formatRecord(r);
  return { id: r.id, name: registerName(r.id), value: f.text, numeric: f.numeric, unit: f.unit };
}

export function decodeKmp(bytes: Uint8Array, ctx: Context): Decoded {
  const f = decodeFrame(bytes);
  const request = f.direction === 'toMeter';
  const base = { protocol: 'kmp', direction: request ? 'request' : 'reply', destination: f.destination, command: commandName(f.cid) };
  const head = `KMP ${base.command} ${request ? 'request to' : 'reply from'} 0x${f.destination.toString(16).toUpperCase().padStart(2, '0')}`;
  const body = request ? requestBody(f.cid, f.data) : replyBody(f.cid, f.data, ctx);
  return { doc: { ...base, ...body.doc }, text: `${head}${body.text}` };
}

function requestBody(cid: number, data: Uint8Array): { doc: Record<string, unknown>; text: string } {
  if (cid === Cid.GetRegister) {
    const ids = decodeGetRegisterRequest(data);
    return { doc: { registers: ids }, text: `: registers ${ids.map((id) => `${id} (${registerName(id)})`).join(', ')}\n` };
  }
  if (cid === CID_LOGGER) {
    const r = decodeLoggerRequest(data);
    const { sub: _sub, ...rest } = r;
    const doc = { subcommand: SUB_NAMES[r.sub], typeName: LOGGER_TYPE_NAMES[r.type], ...rest };
    return {
      doc,
      text: `: ${SUB_NAMES[r.sub]}, ${LOGGER_TYPE_NAMES[r.type] ?? `type ${r.type}`}${'registers' in r ? `, registers ${r.registers.join(', ')}` : ''}\n`,
    };
  }
  if (isGetLogCid(cid)) {
    const r = decodeGetLogRequest(cid, data);
    return { doc: { ...r }, text: `: LID ${r.lid}, registers ${r.registers.join(', ')}, ${r.records} records\n` };
  }
  return { doc: { data: toHex(data) }, text: data.length > 0 ? `: data ${toHex(data)}\n` : '\n' };
}

function replyBody(cid: number, data: Uint8Array, ctx: Context): { doc: Record<string, unknown>; text: string } {
  if (cid === Cid.GetRegister) {
    const records = decodeRegisterRecords(data);
    return { doc: { registers: records.map(registerJson) }, text: `\n${renderTable(ctx, records.map(row))}` };
  }
  if (cid === Cid.GetType) {
    const t = decodeGetTypeReply(data);
    const hex = '0x' + t.type.toString(16).toUpperCase().padStart(4, '0');
    return { doc: { meterType: t.type, meterTypeHex: hex, revision: t.revision }, text: `: meter type ${hex}, revision ${t.revision}\n` };
  }
  if (cid === Cid.GetSerialNo) {
    const serial = decodeGetSerialNoReply(data);
    return { doc: { serialNo: serial }, text: `: serial number ${serial}\n` };
  }
  if (cid === CID_LOGGER) return loggerReply(data, ctx);
  if (isGetLogCid(cid)) {
    const r = decodeGetLogReply(cid, data);
    const b = r.body;
    const records = (b?.records ?? []).map((x) => ({ recordId: x.recordId, registers: x.records.map(registerJson) }));
    const ids = b ? { lid: b.lid, lastRecordId: b.lastRecordId, newestRecordId: b.newestRecordId } : {};
    const doc = { info: r.info, flags: r.flags, ...ids, records };
    const rows = (b?.records ?? []).flatMap((x) =>
      x.records.map((rec) => ({ ...row(rec), name: `#${x.recordId} ${registerName(rec.id)}` })),
    );
    const flags = r.flags.length > 0 ? ` (${r.flags.join(', ')})` : '';
    return { doc, text: `: ${records.length} records${flags}\n${rows.length > 0 ? renderTable(ctx, rows) : ''}` };
  }
  return { doc: { data: toHex(data) }, text: data.length > 0 ? `: data ${toHex(data)}\n` : '\n' };
}

/** CID 0xB8: the subcommand byte says which reply it is. */
function loggerReply(data: Uint8Array, ctx: Context): { doc: Record<string, unknown>; text: string } {
  if (data[0] === LoggerSub.GetConfiguration) {
    const c = decodeConfigurationReply(data);
    const doc = {
      subcommand: 'GetConfiguration',
      type: c.type,
      typeName: LOGGER_TYPE_NAMES[c.type],
      depth: c.depth,
      registers: c.registers,
    };
    return {
      doc,
      text: `: GetConfiguration, ${LOGGER_TYPE_NAMES[c.type] ?? c.type}, depth ${c.depth}, registers ${c.registers.join(', ')}\n`,
    };
  }
  const r = decodeLogReadoutReply(data);
  const entries = r.entries.map((e) => ({ logId: e.logId, registers: e.records.map(registerJson) }));
  const doc = {
    subcommand: SUB_NAMES[r.sub],
    type: r.type,
    typeName: LOGGER_TYPE_NAMES[r.type],
    firstLogId: r.firstLogId,
    newestLogId: r.newestLogId,
    info: r.info,
    flags: r.flags,
    entries,
  };
  const rows = r.entries.flatMap((e) => e.records.map((rec) => ({ ...row(rec), name: `log ${e.logId} ${registerName(rec.id)}` })));
  const flags = r.flags.length > 0 ? ` (${r.flags.join(', ')})` : '';
  const head = `: ${SUB_NAMES[r.sub]}, ${LOGGER_TYPE_NAMES[r.type] ?? `type ${r.type}`}, ${entries.length} entries${flags}\n`;
  return { doc, text: head + (rows.length > 0 ? renderTable(ctx, rows) : '') };
}
