import { readFileSync, accessSync, constants } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, MulticalError, UsageError, errorMessage, type ExitCodeValue } from './core/errors.js';
import type { Io } from './io.js';
// Only commander and the error types load for --help; everything else is imported by the action that
// needs it, so start-up stays close to `node -e 0` (see bench/).
import type { Context } from './commands/context.js';
import type { Sources } from './settings.js';
import type { ConfigView } from './config.js';
import { SIM_SPEC_HELP } from './meter/sim-words.js';

export const DEFAULT_DEADLINE_MS = 120_000;

/**
 * Commander wiring only: every command is a function taking its options and a Context. The one error
 * sink is here: commands return an exit code or throw; only main.ts sets process.exitCode.
 */
export interface RunOptions {
  io: Io;
  /** Stops the run: SIGINT/SIGTERM from main.ts. */
  signal?: AbortSignal;
}

const EXIT_CODES_HELP = `
Exit codes:
  0    everything asked for was done
  1    internal error (a bug: please report it with --debug output)
  2    usage or configuration error: nothing was contacted
  3    meter: the device could not be opened, did not answer, or a register was not read
  4    Domoticz: a push failed (connection, authentication, HTTP or API error)
  5    a reading was refused: not expressible for the device, or implausible
  6    MQTT: the broker could not be reached or refused the client
  7    another multical run is using the same meter
  8    the run deadline (--deadline) ran out
  130  interrupted (SIGINT)        143  terminated (SIGTERM)`;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function addMeterOptions(cmd: Command, deviceRequired = true): Command {
  return cmd
    .option('-d, --device <device>', `meter: a serial device (/dev/ttyUSB0), tcp://host:port (ser2net), or sim (built-in simulated meter)${deviceRequired ? '' : ''}`)
    .option('--baud <rate>', 'serial baud rate (default: 1200)')
    .option('--stopbits <n>', 'serial stop bits, 1 or 2 (default: 2)')
    .option('--parity <parity>', 'serial parity: none, even or odd (default: none)')
    .option('--timeout <seconds>', 'seconds to wait for the meter to answer one request (default: 2)')
    .option('--retries <n>', 'times to repeat a request the meter did not answer, 0 to 5 (default: 2)')
    .option('--lock-wait <seconds>', 'how long to wait for another multical run on the same meter to finish (default: 30)')
    .option('--deadline <seconds>', 'upper bound for the whole run; past it the run stops, says why and exits 8 (default: 120)');
}

function addConfigOption(cmd: Command): Command {
  return cmd.option('--config <file>', 'settings from this YAML file (default: $MULTICAL_CONFIG, else ~/.config/multical/config.yaml when it exists)');
}

function addLogOptions(cmd: Command): Command {
  return addConfigOption(cmd)
    .option('--verbose', 'say more about what happens, on stderr')
    .option('--debug', 'also log raw frames (tx/rx hex) and HTTP calls, and show stack traces')
    .option('--debug-file <path>', 'append the debug log to this file');
}

type Opts = Record<string, unknown>;

/** The config file as each running command sees it (filled in by the action wrapper). */
const commandConfigs = new WeakMap<Command, ConfigView>();

export async function runCli(argv: string[], run: RunOptions): Promise<ExitCodeValue> {
  const { io } = run;
  const signal = run.signal ?? new AbortController().signal;
  let code: ExitCodeValue = ExitCode.ok;
  let runSignal: AbortSignal = signal;
  const debugWanted = argv.includes('--debug');

  const program = new Command('multical')
    .description('Read Kamstrup MULTICAL heat meters over the optical IR port (KMP) and push the readings to Domoticz or MQTT / Home Assistant.')
    .version(version(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (t) => io.stdout(t),
      writeErr: (t) => io.stderr(t),
      outputError: (t, write) => write(t.endsWith('\n') ? t : t + '\n'),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);

  const action =
    (fn: (args: string[], o: Opts, cmd: Command, ctx: Context) => Promise<ExitCodeValue>) =>
    async (...params: unknown[]): Promise<void> => {
      const cmd = params[params.length - 1] as Command;
      // The config file fills in options the command line did not give, before anything else is read.
      const { applyConfig } = await import('./config.js');
      const config = await applyConfig(cmd, io, (t) => io.stderr(t + '\n'));
      if (config) commandConfigs.set(cmd, config);
      const o = cmd.opts<Opts>();
      // The run deadline: every wait (meter, lock, HTTP, broker) listens to this one signal.
      const { parseSecondsOption } = await import('./args.js');
      const { makeContext } = await import('./commands/context.js');
      const deadlineMs = parseSecondsOption('--deadline', o.deadline as string | undefined, 1, 86_400, DEFAULT_DEADLINE_MS);
      const deadline = new AbortController();
      const bounded = cmd.options.some((opt) => opt.long === '--deadline');
      const timer = bounded
        ? setTimeout(() => {
            deadline.abort(new MulticalError('DEADLINE', `the run deadline of ${deadlineMs / 1000} s ran out`, { exitCode: ExitCode.deadline }));
          }, deadlineMs)
        : undefined;
      runSignal = AbortSignal.any([signal, deadline.signal]);
      try {
        const ctx = makeContext(io, { verbose: o.verbose === true, debug: o.debug === true, debugFile: o.debugFile as string | undefined }, runSignal);
        code = await fn(cmd.args, o, cmd, ctx);
      } finally {
        clearTimeout(timer);
      }
    };

  // read: the default command, so the classic script's command line works with only the name changed.
  const read = program
    .command('read', { isDefault: true })
    .description('read registers and push them to Domoticz (the default command; the classic multical402.py command line works as is)')
    .argument('[idx:CommandNr:mode[:idx2]...]', 'push register CommandNr to device idx; mode 0: the reading; 1: reading − value(idx2); 2: value(idx) + reading − value(idx2)');
  addMeterOptions(read)
    .option('--ip <host>', 'Domoticz host (default: localhost)')
    .option('--port <port>', 'Domoticz port (default: 8080)')
    .option('--url <url>', 'Domoticz URL, e.g. https://host:8443 (overrides --ip/--port; env DOMOTICZ_URL)')
    .option('--user <name>', 'Domoticz user for HTTP Basic auth (env DOMOTICZ_USER)')
    .option('--password <password>', 'Domoticz password (prefer DOMOTICZ_PASSWORD or --password-file: options show in ps)')
    .option('--password-file <path>', 'read the Domoticz password from this file')
    .option('--token <token>', 'Domoticz bearer token (prefer DOMOTICZ_TOKEN or --token-file)')
    .option('--token-file <path>', 'read the Domoticz bearer token from this file')
    .option('--ca <file>', 'trust this CA certificate (PEM) for https:// Domoticz')
    .option('--insecure', 'do not verify the Domoticz TLS certificate')
    .option('--http-timeout <seconds>', 'seconds to wait for one Domoticz request (default: 10)')
    .option('--dry-run', 'read the meter and print what would be sent; contact nothing else')
    .option('--json', 'print one JSON object describing every reading and push')
    .option('-q, --quiet', 'print nothing when everything worked; on trouble, a short report on stderr (for cron)')
    .option('--allow-decrease', 'push a total that is lower than the device shows (after replacing the meter)')
    .option('--test_kamstrup', 'diagnostic: read the 31 classic registers and print them')
    .option('--test_domoticz', 'diagnostic: list every Domoticz device with idx, name, type and value');
  addLogOptions(read).action(
    action(async (args, o, cmd, ctx) => {
      const { readCommand } = await import('./commands/read.js');
      const { resolveDomoticz } = await import('./settings.js');
      const sources = commandSources(cmd, io);
      const needsDomoticz = o.test_domoticz === true || (o.test_kamstrup !== true && o.dryRun !== true);
      const domoticz = resolveDomoticz(sources, (t) => io.stderr(t + '\n'));
      if (needsDomoticz && domoticz.caFile) checkReadable(domoticz.caFile, '--ca');
      const pushes = args.length > 0 ? args : ((commandConfigs.get(cmd)?.value('push') as string[] | undefined) ?? []);
      return readCommand(pushes, { ...(o as object), testKamstrup: o.test_kamstrup === true, testDomoticz: o.test_domoticz === true, domoticz }, ctx);
    }),
  );

  const get = program
    .command('get')
    .description('read registers and print them (a table, or JSON with --json)')
    .argument('[register...]', 'register ids, decimal (60) or hex (0x3C) (default: registers: in the config file)');
  addMeterOptions(get).option('--json', 'print one JSON object: {"registers":[…],"missing":[…]}');
  addLogOptions(get).action(
    action(async (args, o, cmd, ctx) => {
      const { getCommand } = await import('./commands/get.js');
      const registers = args.length > 0 ? args : ((commandConfigs.get(cmd)?.value('registers') as string[] | undefined) ?? []);
      return getCommand(registers, o, ctx);
    }),
  );

  const mqtt = program
    .command('mqtt')
    .description('read registers once and publish them to an MQTT broker, with Home Assistant discovery (--ha-discovery)')
    .argument('[register...]', 'register ids (default: mqtt.registers in the config file, else 60 68 74 80 86 87 89)');
  addMeterOptions(mqtt)
    .option('--broker <url>', 'mqtt://host:1883 or mqtts://host:8883 (env MQTT_BROKER)')
    .option('--username <name>', 'MQTT user name (env MQTT_USERNAME)')
    .option('--password <password>', 'MQTT password (prefer MQTT_PASSWORD or --password-file: options show in ps)')
    .option('--password-file <path>', 'read the MQTT password from this file')
    .option('--ca <file>', 'trust this CA certificate (PEM) for mqtts://')
    .option('--cert <file>', 'client certificate (PEM) for mqtts://')
    .option('--key <file>', 'private key (PEM) of --cert')
    .option('--insecure', "do not verify the broker's TLS certificate")
    .option('--client-id <id>', 'MQTT client id (default: multical-<serial number>)')
    .option('--qos <n>', 'QoS of every message: 0, 1 or 2 (default: 0)')
    .option('--retain', 'publish the values retained (discovery configs and status always are)')
    .option('--topic <topic>', 'base topic: <topic>/values, <topic>/<register>, <topic>/status (default: kamstrup)')
    .option('--ha-discovery', 'also publish Home Assistant discovery configs: one device, one sensor per register')
    .option('--json', 'print one JSON object describing what was published')
    .option('-q, --quiet', 'print nothing when everything worked (for cron)');
  addLogOptions(mqtt).action(
    action(async (args, o, cmd, ctx) => {
      const { mqttCommand } = await import('./commands/mqtt.js');
      const { resolveMqtt } = await import('./mqtt/settings.js');
      const settings = resolveMqtt(commandSources(cmd, io), (t) => io.stderr(t + '\n'), commandConfigs.get(cmd)?.path);
      return mqttCommand(args, { ...(o as object), mqtt: settings }, ctx);
    }),
  );

  const info = program.command('info').description("print the meter's serial number, type and software revision");
  addMeterOptions(info).option('--json', 'print JSON');
  addLogOptions(info).action(
    action(async (_args, o, _cmd, ctx) => {
      const { infoCommand } = await import('./commands/info.js');
      return infoCommand(o, ctx);
    }),
  );

  addConfigOption(program.command('ports').description('list serial ports (IR heads usually show up as /dev/ttyUSB0)').option('--json', 'print JSON'))
    .action(
      action(async (_args, o, _cmd, ctx) => {
        const { portsCommand } = await import('./commands/ports.js');
        return portsCommand(o, ctx);
      }),
    );

  const simulate = program
    .command('simulate')
    .description('serve a simulated MULTICAL meter on a serial path (e.g. one end of a socat pty pair) or a TCP port, until stopped')
    .option('--device <path>', 'serial path to serve on')
    .option('--listen <host:port>', 'TCP address to serve on (port 0: any free port, printed at start)')
    .option('--echo', 'echo every request first, as some IR heads do')
    .option('--real-timing', 'answer like a real meter: 1200 baud 8N2 on the wire, 0.25 s before each reply')
    .addOption(new Option('--energy-unit <unit>', 'unit of the energy registers').choices(['MWh', 'GJ', 'kWh']).default('MWh'))
    .option('--fault <fault>', `inject a fault (repeatable): ${SIM_SPEC_HELP}`, (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--baud <rate>', 'serial baud rate of --device (default: 1200)')
    .option('--stopbits <n>', 'serial stop bits of --device (default: 2)')
    .option('--parity <parity>', 'serial parity of --device (default: none)');
  addLogOptions(simulate).action(
    action(async (_args, o, _cmd, ctx) => {
      const { simulateCommand } = await import('./commands/simulate.js');
      return simulateCommand(o, ctx);
    }),
  );

  if (argv.length === 0) {
    // A bare `multical`: what it can do, rather than a complaint about a missing -d.
    io.stderr(program.helpInformation());
    return ExitCode.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    return reportError(e, io, debugWanted, runSignal);
  }
}

/** Command-line values as given (not commander defaults), and the environment. */
function commandSources(cmd: Command, io: Io): Sources {
  const camel = (k: string): string => k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
  return {
    cli: (key) => {
      const name = camel(key);
      const src = cmd.getOptionValueSource(name);
      return src === 'cli' ? cmd.getOptionValue(name) : undefined;
    },
    env: io.env,
    config: (key) => commandConfigs.get(cmd)?.value(key),
  };
}

function checkReadable(path: string, option: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new UsageError(`${option} ${path}: no such file, or it cannot be read`);
  }
}

function reportError(e: unknown, io: Io, debug: boolean, signal: AbortSignal): ExitCodeValue {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage; // commander has printed its one line
  }
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof MulticalError) {
      io.stderr(`error: ${reason.message}${e instanceof Error && e !== reason ? ` (${e.message})` : ''}\n`);
      return reason.exitCode;
    }
  }
  if (e instanceof MulticalError) {
    io.stderr(`error: ${e.message}\n`);
    if (debug && e.stack) io.stderr(e.stack + '\n');
    return e.exitCode;
  }
  io.stderr(`error: ${errorMessage(e)}\n`);
  if (debug && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
  else io.stderr('(this is a bug in multical: run again with --debug and report the output)\n');
  return ExitCode.internal;
}
