import { createServer, type Server } from 'node:net';
import { parseIntOption } from '../args.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { parseSerialSettings } from '../meter/device.js';
import { MeterSimulator, parseSimSpec, type SimOptions } from '../meter/simulator.js';
import type { Transport } from '../meter/transport.js';
import { toHex } from '../core/hex.js';
import type { Context } from './context.js';

export interface SimulateOptions {
  device?: string;
  listen?: string;
  echo?: boolean;
  realTiming?: boolean;
  fault?: string[];
  energyUnit?: string;
  baud?: string;
  stopbits?: string;
  parity?: string;
}

export function simOptionsFrom(o: SimulateOptions): SimOptions {
  const words = [...(o.fault ?? [])];
  if (o.echo) words.push('echo');
  if (o.realTiming) words.push('real-timing');
  if (o.energyUnit) words.push(`energy=${o.energyUnit}`);
  return parseSimSpec(words.length ? `sim:${words.join(',')}` : 'sim');
}

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(text) ?? /^()()(\d+)$/.exec(text);
  if (!m) throw new UsageError(`--listen ${JSON.stringify(text)}: use HOST:PORT, e.g. 127.0.0.1:2001`);
  const port = parseIntOption('--listen port', m[3], 0, 65535, 0);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/**
 * `multical simulate`: a simulated MULTICAL on a serial path (one end of a socat pty pair) or on TCP,
 * until SIGINT/SIGTERM or, for a serial path, until the other end goes away.
 */
export async function simulateCommand(o: SimulateOptions, ctx: Context): Promise<ExitCodeValue> {
  if (!o.device === !o.listen) throw new UsageError('simulate needs exactly one of --device PATH or --listen HOST:PORT');
  const simOptions = simOptionsFrom(o);
  const watch = (t: Transport): Transport => (ctx.log.debugOn ? tap(t, ctx) : t);
  if (o.device) {
    const settings = parseSerialSettings({ baud: o.baud, stopbits: o.stopbits, parity: o.parity });
    const { openSerial } = await import('../meter/serial-transport.js');
    const transport = watch(await openSerial(o.device, settings));
    const sim = new MeterSimulator(simOptions);
    const served = sim.serve(transport);
    ctx.io.stdout(`simulated MULTICAL serving KMP on ${o.device}\n`);
    await Promise.race([served.done, aborted(ctx.signal)]);
    served.stop();
    await transport.close();
    ctx.log.verbose(`simulator: ${sim.requestsSeen} requests seen`);
    return ctx.signal.aborted ? abortCode(ctx.signal) : ExitCode.ok;
  }
  const { host, port } = parseListen(o.listen!);
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    const transport: Transport = watch({
      name: `${socket.remoteAddress}:${socket.remotePort}`,
      write: (bytes) => new Promise((res, rej) => socket.write(bytes, (e) => (e ? rej(e) : res()))),
      setReceiver: (r) => socket.on('data', (c: Buffer) => r(new Uint8Array(c.buffer, c.byteOffset, c.length))),
      onLost: (l) => socket.on('close', () => l(new Error('connection closed'))),
      close: () => new Promise((res) => (socket.destroyed ? res() : socket.end(() => res()))),
    });
    socket.on('error', () => socket.destroy());
    // Each connection is a fresh meter, so faults such as silent-first apply to every client run alike.
    new MeterSimulator(simOptions).serve(transport);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UsageError(`--listen ${o.listen}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const shown = typeof addr === 'object' && addr ? `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : o.listen;
  ctx.io.stdout(`simulated MULTICAL listening on tcp://${shown}\n`);
  await aborted(ctx.signal);
  server.close();
  server.unref();
  return abortCode(ctx.signal);
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/** Stopping a server with Ctrl-C or `kill` is how it is meant to end: exit 0. */
function abortCode(_signal: AbortSignal): ExitCodeValue {
  return ExitCode.ok;
}

function tap(t: Transport, ctx: Context): Transport {
  return {
    name: t.name,
    write: (bytes) => {
      ctx.log.debug(`sim tx ${toHex(bytes)}`);
      return t.write(bytes);
    },
    setReceiver: (r) =>
      t.setReceiver((chunk) => {
        ctx.log.debug(`sim rx ${toHex(chunk)}`);
        r(chunk);
      }),
    onLost: (l) => t.onLost(l),
    close: () => t.close(),
  };
}
