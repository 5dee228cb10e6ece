/**
 * Diagnostics on stderr: `verbose` lines with --verbose, `debug` lines and raw frames (tx/rx hex) with
 * --debug, and the same lines appended to --debug-file (as the classic script did; the file is opened
 * once, safely: see settings/files.ts). Secrets registered with `redact`, credentials in URLs and
 * Authorization values never reach either.
 */
import { closeSync, writeSync } from 'node:fs';
import { toHex } from '../core/hex.js';
import type { Io, Log } from '../core/io.js';
import { MASK, maskSecrets } from '../core/redact.js';
import { openAppendOnly } from '../settings/files.js';

/** Domoticz's documented factory password is no secret; masking the word would garble host names. */
const FACTORY_PASSWORD = 'domoticz';

export interface LogOptions {
  verbose?: boolean;
  debug?: boolean;
  /** Resolved path of --debug-file. */
  debugFile?: string | undefined;
}

export class Logger implements Log {
  readonly verboseOn: boolean;
  readonly debugOn: boolean;
  private fd: number | undefined;
  private readonly secrets: string[] = [];

  constructor(
    private readonly io: Io,
    opts: LogOptions,
  ) {
    this.debugOn = opts.debug === true;
    this.verboseOn = this.debugOn || opts.verbose === true;
    if (opts.debugFile !== undefined) this.fd = openAppendOnly(opts.debugFile, '--debug-file');
  }

  redact(secret: string | undefined): void {
    if (!secret || secret === FACTORY_PASSWORD || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
  }

  clean(text: string): string {
    let out = maskSecrets(text);
    for (const s of this.secrets) out = out.split(s).join(MASK);
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

  frame(direction: 'tx' | 'rx', bytes: Uint8Array, who?: string): void {
    if (!this.debugOn && this.fd === undefined) return; // nobody reads it: no hex made
    this.debug(`${who !== undefined ? `${who}: ` : ''}${direction} ${toHex(bytes)}`);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private toFile(text: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, `${new Date().toISOString()} ${this.clean(text)}\n`);
    } catch {
      // A debug log that cannot be written must not fail the reading; it was checked at start-up.
    }
  }
}
