/** A raw TCP socket that carries the serial bytes, as ser2net offers (`tcp://host:port`), either end. */
import { connect, type Socket } from 'node:net';
import { MeterError } from './errors.js';
import type { Transport } from './transport.js';

/** Connects to `host:port`, bounded by `connectTimeoutMs` and the run's signal. */
export async function openTcp(host: string, port: number, connectTimeoutMs: number, signal?: AbortSignal): Promise<Transport> {
  const name = `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host, port, noDelay: true });
    const fail = (e: Error): void => {
      clearTimeout(timer);
      s.destroy();
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new MeterError('METER_OPEN', `${name}: no connection in ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
    const onAbort = (): void => fail(new MeterError('METER_ABORTED', `${name}: stopped while connecting`));
    signal?.addEventListener('abort', onAbort, { once: true });
    s.once('connect', () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      const why =
        e.code === 'ECONNREFUSED'
          ? 'connection refused (is ser2net running on that port?)'
          : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
            ? `host ${host} not found`
            : e.message;
      fail(new MeterError('METER_OPEN', `${name}: ${why}`, { cause: e }));
    });
  });
  return socketTransport(name, socket);
}

/** A transport over a connected socket: the client's, or one a server accepted (the simulator's). */
export function socketTransport(name: string, socket: Socket): Transport {
  return new TcpTransport(name, socket);
}

class TcpTransport implements Transport {
  private lost: ((e: Error) => void) | undefined;
  private receiver: ((chunk: Uint8Array) => void) | undefined;
  private closing = false;

  constructor(
    readonly name: string,
    private readonly socket: Socket,
  ) {
    socket.on('error', (e) => {
      if (!this.closing) this.lost?.(e);
    });
    socket.on('close', () => {
      if (!this.closing) this.lost?.(new Error('connection closed'));
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  /** One listener for the link's life: a later client (the next meter on the bus) takes over from the one before. */
  setReceiver(receiver: (chunk: Uint8Array) => void): void {
    if (!this.receiver)
      this.socket.on('data', (chunk: Buffer) => this.receiver?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    this.receiver = receiver;
  }

  onLost(listener: (error: Error) => void): void {
    this.lost = listener;
  }

  close(): Promise<void> {
    this.closing = true;
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 200).unref();
    });
  }
}
