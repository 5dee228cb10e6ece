/**
 * The exit codes, documented in the README and in `--help`; which error earns which is in
 * error-codes.ts. This module imports nothing: `--help` loads it.
 */

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
  /** `decode` only: a frame that is hex but does not decode. */
  undecodable: 9,
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
  9    decode: a frame that is hex but does not decode
  130  interrupted (SIGINT)   141  output closed (a pipe's reader went away)   143  terminated (SIGTERM)`;

/** When several codes apply, the first in this order wins: meter, Domoticz, refused, MQTT. */
const ORDER: readonly ExitCodeValue[] = [ExitCode.meter, ExitCode.domoticz, ExitCode.refused, ExitCode.mqtt];

export function firstOf(codes: readonly ExitCodeValue[]): ExitCodeValue {
  for (const c of ORDER) if (codes.includes(c)) return c;
  return codes.find((c) => c !== ExitCode.ok) ?? ExitCode.ok;
}
