/**
 * How a meter is reached, whatever the protocol: read these register ids and say which were read,
 * which the meter does not have, which failed and why, with what it cost. The KMP client implements it
 * (kmp-meter.ts); the M-Bus client does the same. Commands and the service talk only to this.
 */
import type { MeterIdentity, ReadOptions, ReadResult, ReadStats } from '../core/reading.js';

export type Protocol = 'kmp' | 'mbus';

export interface MeterReader {
  readonly protocol: Protocol;
  /** Reads the registers in as few requests as the protocol allows; never throws for a meter failure. */
  read(ids: readonly number[], options?: ReadOptions): Promise<ReadResult>;
  /** Serial number, model and revision (KMP: GetSerialNo + GetType, two more requests). */
  identify(): Promise<MeterIdentity>;
  readonly stats: ReadStats;
}
