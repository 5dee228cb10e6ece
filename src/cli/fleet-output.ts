/**
 * What a run of several meters prints: each meter's output held until it is done, then printed as one
 * block — its standard output under a heading with its name, indented; its error lines prefixed with its
 * name — in the order of the config file, so concurrent devices never mix their lines. Diagnostics
 * (--verbose, --debug) go out as they happen, each line prefixed with the meter's name.
 */
import type { Log } from '../core/io.js';
import type { Context } from './context.js';
import type { MeterOutcome } from './fleet.js';

export interface Chunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

export class MeterOutput {
  private readonly done_: Array<MeterOutcome | undefined>;
  private readonly printed: boolean[];
  private next = 0;
  private blocks = 0;

  constructor(
    private readonly ctx: Context,
    count: number,
  ) {
    this.done_ = new Array<MeterOutcome | undefined>(count).fill(undefined);
    this.printed = new Array<boolean>(count).fill(false);
  }

  /** Meter `index` is done: print it, and those after it that are done, when all before it are. */
  done(index: number, outcome: MeterOutcome): void {
    this.done_[index] = outcome;
    while (this.next < this.done_.length && this.done_[this.next]) this.print(this.next++);
  }

  /** The run was stopped: print what is done, whatever the order. */
  flushAll(): void {
    for (let i = 0; i < this.done_.length; i++) if (this.done_[i] && !this.printed[i]) this.print(i);
  }

  /** The outcomes so far, in config order. */
  outcomes(): MeterOutcome[] {
    return this.done_.filter((o): o is MeterOutcome => o !== undefined);
  }

  private print(index: number): void {
    const o = this.done_[index]!;
    this.printed[index] = true;
    const { io, out } = this.ctx;
    let headed = false;
    const lineStart = { stdout: true, stderr: true };
    for (const chunk of o.chunks) {
      if (chunk.stream === 'stdout' && !headed) {
        io.stdout(`${this.blocks++ > 0 ? '\n' : ''}${out.bold(o.name)}  ${out.dim(o.device)}\n`);
        headed = true;
      }
      const prefix = chunk.stream === 'stdout' ? '  ' : `${o.name}: `;
      const { text, atStart } = prefixLines(chunk.text, prefix, lineStart[chunk.stream]);
      lineStart[chunk.stream] = atStart;
      (chunk.stream === 'stdout' ? io.stdout : io.stderr)(text);
    }
  }
}

/** `text` with `prefix` before every line that starts in it; whether the next chunk starts a line. */
export function prefixLines(text: string, prefix: string, atStart: boolean): { text: string; atStart: boolean } {
  if (text === '') return { text, atStart };
  const lines = text.split('\n');
  const body = lines.map((l, i) => ((i === 0 ? atStart : true) && l !== '' ? prefix + l : l)).join('\n');
  return { text: body, atStart: text.endsWith('\n') };
}

/** The run's log, every line naming the meter it is about. */
export class MeterLog implements Log {
  constructor(
    private readonly parent: Log,
    private readonly name: string,
  ) {}

  get verboseOn(): boolean {
    return this.parent.verboseOn;
  }

  get debugOn(): boolean {
    return this.parent.debugOn;
  }

  verbose(text: string): void {
    this.parent.verbose(`${this.name}: ${text}`);
  }

  debug(text: string): void {
    this.parent.debug(`${this.name}: ${text}`);
  }

  frame(direction: 'tx' | 'rx', bytes: Uint8Array): void {
    this.parent.frame(direction, bytes, this.name);
  }

  redact(secret: string | undefined): void {
    this.parent.redact(secret);
  }

  clean(text: string): string {
    return this.parent.clean(text);
  }
}
