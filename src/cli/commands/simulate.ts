/**
 * `multical simulate`: a simulated MULTICAL on a serial path (one end of a socat pty pair) or on TCP,
 * until SIGINT/SIGTERM or, for a serial path, until the other end goes away. Each TCP connection is a
 * fresh meter, so faults such as silent-first apply to every client run alike.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { toHex } from '../../core/hex.js';
import type { Transport } from '../../meter/transport.js';
import { METER_OPTIONS } from '../../settings/device.js';
import { BOOL, text, type OptionSpec } from '../../settings/options.js';
import { resolveValue } from '../../settings/resolve.js';
import { parseSimSpec, SIM_SPEC_HELP, type SimOptions } from '../../simulator/spec.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, Context, RunOptions } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

const local = (spec: OptionSpec): OptionSpec => ({ ...spec, config: false });
export const SIMULATE_OPTIONS = {
  device: { name: 'device', arg: 'path', config: false, type: text(), help: 'serial path to serve on' },
  listen: {
    name: 'listen',
    arg: 'host:port',
    config: false,
    type: text(),
    help: 'TCP address to serve on (port 0: any free port, printed at start)',
  },
  echo: { name: 'echo', config: false, type: BOOL, help: 'echo every request first, as some IR heads do' },
  realTiming: {
    name: 'real-timing',
    config: false,
    type: BOOL,
    help: 'answer like a real meter: 1200 baud 8N2 on the wire, 0.25 s before each reply',
  },
  baud: local({ ...METER_OPTIONS.baud, help: 'serial baud rate of --device' }),
  stopbits: local({ ...METER_OPTIONS.stopbits, help: 'serial stop bits of --device' }),
  parity: local({ ...METER_OPTIONS.parity, help: 'serial parity of --device' }),
} satisfies Record<string, OptionSpec>;

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  const extra = (cmd: Command): void => {
    cmd.addOption(new Option('--energy-unit <unit>', 'unit of the energy registers').choices(['MWh', 'GJ', 'kWh']).default('MWh'));
    cmd.option('--fault <fault>', `inject a fault (repeatable): ${SIM_SPEC_HELP}`, (v: string, prev: string[] | undefined) => [
      ...(prev ?? []),
      v,
    ]);
  };
  defineCommand(
    program,
    entry,
    {
      options: Object.values(SIMULATE_OPTIONS),
      extra,
      run: simulateRun,
    },
    run,
    state,
  );
}

function simOptionsOf(ctx: Context, cmdFaults: string[] | undefined, energyUnit: string | undefined): SimOptions {
  const words = [...(cmdFaults ?? [])];
  if (resolveValue<boolean | undefined>(SIMULATE_OPTIONS.echo, ctx.sources)) words.push('echo');
  if (resolveValue<boolean | undefined>(SIMULATE_OPTIONS.realTiming, ctx.sources)) words.push('real-timing');
  if (energyUnit) words.push(`energy=${energyUnit}`);
  return parseSimSpec(words.length ? `sim:${words.join(',')}` : 'sim');
}

function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  if (!m || Number(m[3]) > 65535) throw new UsageError(`--listen ${JSON.stringify(value)}: use HOST:PORT, e.g. 127.0.0.1:2001`);
  return { host: m[1] || m[2] || '127.0.0.1', port: Number(m[3]) };
}

async function simulateRun({ ctx }: CommandRun): Promise<ExitCodeValue> {
  const device = resolveValue<string | undefined>(SIMULATE_OPTIONS.device, ctx.sources);
  const listen = resolveValue<string | undefined>(SIMULATE_OPTIONS.listen, ctx.sources);
  if (!device === !listen) throw new UsageError('simulate needs exactly one of --device PATH or --listen HOST:PORT');
  const options = simOptionsOf(ctx, ctx.sources.cli('fault') as string[] | undefined, ctx.sources.cli('energy-unit') as string | undefined);
  const serial = {
    baudRate: resolveValue<number>(SIMULATE_OPTIONS.baud, ctx.sources),
    dataBits: 8 as const,
    stopBits: resolveValue<1 | 2>(SIMULATE_OPTIONS.stopbits, ctx.sources),
    parity: resolveValue<'none' | 'even' | 'odd'>(SIMULATE_OPTIONS.parity, ctx.sources),
  };
  const where = listen !== undefined ? parseListen(listen) : undefined;
  const { KmpSimulator } = await import('../../simulator/kmp-meter.js');
  const watch = (t: Transport): Transport => (ctx.log.debugOn ? tap(t, ctx) : t);
  if (device !== undefined) {
    const { openSerial } = await import('../../meter/serial-transport.js');
    const transport = watch(await openSerial(device, serial));
    const sim = new KmpSimulator(options);
    const served = sim.serve(transport);
    ctx.io.stdout(`simulated MULTICAL serving KMP on ${device}\n`);
    await Promise.race([served.done, aborted(ctx.signal)]);
    served.stop();
    await transport.close();
    ctx.log.verbose(`simulator: ${sim.requestsSeen} requests seen`);
    return ExitCode.ok;
  }
  const [{ createServer }, { socketTransport }] = await Promise.all([import('node:net'), import('../../meter/tcp-transport.js')]);
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    new KmpSimulator(options).serve(watch(socketTransport(`${socket.remoteAddress}:${socket.remotePort}`, socket)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UsageError(`--listen ${listen}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`)),
    );
    server.listen(where!.port, where!.host, () => resolve());
  });
  const addr = server.address();
  const shown = typeof addr === 'object' && addr ? `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : listen;
  ctx.io.stdout(`simulated MULTICAL listening on tcp://${shown}\n`);
  await aborted(ctx.signal);
  server.close();
  server.unref();
  // Stopping a server with Ctrl-C or `kill` is how it is meant to end: exit 0.
  return ExitCode.ok;
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
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
