/**
 * Which exit code an error earns: the mapping from error class to exit code lives here, with the CLI,
 * not with the code that throws. Loaded only when something went wrong.
 */
import { MulticalError, StopError, UsageError } from '../core/errors.js';
import { DomoticzError } from '../domoticz/errors.js';
import { KmpError } from '../kmp/errors.js';
import { LockedError, MeterError } from '../meter/errors.js';
import { MqttError } from '../mqtt/errors.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

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
