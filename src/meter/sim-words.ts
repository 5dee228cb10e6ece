/** The simulator's option words (`-d sim:…`, `multical simulate --fault`), for help texts. Kept tiny: --help loads it. */
export const SIM_SPEC_HELP =
  'echo, real-timing, latency=MS, baud=N, energy=MWh|GJ|kWh, no-answer, silent-first[=N], crc-once, crc-always, garbage, ' +
  'truncate-once, truncate-always, wrong-command-once, wrong-command, vanish-after=N, omit=ID+ID, implausible (Temp1 reads 1000 °C)';
