/**
 * Every command, in the order `--help` lists them: its name, what it does, and the module that registers
 * it. Only the module of the command being run is loaded — `multical --help` loads none of them, so it
 * starts about as fast as node itself (see bench/).
 */
import type { Command } from 'commander';
import type { RunState } from '../command.js';
import type { RunOptions } from '../context.js';

export interface CommandEntry {
  name: string;
  description: string;
  /** Usage of the positional arguments, e.g. `[register...]`. */
  args?: string;
  isDefault?: boolean;
  load: () => Promise<{ register: (program: Command, entry: CommandEntry, run: RunOptions, state: RunState) => void }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'read',
    description: 'read registers and push them to Domoticz (the default command; the classic multical402.py command line works as is)',
    args: '[idx:CommandNr:mode[:idx2]...]',
    isDefault: true,
    load: () => import('./read.js'),
  },
  {
    name: 'get',
    description: 'read registers and print them (a table, or JSON with --json)',
    args: '[register...]',
    load: () => import('./get.js'),
  },
  {
    name: 'mqtt',
    description: 'read registers once and publish them to an MQTT broker, with Home Assistant discovery (--ha-discovery)',
    args: '[register...]',
    load: () => import('./mqtt.js'),
  },
  {
    name: 'history',
    description: "read the meter's own history: its hourly, daily, monthly or yearly log (--new: only what is new, for cron)",
    args: '[register...]',
    load: () => import('./history.js'),
  },
  { name: 'info', description: "print the meter's serial number, type and software revision", load: () => import('./info.js') },
  {
    name: 'scan',
    description: 'find the meters on a wired M-Bus: by primary address, or by secondary address (--secondary)',
    load: () => import('./scan.js'),
  },
  {
    name: 'decode',
    description: 'decode captured M-Bus or KMP frames (hex) offline: telegrams, register and logger replies',
    args: '[hex...]',
    load: () => import('./decode.js'),
  },
  { name: 'ports', description: 'list serial ports (IR heads usually show up as /dev/ttyUSB0)', load: () => import('./ports.js') },
  {
    name: 'serve',
    description: 'read the meters on a schedule, push to Domoticz and MQTT, and answer HTTP: REST for Home Assistant, Prometheus metrics',
    args: '[idx:CommandNr:mode[:idx2]...]',
    load: () => import('./serve.js'),
  },
  {
    name: 'simulate',
    description: 'serve a simulated MULTICAL meter on a serial path (e.g. one end of a socat pty pair) or a TCP port, until stopped',
    load: () => import('./simulate.js'),
  },
];

/** The command `argv` runs: a named one, the one `help` asks about, none for the program's own help, else the default. */
export function commandOf(argv: readonly string[]): CommandEntry | undefined {
  const [first, second] = argv;
  const byName = (n: string | undefined): CommandEntry | undefined => COMMANDS.find((c) => c.name === n);
  if (first === undefined || ['-h', '--help', '-V', '--version'].includes(first)) return undefined;
  if (first === 'help') return byName(second);
  return byName(first) ?? COMMANDS.find((c) => c.isDefault);
}

/** A command that is not run: listed in the program's help with its usage, nothing more. */
export function listCommand(program: Command, c: CommandEntry): void {
  const cmd = program.command(c.name, c.isDefault ? { isDefault: true } : {}).description(c.description);
  if (c.args) cmd.argument(c.args);
  cmd.option('--config <file>'); // so the listing shows "[options]", as for the real command
}
