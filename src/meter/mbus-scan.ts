/**
 * Finding the meters on a wired M-Bus (mbus-protocol.md §2 "Wildcard search with collision detection"):
 * a primary scan sends SND_NKE to each address and asks every one that answers E5 for a telegram; a
 * secondary scan selects ID masks digit by digit from FFFFFFFF — silence: nobody there; one clean E5:
 * probably one meter, confirmed by a REQ_UD2 to FD; garbled bytes, more than one frame or a confirming
 * telegram that is garbled: a collision, so the digit is fixed and the next one searched. Silence is not
 * retried (most masks and addresses are empty); the run's deadline and MAX_PROBES bound the time.
 */
import { MulticalError } from '../core/errors.js';
import type { MbusHeader } from '../mbus/header.js';
import { Address, sndNke } from '../mbus/link.js';
import { selectSecondary } from '../mbus/secondary.js';
import { MeterError } from './errors.js';
import type { Heard, MbusClient } from './mbus-client.js';
import { ACK_BYTES } from './mbus-target.js';

/** Frames a scan may send: beyond this it stops and says so (10 probes a level, 8 levels, many collisions). */
export const MAX_PROBES = 2000;

export interface FoundMeter {
  /** The primary address the meter answered with (A of its RSP_UD). */
  address: number;
  id: string;
  manufacturer: string;
  version: number;
  medium: { code: number; name: string };
}

export interface Collision {
  /** `address 5`, or the ID mask `12345678` where two meters share every digit. */
  at: string;
  why: string;
}

export interface ScanResult {
  meters: FoundMeter[];
  collisions: Collision[];
  /** Frames sent. */
  probes: number;
}

export type ScanEvent = (text: string) => void;

type Heard3 = { kind: 'none' } | { kind: 'ack' } | { kind: 'collision'; why: string };

/** Silence, one clean E5 and nothing else, or anything else (a collision). */
export function classify(h: Heard): Heard3 {
  if (h.frames.length === 0 && h.noise === 0 && h.badFrames === 0) return { kind: 'none' };
  if (h.frames.length === 1 && h.frames[0]!.length === 1 && h.noise === 0 && h.badFrames === 0) return { kind: 'ack' };
  const parts: string[] = [];
  if (h.frames.length > 0) parts.push(`${h.frames.length} frame${h.frames.length === 1 ? '' : 's'}`);
  if (h.badFrames > 0) parts.push(`${h.badFrames} broken`);
  if (h.noise > 0) parts.push(`${h.noise} bytes of garbage`);
  return { kind: 'collision', why: parts.join(', ') };
}

export function emptyScan(): ScanResult {
  return { meters: [], collisions: [], probes: 0 };
}

class Scan {
  constructor(
    readonly client: MbusClient,
    readonly say: ScanEvent,
    readonly result: ScanResult,
  ) {}

  async probe(frame: Uint8Array, longest: number, label: string): Promise<Heard> {
    if (this.result.probes >= MAX_PROBES) throw new MeterError('METER_BAD_REPLY', `scan stopped after ${MAX_PROBES} frames`);
    this.result.probes++;
    return this.client.probe(frame, longest, label);
  }

  /** A REQ_UD2 once: the header of the one meter that answers (and its address), or why not. */
  async identify(address: number): Promise<{ header: MbusHeader; address: number } | { why: string; garbled: boolean }> {
    this.result.probes++;
    try {
      const t = await this.client.requestTelegram(address, true, undefined, 0);
      return t.header ? { header: t.header, address: t.address } : { why: 'its telegram has no header', garbled: false };
    } catch (e) {
      if (!(e instanceof MeterError) || e.code === 'METER_ABORTED' || e.code === 'METER_LOST') throw e;
      return { why: e.message, garbled: e.code === 'METER_BAD_REPLY' };
    }
  }

  found(address: number, h: MbusHeader): void {
    const m = { address, id: h.id, manufacturer: h.manufacturer, version: h.version, medium: h.medium };
    this.result.meters.push(m);
    this.say(`found ${h.id} ${h.manufacturer} at primary address ${address}`);
  }

  collision(at: string, why: string): void {
    this.result.collisions.push({ at, why });
    this.say(`collision at ${at}: ${why}`);
  }
}

/**
 * SND_NKE to each address from `from` to `to`; each that answers E5 is asked for its header. `into` fills
 * as the scan goes, so a scan that is stopped still has what it found.
 */
export async function scanPrimary(
  client: MbusClient,
  from: number,
  to: number,
  say: ScanEvent = () => {},
  into = emptyScan(),
): Promise<ScanResult> {
  const scan = new Scan(client, say, into);
  for (let a = from; a <= to; a++) {
    const heard = classify(await scan.probe(sndNke(a), ACK_BYTES, `SND_NKE to address ${a}`));
    if (heard.kind === 'none') continue;
    if (heard.kind === 'collision') {
      scan.collision(`address ${a}`, `${heard.why} answered SND_NKE: two meters at one address`);
      continue;
    }
    const h = await scan.identify(a);
    if ('why' in h) scan.collision(`address ${a}`, `E5, then ${h.why}`);
    else scan.found(a, h.header);
  }
  return scan.result;
}

/** The wildcard search over the 8 ID digits; deselects everyone before and after. */
export async function scanSecondary(client: MbusClient, say: ScanEvent = () => {}, into = emptyScan()): Promise<ScanResult> {
  const scan = new Scan(client, say, into);
  await client.sendNoReply(sndNke(Address.NETWORK), 'SND_NKE to FD (deselect all)');
  await client.sendNoReply(sndNke(Address.BROADCAST), 'SND_NKE to FF (reset all)');
  scan.result.probes += 2;
  try {
    await search(scan, '');
  } finally {
    await client.sendNoReply(sndNke(Address.NETWORK), 'SND_NKE to FD (deselect)', 0).catch((e: unknown) => {
      if (!(e instanceof MulticalError)) throw e;
    });
  }
  return scan.result;
}

/** Tries digits 0–9 after `prefix`; recurses where two or more meters answer. */
async function search(scan: Scan, prefix: string): Promise<void> {
  for (let d = 0; d <= 9; d++) {
    const id = (prefix + String(d)).padEnd(8, 'F');
    const heard = classify(await scan.probe(selectSecondary({ id }), ACK_BYTES, `select ${id}`));
    if (heard.kind === 'none') continue;
    let why = heard.kind === 'collision' ? heard.why : '';
    if (heard.kind === 'ack') {
      const h = await scan.identify(Address.NETWORK);
      if (!('why' in h)) {
        scan.found(h.address, h.header);
        continue;
      }
      if (!h.garbled) {
        scan.collision(id, `E5 to the selection, then ${h.why}`);
        continue;
      }
      why = 'one E5, then a garbled telegram';
    }
    if (prefix.length + 1 < 8) await search(scan, prefix + String(d));
    else scan.collision(id, `${why}: two or more meters share this ID`);
  }
}
