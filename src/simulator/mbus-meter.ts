/**
 * One simulated M-Bus slave: a Kamstrup module at a primary address with a secondary address (EN 13757-2/3
 * as mbus-protocol.md §2 describes the slave's side). SND_NKE resets it to its first telegram and is
 * answered with E5 (not at FD or FF); a matching selection (CI 0x52) selects it, any other deselects it;
 * REQ_UD2 is answered with a RSP_UD — the next telegram when the FCB was toggled, the same one again when
 * it was not. A selection also restarts the telegram cycle, as a link reset does. Pure: no timing, no
 * faults (the bus applies those); `answer` decides the bytes of one reply.
 */
import {
  Address,
  Control,
  MasterCi,
  decodeSelection,
  encodeTelegram,
  selectionMatches,
  type MbusFrame,
  type SecondaryIdentity,
} from '../mbus/index.js';
import { MODEL_HEADER, recordSet, type MbusModel, type RecordSet } from './mbus-records.js';
import type { EnergyUnit } from './kmp-registers.js';

export interface MbusSlaveOptions {
  /** Identification number (Kamstrup: the customer number), 8 digits. */
  id: string;
  address: number;
  model: MbusModel;
  /** The records split over this many telegrams (all but the last end with DIF 1F). */
  telegrams: number;
  energyUnit: EnergyUnit;
  serialNo: number;
  omit: readonly number[];
  implausible: boolean;
}

const E5 = Uint8Array.of(0xe5);

export class MbusSlave {
  readonly identity: SecondaryIdentity;
  readonly records: RecordSet;
  private selected = false;
  private lastFcb: boolean | undefined;
  /** The telegram (0-based) the next new REQ_UD2 gets. */
  private next = 0;
  private accessNumber = 0;
  private lastReply: Uint8Array | undefined;

  constructor(
    readonly options: MbusSlaveOptions,
    private readonly now: () => number,
  ) {
    const h = MODEL_HEADER[options.model];
    this.identity = { id: options.id, manufacturer: 'KAM', version: h.version, medium: h.medium };
    this.records = recordSet(options.model, options);
  }

  get address(): number {
    return this.options.address;
  }

  /** The bytes this slave sends for one master frame, or null when it stays silent. */
  answer(frame: MbusFrame): Uint8Array | null {
    if (frame.kind === 'ack') return null;
    const to = frame.address;
    const mine = to === this.address || to === Address.BROADCAST_REPLY || (to === Address.NETWORK && this.selected);
    if (frame.kind === 'short' && frame.control === Control.SND_NKE) return this.linkReset(to, mine);
    if (frame.kind === 'long' && frame.ci === MasterCi.SELECT && to === Address.NETWORK) return this.select(frame.data);
    if (frame.kind === 'short' && (frame.control & 0xdf) === Control.REQ_UD2 && mine) return this.reqUd2((frame.control & 0x20) !== 0);
    return null;
  }

  private linkReset(to: number, mine: boolean): Uint8Array | null {
    if (to === Address.NETWORK) {
      this.selected = false; // a deselection: nobody answers
      return null;
    }
    if (!mine && to !== Address.BROADCAST) return null;
    this.restart();
    return to === Address.BROADCAST ? null : E5;
  }

  private select(data: Uint8Array): Uint8Array | null {
    let hit: boolean;
    try {
      hit = selectionMatches(decodeSelection(data), this.identity);
    } catch {
      hit = false; // a selection it cannot read selects nobody
    }
    this.selected = hit;
    if (!hit) return null;
    this.restart();
    return E5;
  }

  private restart(): void {
    this.lastFcb = undefined;
    this.next = 0;
    this.lastReply = undefined;
  }

  private reqUd2(fcb: boolean): Uint8Array {
    if (this.lastReply && this.lastFcb === fcb) return this.lastReply; // the master lost it: the same again
    this.lastFcb = fcb;
    const n = Math.max(1, this.options.telegrams);
    const index = this.next;
    this.next = (index + 1) % n;
    this.lastReply = this.telegram(index, n);
    return this.lastReply;
  }

  private telegram(index: number, count: number): Uint8Array {
    const all = this.records.at(this.now() / 1000);
    const per = Math.ceil(all.length / count);
    this.accessNumber = (this.accessNumber + 1) & 0xff;
    return encodeTelegram({
      address: this.address,
      header: { ...this.identity, accessNumber: this.accessNumber, status: 0 },
      records: all.slice(index * per, (index + 1) * per),
      moreFollows: index < count - 1,
    });
  }
}
