import { appendFileSync } from 'node:fs';
import { toHex } from './core/hex.js';

/** What the outside world gives a command: output streams, whether they are terminals, the environment. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Current directory, for resolving relative paths. */
  cwd: string;
}

export function processIo(): Io {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

const FACTORY_PASSWORD = 'domoticz';

export interface LogOptions {
  verbose?: boolean;
  debug?: boolean;
  debugFile?: string | undefined;
  quiet?: boolean;
}

/**
 * Diagnostics on stderr: `verbose` lines with --verbose, `debug` lines and raw frames (tx/rx hex) with
 * --debug, and the same debug lines appended to --debug-file when given (as the classic script did).
 * Secrets registered with `redact` never reach either.
 */
export class Logger {
  readonly verboseOn: boolean;
  readonly debugOn: boolean;
  private readonly debugFile: string | undefined;
  private readonly secrets: string[] = [];

  constructor(
    private readonly io: Io,
    opts: LogOptions,
  ) {
    this.debugOn = opts.debug === true;
    this.verboseOn = this.debugOn || opts.verbose === true;
    this.debugFile = opts.debugFile;
  }

  /**
   * Words that must never be printed (passwords, tokens, and their Basic-auth encodings). Messages are
   * built so that secrets never enter them; this is the safety net. Domoticz's documented factory
   * password is no secret, and masking the word "domoticz" would garble host names and messages.
   */
  redact(secret: string | undefined): void {
    if (!secret || secret === FACTORY_PASSWORD || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
  }

  clean(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  verbose(text: string): void {
    if (this.verboseOn) this.io.stderr(this.clean(text) + '\n');
    this.toFile(text);
  }

  debug(text: string): void {
    if (this.debugOn) this.io.stderr(this.clean(text) + '\n');
    this.toFile(text);
  }

  frame(direction: 'tx' | 'rx', bytes: Uint8Array): void {
    this.debug(`${direction} ${toHex(bytes)}`);
  }

  private toFile(text: string): void {
    if (!this.debugFile) return;
    try {
      appendFileSync(this.debugFile, `${new Date().toISOString()} ${this.clean(text)}\n`);
    } catch {
      // A debug log that cannot be written must not fail the reading; it was checked at start-up.
    }
  }
}
