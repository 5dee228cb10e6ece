/**
 * The one small interface a protocol client needs from a link to a meter: send bytes, receive bytes,
 * learn that the link went away, close it. Serial ports, TCP sockets (ser2net) and the in-process
 * simulator all implement it.
 */
import { MeterError } from './errors.js';

export interface Transport {
  /** For messages: `/dev/ttyUSB0`, `tcp://host:2000`, `sim`. */
  readonly name: string;
  write(bytes: Uint8Array): Promise<void>;
  /** Sets the single consumer of incoming bytes. */
  setReceiver(receiver: (chunk: Uint8Array) => void): void;
  /** Called once if the link closes without close() being called (device unplugged, socket reset). */
  onLost(listener: (error: Error) => void): void;
  close(): Promise<void>;
}

/**
 * Two in-memory transports wired to each other: what one writes, the other receives (asynchronously,
 * as from a real link). Used for `-d sim` and in tests.
 */
export function transportPair(nameA = 'sim', nameB = 'sim-meter'): [Transport, Transport] {
  const a = new MemoryTransport(nameA);
  const b = new MemoryTransport(nameB);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryTransport implements Transport {
  peer: MemoryTransport | undefined;
  private receiver: ((chunk: Uint8Array) => void) | undefined;
  private lost: ((error: Error) => void) | undefined;
  private closed = false;

  constructor(readonly name: string) {}

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new MeterError('METER_WRITE', `${this.name}: write after close`));
    const peer = this.peer;
    const copy = Uint8Array.from(bytes);
    setImmediate(() => {
      if (peer && !peer.closed) peer.receiver?.(copy);
    });
    return Promise.resolve();
  }

  setReceiver(receiver: (chunk: Uint8Array) => void): void {
    this.receiver = receiver;
  }

  onLost(listener: (error: Error) => void): void {
    this.lost = listener;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const peer = this.peer;
    if (peer && !peer.closed) {
      setImmediate(() => {
        if (!peer.closed) {
          peer.closed = true;
          peer.lost?.(new MeterError('METER_LOST', `${peer.name}: the other end closed the link`));
        }
      });
    }
    return Promise.resolve();
  }
}
