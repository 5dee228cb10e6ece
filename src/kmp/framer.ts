/**
 * Splits a byte stream into whole frames of one direction. Everything before the start byte is
 * dropped, so an IR head's echo of the request (80 … 0D) and line noise never pass for a reply:
 * stuffing guarantees that a raw 40/80 is always a start byte and a raw 0D always a stop byte.
 * A start byte inside a frame begins a new frame (the old one was cut off). The buffer is capped.
 */
import { STOP, startByte, type Direction } from './frame.js';

export class Framer {
  private readonly start: number;
  private readonly other: number;
  private readonly maxFrameBytes: number;
  private buf: number[] = [];
  private inFrame = false;
  /** Bytes thrown away (before a start byte, or of a frame that was cut off or too long). */
  discarded = 0;

  constructor(direction: Direction, maxFrameBytes = 1024) {
    this.start = startByte(direction);
    this.other = startByte(direction === 'toMeter' ? 'fromMeter' : 'toMeter');
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Feeds a chunk; returns the frames it completed (each from start byte to stop byte). */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (const b of chunk) {
      if (b === this.start) {
        this.discarded += this.buf.length;
        this.buf = [b];
        this.inFrame = true;
        continue;
      }
      if (!this.inFrame) {
        this.discarded++;
        continue;
      }
      if (b === this.other) {
        // A frame of the other direction (an echo) begins: the one we were in was cut off.
        this.discarded += this.buf.length + 1;
        this.reset();
        continue;
      }
      this.buf.push(b);
      if (b === STOP) {
        frames.push(Uint8Array.from(this.buf));
        this.reset();
      } else if (this.buf.length >= this.maxFrameBytes) {
        this.discarded += this.buf.length;
        this.reset();
      }
    }
    return frames;
  }

  /** Bytes of an unfinished frame, if any (e.g. a reply cut off before its stop byte). */
  pending(): number {
    return this.buf.length;
  }

  reset(): void {
    this.buf = [];
    this.inFrame = false;
  }
}
