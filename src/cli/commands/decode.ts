/**
 * `multical decode [--json] HEX…` (or `-`: frames from stdin, one a line): captured frames decoded offline,
 * nothing opened. The first byte tells the protocol — M-Bus 68, 10 or E5; KMP 40 (reply) or 80 (request),
 * 06 (ACK). Lines may carry the `tx`/`rx` prefix of --debug (and the time stamp of --debug-file); blank
 * lines and lines starting with # are skipped. Each bad frame gets one line naming what is wrong.
 * Exit codes: 0 every frame decoded; 2 input that is not hex, or none; 9 a frame that does not decode.
 */
import type { Command } from 'commander';
import { MulticalError, UsageError } from '../../core/errors.js';
import { fromHex } from '../../core/hex.js';
import { resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, Context, RunOptions } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { JSON_OPTION } from './get.js';
import type { Decoded } from './decode-mbus.js';

/** stdin beyond this is refused: a capture of frames, not a disk image. */
const MAX_STDIN_BYTES = 16 * 1024 * 1024;

const EXIT_HELP = `
Exit codes of decode:
  0  every frame decoded
  2  input that is not hex (or no input): one line per such frame
  9  a frame that is hex but does not decode (bad checksum, cut short, unknown layout): one line per frame`;

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  const cmd = defineCommand(
    program,
    entry,
    {
      argumentHelp:
        'frames in hex, one per argument (quote a frame with spaces: "10 40 FE 3E 16"; bytes given as separate arguments are one frame); - reads frames from stdin, one a line',
      options: [{ ...JSON_OPTION, help: 'print one JSON object: the frame\'s, or {"frames":[…]} for several' }],
      run: decodeRun,
    },
    run,
    state,
  );
  cmd.addHelpText('after', EXIT_HELP);
}

interface Input {
  /** 1-based, for messages. */
  n: number;
  text: string;
}

async function inputs(args: string[]): Promise<Input[]> {
  let texts: string[];
  if (args.length === 1 && args[0] === '-') texts = (await readStdin()).split(/\r?\n/);
  else if (args.length > 1 && args.every((a) => /^[0-9a-f]{1,2}$/i.test(a))) texts = [args.join(' ')];
  else texts = args;
  const out = texts
    .map((t) => t.replace(/^\s*(?:\d{4}-\d\d-\d\dT\S+\s+)?(?:tx|rx)\s+/i, '').trim())
    .filter((t) => t !== '' && !t.startsWith('#'))
    .map((text, i) => ({ n: i + 1, text }));
  if (out.length === 0)
    throw new UsageError('nothing to decode: give frames in hex (multical decode "10 40 FE 3E 16"), or - to read them from stdin');
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_STDIN_BYTES) throw new UsageError(`stdin holds more than ${MAX_STDIN_BYTES / 1024 / 1024} MiB: not a capture of frames`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What is not hex about `text`, or undefined. */
function notHex(text: string): string | undefined {
  const clean = text.replace(/\s+/g, '');
  const bad = /[^0-9a-f]/i.exec(clean);
  if (bad) return `${JSON.stringify(bad[0])} is not a hex digit`;
  if (clean.length % 2 !== 0) return `${clean.length} hex digits: an odd number, so not whole bytes`;
  return undefined;
}

async function decodeOne(bytes: Uint8Array, ctx: Context): Promise<Decoded> {
  const first = bytes[0];
  if (first === 0x68 || first === 0x10 || first === 0xe5) return (await import('./decode-mbus.js')).decodeMbus(bytes, ctx);
  if (first === 0x40 || first === 0x80) return (await import('./decode-kmp.js')).decodeKmp(bytes, ctx);
  if (first === 0x06 && bytes.length === 1)
    return { doc: { protocol: 'kmp', frame: '06', meaning: 'acknowledgement' }, text: 'KMP 06: acknowledgement\n' };
  const shown = first === undefined ? 'no bytes' : `first byte ${first.toString(16).toUpperCase().padStart(2, '0')}`;
  throw new UndecodableError(`${shown}: not the start of an M-Bus frame (68, 10, E5) or a KMP frame (40, 80)`);
}

class UndecodableError extends MulticalError {
  constructor(message: string) {
    super('UNDECODABLE', message);
  }
}

async function decodeRun({ args, ctx }: CommandRun): Promise<ExitCodeValue> {
  const json = resolveValue<boolean>(JSON_OPTION, ctx.sources) === true;
  const all = await inputs(args);
  const docs: Array<Record<string, unknown>> = [];
  let code: ExitCodeValue = ExitCode.ok;
  for (const { n, text } of all) {
    const label = all.length > 1 ? `frame ${n}: ` : '';
    const wrong = notHex(text);
    if (wrong !== undefined) {
      ctx.error(`${label}not hex: ${wrong}`);
      docs.push({ frame: n, error: { code: 'USAGE', message: `not hex: ${wrong}` } });
      code = ExitCode.usage;
      continue;
    }
    try {
      const d = await decodeOne(fromHex(text), ctx);
      docs.push(all.length > 1 ? { frame: n, ...d.doc } : d.doc);
      if (!json) ctx.io.stdout((all.length > 1 ? `frame ${n}: ` : '') + d.text);
    } catch (e) {
      if (!(e instanceof MulticalError)) throw e;
      const message = detail(e);
      ctx.error(`${label}${message}`);
      docs.push({ frame: n, error: { code: e.code, message } });
      if (code === ExitCode.ok) code = ExitCode.undecodable;
    }
  }
  if (json) ctx.report(all.length === 1 ? docs[0]! : { frames: docs });
  return code;
}

/** The codec's message, with the expected and actual bytes where it has them and the message does not. */
function detail(e: MulticalError): string {
  const expected = e.fields.expected;
  const actual = e.fields.actual;
  if (typeof expected === 'string' && typeof actual === 'string' && !e.message.includes(actual)) {
    return `${e.message} (expected ${expected}, got ${actual})`;
  }
  return e.message;
}
