/**
 * Exit codes, and which error earns which: the mapping from error class to exit code lives here, with
 * the CLI, not with the code that throws. Documented in the README and in `--help`.
 */
import { MulticalError, StopError, UsageError } from '../core/errors.js';
import { DomoticzError } from '../domoticz/errors.js';
import { KmpError } from '../kmp/errors.js';
import { LockedError, MeterError } from '../meter/errors.js';
import { MqttError } from '../mqtt/errors.js';

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  meter: 3,
  domoticz: 4,
  refused: 5,
  mqtt: 6,
  locked: 7,
  deadline: 8,
  sigint: 130,
  outputClosed: 141,
  sigterm: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
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
  130  interrupted (SIGINT)   141  output closed (a pipe's reader went away)   143  terminated (SIGTERM)`;

/** The exit code an error earns; anything not of the project's own families is a bug (1). */
export function exitCodeOf(e: unknown): ExitCodeValue {
  if (e instanceof UsageError) return ExitCode.usage;
  if (e instanceof MeterError || e instanceof KmpError || isProtocolError(e)) return ExitCode.meter;
  if (e instanceof DomoticzError) return ExitCode.domoticz;
  if (e instanceof MqttError) return ExitCode.mqtt;
  if (e instanceof LockedError) return ExitCode.locked;
  if (e instanceof StopError) {
    return e.code === 'DEADLINE'
      ? ExitCode.deadline
      : e.code === 'INTERRUPTED'
        ? ExitCode.sigint
        : e.code === 'CLOSED'
          ? ExitCode.outputClosed
          : ExitCode.sigterm;
  }
  return ExitCode.internal;
}

/** M-Bus protocol errors share the meter's exit code; matched by code so this module stays light. */
function isProtocolError(e: unknown): boolean {
  return e instanceof MulticalError && e.code.startsWith('MBUS_');
}

/** When several codes apply, the first in this order wins: meter, Domoticz, refused, MQTT. */
const ORDER: readonly ExitCodeValue[] = [ExitCode.meter, ExitCode.domoticz, ExitCode.refused, ExitCode.mqtt];

export function firstOf(codes: readonly ExitCodeValue[]): ExitCodeValue {
  for (const c of ORDER) if (codes.includes(c)) return c;
  return codes.find((c) => c !== ExitCode.ok) ?? ExitCode.ok;
}
