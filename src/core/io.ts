/**
 * What the outside world gives a run: output streams, whether they are terminals, the environment and
 * the current directory; and the diagnostics sink every layer writes to. Injected, so tests run the
 * real CLI in-process and assert on what it printed.
 */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Current directory, for resolving relative paths. */
  cwd: string;
}

/** Diagnostics: `verbose` with --verbose, `debug` and raw frames with --debug. Secrets never reach them. */
export interface Log {
  readonly verboseOn: boolean;
  readonly debugOn: boolean;
  verbose(text: string): void;
  debug(text: string): void;
  /** A raw frame (`who`: the meter of a run of several it was sent to or came from). */
  frame(direction: 'tx' | 'rx', bytes: Uint8Array, who?: string): void;
  /** A word that must never be printed (a password, a token, their encodings). */
  redact(secret: string | undefined): void;
  /** `text` with every redacted word masked. */
  clean(text: string): string;
}

/** A log that says nothing (library use, tests). */
export const SILENT_LOG: Log = {
  verboseOn: false,
  debugOn: false,
  verbose: () => {},
  debug: () => {},
  frame: () => {},
  redact: () => {},
  clean: (t) => t,
};
