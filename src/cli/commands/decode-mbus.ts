/**
 * `multical decode` for one M-Bus frame (EN 13757-2/-3; mbus-protocol.md §2–9): a slave's telegram as the
 * codec's JSON (`telegramJsonValue`) and a records table; E5; and the master's frames — SND_NKE, REQ_UD1/2
 * with their FCB, application reset, set address and other data sends, a selection (its mask), a baud-rate
 * switch. What does not decode throws the codec's MbusError, which names what is wrong.
 */
import { toHex } from '../../core/hex.js';
import {
  BAUD_RATES,
  Control,
  ControlBit,
  MasterCi,
  decodeFrame,
  decodeRecords,
  decodeSelection,
  decodeTelegram,
  hexByte,
  isFromMaster,
  telegramJsonValue,
  type MbusFrame,
} from '../../mbus/index.js';
import { recordReading } from '../../meter/mbus-reading.js';
import type { Context } from '../context.js';
import { renderRecords } from '../readings-view.js';

export interface Decoded {
  /** The frame's JSON object (one of `--json`'s). */
  doc: Record<string, unknown>;
  /** What the table output prints for it. */
  text: string;
}

const CONTROL_NAMES: Readonly<Record<number, string>> = {
  [Control.SND_NKE]: 'SND_NKE (link reset)',
  [Control.SND_UD]: 'SND_UD',
  [Control.SND_UD_FCB]: 'SND_UD',
  [Control.REQ_UD1]: 'REQ_UD1 (class 1 data: alarms)',
  [Control.REQ_UD1_FCB]: 'REQ_UD1 (class 1 data: alarms)',
  [Control.REQ_UD2]: 'REQ_UD2 (class 2 data: the reading)',
  [Control.REQ_UD2_FCB]: 'REQ_UD2 (class 2 data: the reading)',
};

function addressName(a: number): string {
  if (a === 0xfd) return 'FD (the meter selected by secondary address)';
  if (a === 0xfe) return 'FE (every meter answers)';
  if (a === 0xff) return 'FF (broadcast, no answer)';
  return `${a}`;
}

export function decodeMbus(bytes: Uint8Array, ctx: Context): Decoded {
  const frame = decodeFrame(bytes);
  if (frame.kind === 'ack')
    return { doc: { protocol: 'mbus', frame: 'E5', meaning: 'acknowledgement' }, text: 'M-Bus E5: acknowledgement\n' };
  if (isFromMaster(frame.control)) return masterFrame(frame);
  if (frame.kind === 'short') {
    const doc = { protocol: 'mbus', frame: 'short', direction: 'from slave', control: hexByte(frame.control), address: frame.address };
    return { doc, text: `M-Bus short frame from a slave: C ${hexByte(frame.control)}, address ${frame.address}\n` };
  }
  const t = decodeTelegram(frame);
  const h = t.header;
  const who = h
    ? `${h.id} ${h.manufacturer}, version 0x${h.version.toString(16).toUpperCase().padStart(2, '0')}, ${h.medium.name}, access number ${h.accessNumber}`
    : `CI ${hexByte(t.ci)}`;
  const lines = [`M-Bus RSP_UD from address ${t.address}: ${who}${t.moreFollows ? ' (more telegrams follow)' : ''}\n`];
  if (t.applicationError) lines.push(`application error ${t.applicationError.code}: ${t.applicationError.message}\n`);
  if (t.records.length > 0) lines.push(renderRecords(ctx, t.records.map(recordReading)));
  if (t.manufacturerData) lines.push(`manufacturer data: ${toHex(t.manufacturerData)}\n`);
  for (const p of t.problems) lines.push(`note: ${p}\n`);
  return { doc: telegramJsonValue(t), text: lines.join('') };
}

/** A frame from the master: what it asks, of whom. */
function masterFrame(frame: Exclude<MbusFrame, { kind: 'ack' }>): Decoded {
  const base = { protocol: 'mbus', direction: 'from master', control: hexByte(frame.control), address: frame.address };
  const fcb = (frame.control & ControlBit.FCV) !== 0 ? { fcb: (frame.control & ControlBit.FCB) !== 0 ? 1 : 0 } : {};
  const name = CONTROL_NAMES[frame.control] ?? `C ${hexByte(frame.control)}`;
  const fcbText = 'fcb' in fcb ? `, FCB ${fcb.fcb}` : '';
  if (frame.kind === 'short') {
    return {
      doc: { ...base, frame: 'short', name: name.replace(/ \(.*$/, ''), ...fcb },
      text: `M-Bus ${name} to ${addressName(frame.address)}${fcbText}\n`,
    };
  }
  const data = frame.kind === 'long' ? frame.data : new Uint8Array(0);
  const what = sndUdMeaning(frame.ci, data);
  const doc = { ...base, frame: frame.kind, name: 'SND_UD', ci: hexByte(frame.ci), ...fcb, ...what.doc };
  return { doc, text: `M-Bus SND_UD to ${addressName(frame.address)}${fcbText}: ${what.text}\n` };
}

function sndUdMeaning(ci: number, data: Uint8Array): { doc: Record<string, unknown>; text: string } {
  if (ci === MasterCi.SELECT) {
    const m = decodeSelection(data);
    const mask = { id: m.id, manufacturer: m.manufacturer ?? 'any', version: m.version ?? 'any', medium: m.medium ?? 'any' };
    const fab = m.fabricationNumber === undefined ? {} : { fabricationNumber: m.fabricationNumber };
    const text = `select by secondary address: ID ${m.id}, manufacturer ${mask.manufacturer}, version ${String(mask.version)}, medium ${String(mask.medium)}`;
    return { doc: { meaning: 'select', mask: { ...mask, ...fab } }, text };
  }
  if (ci === MasterCi.APPLICATION_RESET) {
    const sub = data.length > 0 ? { subcode: data[0] } : {};
    return { doc: { meaning: 'application reset', ...sub }, text: `application reset${data.length > 0 ? `, subcode ${data[0]}` : ''}` };
  }
  if (ci >= MasterCi.BAUD_300 && ci <= MasterCi.BAUD_300 + 7) {
    const baud = BAUD_RATES[ci - MasterCi.BAUD_300]!;
    return { doc: { meaning: 'set baud rate', baud }, text: `switch to ${baud} Bd (E5 comes back at the old rate)` };
  }
  if (ci === MasterCi.DATA_SEND) {
    const r = decodeRecords(data);
    const addr =
      r.records.length === 1 && r.records[0]!.quantity === 'bus address' && r.records[0]!.value.kind === 'number'
        ? r.records[0]!.value.value
        : undefined;
    const text =
      addr !== undefined
        ? `set primary address to ${addr.toString()}`
        : `data send: ${r.records.length} record${r.records.length === 1 ? '' : 's'}`;
    return {
      doc: {
        meaning: addr !== undefined ? 'set primary address' : 'data send',
        records: r.records.map((x) => ({ dif: x.dif, vif: x.vif, quantity: x.quantity, raw: x.raw })),
      },
      text,
    };
  }
  return { doc: { meaning: 'other', data: toHex(data) }, text: `CI ${hexByte(ci)}, data ${data.length > 0 ? toHex(data) : '(none)'}` };
}
