/**
 * M-Bus framing (EN 13757-2 frame formats; mbus-protocol.md §1 "Echo", "Collisions", "TCP gateways"): bytes in
 * arbitrary chunks → whole slave frames, found on content only.
 */

import { checkFrameAt, isFromMaster, ACK, MAX_L } from './link.js';

/** The largest M-Bus frame: 68 L L 68, L = 255 bytes, CS, 16. */
export const MAX_FRAME_BYTES = MAX_L + 6;

export interface FramerStats {
  /** Bytes thrown away: noise before a start byte, bytes of bad frames, echoes of the master's frames. */
  discarded: number;
  /** Candidate frames (a start byte and a consistent length) that failed their checksum or stop byte, or were cut off. */
  badFrames: number;
  /** Whole, correct frames from the master (C bit 6 set): an echoing converter hands our request back. */
  echoes: number;
}

/**
 * Splits the bytes a master receives into whole slave frames — E5, short and long (EN 13757-2;
 * mbus-protocol.md §1 "Echo", "Collisions", "TCP gateways"). Frames are found on content only (start byte,
 * L, second L, 68, length, checksum, stop byte), never on timing: a TCP gateway does not keep gaps.
 *
 * Bytes before a start byte are noise. A candidate that fails a check is dropped one byte at a time, so a
 * good frame right behind a corrupt one in the same burst is still found. A correct frame with the
 * master-direction bit (an echo of our own request) is dropped. The counters tell "garbled" (badFrames,
 * discarded) from "silence" (nothing at all) — what a secondary search needs to see collisions.
 */
export class MbusFramer implements FramerStats {
  private readonly buf: Uint8Array;
  private len = 0;
  discarded = 0;
  badFrames = 0;
  echoes = 0;

  constructor(readonly maxFrameBytes = MAX_FRAME_BYTES) {
    this.buf = new Uint8Array(Math.max(8, Math.min(maxFrameBytes, MAX_FRAME_BYTES)));
  }

  /** Feeds a chunk; returns the slave frames it completed, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(this.buf.length - this.len, chunk.length - at);
      this.buf.set(chunk.subarray(at, at + n), this.len);
      this.len += n;
      at += n;
      frames.push(...this.scan(false));
    }
    return frames;
  }

  /**
   * The line went quiet (the caller's reply deadline passed): a frame still waiting for bytes will not get
   * them. It is counted as bad and scanning resumes behind its start byte; returns any frames found there.
   */
  flush(): Uint8Array[] {
    return this.scan(true);
  }

  /** Bytes held for an unfinished frame. */
  pending(): number {
    return this.len;
  }

  stats(): FramerStats {
    return { discarded: this.discarded, badFrames: this.badFrames, echoes: this.echoes };
  }

  /** Drops any unfinished frame and zeroes the counters (call before each request). */
  reset(): void {
    this.len = 0;
    this.discarded = 0;
    this.badFrames = 0;
    this.echoes = 0;
  }

  private scan(final: boolean): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let i = 0;
    while (i < this.len) {
      const c = checkFrameAt(this.buf, i, this.len);
      if (c.status === 'incomplete' && (c.length === undefined || c.length <= this.buf.length) && !final) break;
      if (c.status !== 'ok') {
        // A candidate with a start byte and a believable length that then fails is a garbled frame.
        const garbled = c.status === 'bad' ? c.code === 'MBUS_CHECKSUM' || c.code === 'MBUS_BAD_STOP' : c.length !== undefined;
        if (garbled) this.badFrames++;
        this.discarded++;
        i++;
        continue;
      }
      const frame = this.buf.slice(i, i + c.length);
      i += c.length;
      if (frame[0] !== ACK && isFromMaster(frame[0] === 0x10 ? (frame[1] ?? 0) : (frame[4] ?? 0))) {
        this.echoes++;
        this.discarded += frame.length;
        continue;
      }
      frames.push(frame);
    }
    this.buf.copyWithin(0, i, this.len);
    this.len -= i;
    return frames;
  }
}
