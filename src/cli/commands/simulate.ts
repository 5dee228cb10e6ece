/**
 * `multical simulate`: a simulated MULTICAL on a serial path (one end of a socat pty pair) or on TCP,
 * until SIGINT/SIGTERM or, for a serial path, until the other end goes away. Each TCP connection is a
 * fresh meter, so faults such as silent-first apply to every client run alike. `--protocol mbus` puts a
 * Kamstrup M-Bus module (or, with --meter, several) on a simulated wired M-Bus instead.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { toHex } from '../../core/hex.js';
import type { Transport } from '../../meter/transport.js';
import { METER_OPTIONS, serialSettings } from '../../settings/device.js';
import { BOOL, int, oneOf, text, type OptionSpec } from '../../settings/options.js';
import { resolveValue } from '../../settings/resolve.js';
import type { KmpSimulator } from '../../simulator/kmp-meter.js';
import type { MbusBusSimulator } from '../../simulator/mbus-bus.js';
import { addressFromId } from '../../simulator/mbus-spec.js';
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
    help: 'answer like a real meter: 1200 baud 8N2 on the wire, 0.25 s before each reply (M-Bus: 2400 baud 8E1, 50 ms)',
  },
  protocol: local({ ...METER_OPTIONS.protocol, help: 'what the simulated meter speaks: kmp (optical port) or mbus (wired M-Bus)' }),
  address: {
    name: 'address',
    arg: 'n',
    config: false,
    type: int(0, 250, 'must be a primary address 0–250'),
    help: 'M-Bus: primary address of the meter (default: the last 3 digits of its ID if ≤ 250, else the last 2: 78)',
  },
  id: {
    name: 'id',
    arg: 'id',
    config: false,
    type: text(),
    help: "M-Bus: the meter's identification number (secondary address), 8 digits (default 12345678)",
  },
  model: {
    name: 'model',
    arg: 'model',
    config: false,
    type: oneOf('403', '603'),
    help: 'M-Bus: the record set of a MULTICAL 403 or 603 module (default 403)',
  },
  telegrams: {
    name: 'telegrams',
    arg: 'n',
    config: false,
    type: int(1, 16),
    help: 'M-Bus: send the records in this many telegrams (multi-telegram readout, DIF 1F)',
  },
  baud: local({ ...METER_OPTIONS.baud, help: 'serial baud rate of --device; with --protocol mbus 2400 unless given' }),
  stopbits: local({ ...METER_OPTIONS.stopbits, help: 'serial stop bits of --device; with --protocol mbus 1 unless given' }),
  parity: local({ ...METER_OPTIONS.parity, help: 'serial parity of --device; with --protocol mbus even unless given' }),
} satisfies Record<string, OptionSpec>;

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  const extra = (cmd: Command): void => {
    cmd.addOption(
      new Option('--energy-unit <unit>', 'unit of the energy registers (M-Bus: kWh unless given)')
        .choices(['MWh', 'GJ', 'kWh'])
        .default('MWh'),
    );
    cmd.option(
      '--meter <id@address>',
      'M-Bus: one more meter on the bus (repeatable; two at one address collide)',
      (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
    );
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

function simOptionsOf(ctx: Context, protocol: 'kmp' | 'mbus'): SimOptions {
  const words = [...((ctx.sources.cli('fault') as string[] | undefined) ?? [])];
  const on = (spec: OptionSpec): boolean => resolveValue<boolean | undefined>(spec, ctx.sources) === true;
  if (on(SIMULATE_OPTIONS.echo)) words.push('echo');
  if (on(SIMULATE_OPTIONS.realTiming)) words.push('real-timing');
  const energyUnit = ctx.sources.cli('energy-unit') as string | undefined;
  if (energyUnit) words.push(`energy=${energyUnit}`);
  for (const spec of [SIMULATE_OPTIONS.address, SIMULATE_OPTIONS.id, SIMULATE_OPTIONS.model, SIMULATE_OPTIONS.telegrams]) {
    const v = resolveValue<string | number | undefined>(spec, ctx.sources);
    if (v !== undefined) words.push(`${spec.name}=${String(v)}`);
  }
  const meters = ctx.sources.cli('meter') as string[] | undefined;
  if (meters) {
    const id = resolveValue<string | undefined>(SIMULATE_OPTIONS.id, ctx.sources) ?? '12345678';
    const first = resolveValue<number | undefined>(SIMULATE_OPTIONS.address, ctx.sources) ?? addressFromId(id);
    words.push(`bus=${[`${id}@${first}`, ...meters].join('+')}`);
  }
  return parseSimSpec(words.length ? `sim:${words.join(',')}` : 'sim', protocol);
}

/** "KMP", or "M-Bus (primary address 78, ID 12345678)" with each meter on the bus. */
function servingText(sim: KmpSimulator | MbusBusSimulator): string {
  if (!('slaves' in sim)) return 'KMP';
  return `M-Bus (${sim.slaves.map((s) => `primary address ${s.address}, ID ${s.identity.id}`).join('; ')})`;
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
  const protocol = resolveValue<'kmp' | 'mbus'>(SIMULATE_OPTIONS.protocol, ctx.sources);
  const options = simOptionsOf(ctx, protocol);
  const serial = serialSettings(protocol, ctx.sources, SIMULATE_OPTIONS);
  const where = listen !== undefined ? parseListen(listen) : undefined;
  const [kmp, mbus] = await Promise.all([import('../../simulator/kmp-meter.js'), import('../../simulator/mbus-bus.js')]);
  const simulator = (): KmpSimulator | MbusBusSimulator =>
    protocol === 'mbus' ? new mbus.MbusBusSimulator(options) : new kmp.KmpSimulator(options);
  const watch = (t: Transport): Transport => (ctx.log.debugOn ? tap(t, ctx) : t);
  if (device !== undefined) {
    const { openSerial } = await import('../../meter/serial-transport.js');
    const transport = watch(await openSerial(device, serial));
    const sim = simulator();
    const served = sim.serve(transport);
    ctx.io.stdout(`simulated MULTICAL serving ${servingText(sim)} on ${device}\n`);
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
    simulator().serve(watch(socketTransport(`${socket.remoteAddress}:${socket.remotePort}`, socket)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UsageError(`--listen ${listen}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`)),
    );
    server.listen(where!.port, where!.host, () => resolve());
  });
  const addr = server.address();
  const shown = typeof addr === 'object' && addr ? `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : listen;
  ctx.io.stdout(`simulated MULTICAL listening on tcp://${shown}${protocol === 'mbus' ? `, serving ${servingText(simulator())}` : ''}\n`);
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
