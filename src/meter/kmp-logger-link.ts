/**
 * One link to the meter, asked with a deadline per request: a log readout of 500 bytes takes 4.6 s at 1200
 * baud, a GetRegister reply a tenth of that. KmpClient's deadline is fixed per client, so this keeps one
 * client per (address, deadline) on a shared transport and hands the incoming bytes to the client whose
 * request is out. Requests go one at a time, as on any KMP link; statistics add up over all clients.
 */
import type { ReadStats } from '../core/reading.js';
import { frameWireLength, wireTimeMs } from '../kmp/logger-budget.js';
import type { FrameLogger } from './client-link.js';
import { KmpClient } from './kmp-client.js';
import type { Transport } from './transport.js';

export interface LoggerLinkOptions {
  /** The user's --timeout: the latency allowance, and all a short reply gets. */
  timeoutMs: number;
  retries: number;
  /** Line speed and bits a byte (11 for 8N2): how long a reply of n bytes takes on the wire. */
  baud: number;
  bitsPerByte: number;
  signal?: AbortSignal;
  log?: FrameLogger;
}

interface Member {
  client: KmpClient;
  slot: { receive?: (chunk: Uint8Array) => void };
}

export class LoggerLink {
  private readonly members = new Map<string, Member>();
  private active: Member | undefined;
  private lost: Error | undefined;
  private readonly lostListeners: Array<(e: Error) => void> = [];

  constructor(
    private readonly transport: Transport,
    readonly options: LoggerLinkOptions,
  ) {
    transport.setReceiver((chunk) => this.active?.slot.receive?.(chunk));
    transport.onLost((e) => {
      this.lost = e;
      for (const l of this.lostListeners) l(e);
    });
  }

  /**
   * The deadline of one attempt: the --timeout (latency and a short reply) plus the wire time of the request
   * and of the longest reply expected, every byte of both stuffed (the worst case, kmp-loggers.md "Timing").
   */
  deadlineMs(requestData: number, replyBody: number): number {
    const bytes = frameWireLength(4 + requestData).worstCase + frameWireLength(replyBody).worstCase;
    return this.options.timeoutMs + wireTimeMs(bytes, this.options.baud, this.options.bitsPerByte);
  }

  /** The client that asks `address` with this deadline (rounded up to 100 ms); its replies reach it alone. */
  client(address: number, timeoutMs: number, retries = this.options.retries): KmpClient {
    const ms = Math.ceil(timeoutMs / 100) * 100;
    const key = `${address}/${ms}/${retries}`;
    let m = this.members.get(key);
    if (m === undefined) {
      const slot: Member['slot'] = {};
      const view: Transport = {
        name: this.transport.name,
        write: (bytes) => this.transport.write(bytes),
        setReceiver: (r) => void (slot.receive = r),
        onLost: (l) => (this.lost ? l(this.lost) : void this.lostListeners.push(l)),
        close: () => Promise.resolve(),
      };
      const o = this.options;
      const client = new KmpClient(view, {
        timeoutMs: ms,
        retries,
        destination: address,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.log ? { log: o.log } : {}),
      });
      m = { client, slot };
      this.members.set(key, m);
    }
    this.active = m;
    return m.client;
  }

  get stats(): ReadStats {
    const sum: ReadStats = { requests: 0, attempts: 0, bytesSent: 0, bytesReceived: 0 };
    for (const { client } of this.members.values()) {
      sum.requests += client.stats.requests;
      sum.attempts += client.stats.attempts;
      sum.bytesSent += client.stats.bytesSent;
      sum.bytesReceived += client.stats.bytesReceived;
    }
    return sum;
  }
}
