/**
 * One readout of an M-Bus meter (mbus-protocol.md §2 "FCB and multi-telegram readout", §9.3): by primary
 * address SND_NKE → E5, then REQ_UD2 with FCB 1 → telegram 1; by secondary address SND_NKE to FD
 * (deselect all), select → E5, REQ_UD2 to FD, and SND_NKE to FD at the end. While a telegram ends with DIF
 * 1F the FCB is toggled and the meter asked again, at most MAX_TELEGRAMS times; the records are merged.
 */
import type { MbusHeader } from '../mbus/header.js';
import { Address, sndNke } from '../mbus/link.js';
import type { MbusRecord } from '../mbus/records.js';
import { assignRegisters } from '../mbus/registers.js';
import type { MbusTelegram } from '../mbus/telegram.js';
import type { MulticalError } from '../core/errors.js';
import { MeterError } from './errors.js';
import type { MbusClient } from './mbus-client.js';
import { linkAddress, type MbusTarget } from './mbus-target.js';

/** A meter that says "more follows" this often is stopped: the battery pays for every telegram. */
export const MAX_TELEGRAMS = 8;

export interface MbusReadout {
  telegrams: MbusTelegram[];
  /** The first telegram's header (who the meter is). */
  header: MbusHeader | undefined;
  /** The primary address the meter answered with (A of its first RSP_UD). */
  address: number;
  /** Every record of every telegram, in order, registers assigned over the whole readout. */
  records: MbusRecord[];
  /** The readout stopped after some telegrams: why. Records read before it stand. */
  incomplete?: MulticalError;
}

/** Reads every telegram; throws when not even the first one came. */
export async function readout(client: MbusClient, target: MbusTarget): Promise<MbusReadout> {
  const address = linkAddress(target);
  const mask = target.kind === 'secondary' ? target.mask : undefined;
  if (target.kind === 'primary') await client.reset(target.address);
  else await client.sendNoReply(sndNke(Address.NETWORK), 'SND_NKE to FD (deselect all)');
  const telegrams: MbusTelegram[] = [];
  let incomplete: MulticalError | undefined;
  try {
    if (target.kind === 'secondary') await client.select(target.mask);
    let fcb = true;
    for (;;) {
      const t = await client.requestTelegram(address, fcb, mask);
      telegrams.push(t);
      if (!t.moreFollows) break;
      if (telegrams.length >= MAX_TELEGRAMS) {
        incomplete = new MeterError('METER_BAD_REPLY', `the meter still had more to send after ${MAX_TELEGRAMS} telegrams: stopped there`);
        break;
      }
      fcb = !fcb; // toggled only after a good answer: a retry repeats the FCB (same telegram again)
    }
  } catch (e) {
    if (telegrams.length === 0 || !(e instanceof MeterError) || e.code === 'METER_ABORTED') throw e;
    incomplete = e;
  } finally {
    if (target.kind === 'secondary') await deselect(client);
  }
  return merge(telegrams, incomplete);
}

/** SND_NKE to FD at the end of a secondary readout; a failure to send it changes nothing already read. */
async function deselect(client: MbusClient): Promise<void> {
  try {
    await client.sendNoReply(sndNke(Address.NETWORK), 'SND_NKE to FD (deselect)', 0);
  } catch {
    // The link may be gone or the run stopped; what was read stands.
  }
}

function merge(telegrams: MbusTelegram[], incomplete: MulticalError | undefined): MbusReadout {
  const first = telegrams[0]!;
  return {
    telegrams,
    header: first.header,
    address: first.address,
    records: assignRegisters(telegrams.flatMap((t) => t.records)),
    ...(incomplete ? { incomplete } : {}),
  };
}

/** The readout as one telegram: the first one's header and the records of all, for the JSON and tables. */
export function mergedTelegram(r: MbusReadout): MbusTelegram {
  const { manufacturerData: _first, ...first } = r.telegrams[0]!;
  const last = r.telegrams[r.telegrams.length - 1]!;
  const problems = r.telegrams.flatMap((t, i) => t.problems.map((p) => (r.telegrams.length > 1 ? `telegram ${i + 1}: ${p}` : p)));
  return {
    ...first,
    records: r.records,
    moreFollows: last.moreFollows,
    ...(last.manufacturerData ? { manufacturerData: last.manufacturerData } : {}),
    problems,
  };
}
