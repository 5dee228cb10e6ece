/**
 * `multical read` with push arguments: finish what a stopped run left half-done in Domoticz, read the
 * meter once, then the Domoticz sink; lines, or one JSON object on every outcome with the exit code in it.
 */
import { MulticalError, StopError } from '../../core/errors.js';
import { RawNumber } from '../../core/json.js';
import type { ReadResult } from '../../core/reading.js';
import { levelText } from '../../domoticz/alert.js';
import type { ReadArgument } from '../../domoticz/argument.js';
import type { DomoticzClient } from '../../domoticz/client.js';
import type { PushResult, Sink } from '../../domoticz/push.js';
import type { Finished } from '../../domoticz/recover.js';
import type { MeterSetup } from '../../settings/device.js';
import type { Context } from '../context.js';
import { exitCodeOf } from '../error-codes.js';
import { ExitCode, firstOf, type ExitCodeValue } from '../exit-codes.js';
import { withMeter } from '../meter-access.js';
import { registersDoc, reportFailures, rowsFor } from '../readings-view.js';

export interface PushFlags {
  json: boolean;
  quiet: boolean;
  allowDecrease: boolean;
}

interface RunRecord {
  ids: number[];
  /** Undefined until the meter was read. */
  result: ReadResult | undefined;
  pushes: PushResult[];
  /** Updates a stopped run left, finished first. */
  finished: Finished[];
}

/**
 * Finishes a stopped run's units, reads every register once, then pushes; `client` undefined is a dry
 * run. The caller owns the client (the meters of one run share it) and closes it.
 */
export async function readAndPush(
  args: ReadArgument[],
  setup: MeterSetup,
  client: DomoticzClient | undefined,
  f: PushFlags,
  ctx: Context,
): Promise<ExitCodeValue> {
  const run: RunRecord = { ids: [...new Set(args.map((a) => a.register))], result: undefined, pushes: [], finished: [] };
  try {
    return await pushRun(args, setup, client, f, ctx, run);
  } catch (e) {
    // With --json, a run that ends early still prints its one object; without, the program's error sink speaks.
    if (!f.json) throw e;
    const failure = failureOf(e, ctx.signal);
    ctx.error(failure.line);
    if (e instanceof Error && e.stack) ctx.log.debug(e.stack);
    ctx.report(readJson(run, failure.code, ctx, failure.line));
    return failure.code;
  }
}

async function pushRun(
  args: ReadArgument[],
  setup: MeterSetup,
  client: DomoticzClient | undefined,
  f: PushFlags,
  ctx: Context,
  run: RunRecord,
): Promise<ExitCodeValue> {
  const { pushAll } = await import('../../domoticz/push.js');
  let sink: Sink | undefined;
  if (client) {
    const [{ finishUnits }, { stateJournal }] = await Promise.all([
      import('../../domoticz/recover.js'),
      import('../../domoticz/journal-file.js'),
    ]);
    const journal = stateJournal(ctx.io.env);
    const recovery = await finishUnits(args, client, journal);
    run.finished = recovery.finished;
    for (const d of recovery.finished) printFinished(d, f, ctx);
    if (recovery.stopped) return stoppedRun(run, f, ctx);
    sink = { client, journal, blocked: recovery.blocked };
  }
  const { value: result } = await withMeter(setup, ctx, (meter) => meter.read(run.ids));
  run.result = result;
  reportFailures(ctx, result);
  run.pushes = await pushAll(args, result, sink, { allowDecrease: f.allowDecrease, onResult: (p) => printPush(p, f, ctx) });
  if (client) ctx.log.verbose(`Domoticz: ${client.requests} HTTP requests`);
  if (run.pushes.some((p) => p.status === 'stopped')) return stoppedRun(run, f, ctx);
  const code = exitCodeFor(run.pushes, run.finished);
  if (f.json) ctx.report(readJson(run, code, ctx));
  return code;
}

/** The run was stopped (signal, deadline) in the middle of Domoticz: say why, and still give the JSON object. */
function stoppedRun(run: RunRecord, f: PushFlags, ctx: Context): ExitCodeValue {
  const reason: unknown = ctx.signal.reason;
  const code = reason instanceof StopError ? exitCodeOf(reason) : ExitCode.sigterm;
  if (reason instanceof StopError && reason.code === 'CLOSED') return code;
  const line = reason instanceof Error ? reason.message : 'stopped';
  ctx.error(line);
  if (f.json) ctx.report(readJson(run, code, ctx, line));
  return code;
}

/** The exit code and the one line for a run that ended early; anything not of the project's families is a bug. */
function failureOf(e: unknown, signal: AbortSignal): { code: ExitCodeValue; line: string } {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof StopError && reason.code !== 'CLOSED') {
    return { code: exitCodeOf(reason), line: `${reason.message}${e instanceof Error && e !== reason ? ` (${e.message})` : ''}` };
  }
  if (e instanceof MulticalError && !(e instanceof StopError && e.code === 'CLOSED')) return { code: exitCodeOf(e), line: e.message };
  throw e;
}

function exitCodeFor(pushes: readonly PushResult[], finished: readonly Finished[]): ExitCodeValue {
  const code = (p: PushResult): ExitCodeValue =>
    p.status === 'not-read'
      ? ExitCode.meter
      : p.status === 'failed'
        ? ExitCode.domoticz
        : p.status === 'refused'
          ? ExitCode.refused
          : ExitCode.ok;
  const previous = finished.map((d) => (d.status === 'sent' ? ExitCode.ok : ExitCode.domoticz));
  return firstOf([...pushes.map(code), ...previous]);
}

function printFinished(d: Finished, f: PushFlags, ctx: Context): void {
  if (d.status !== 'sent') return ctx.error(d.message ?? `${d.argument}: ${d.status}`);
  if (!f.quiet && !f.json) {
    ctx.io.stdout(`${ctx.out.green('✓')} ${d.argument}  left unfinished by the previous run  → idx ${d.idx}: ${ctx.out.bold(d.svalue)}\n`);
  }
}

function printPush(p: PushResult, f: PushFlags, ctx: Context): void {
  const r = p.reading;
  const name = r?.name ?? `register ${p.arg.register}`;
  const what = r ? `${name} ${r.text}${r.unit ? ' ' + r.unit : ''}` : name;
  const a = p.arg;
  const mode = a.mode === 'alert' ? 'alert' : a.mode === 0 ? 'mode 0' : `mode ${a.mode} vs idx ${a.idx2}`;
  // With --json, stdout carries only the JSON object; failures still get their line on stderr.
  const quietOut = f.quiet || f.json;
  if (p.status === 'sent') {
    // The device's name comes from the server: masked like everything else printed from an answer.
    const device = ctx.log.clean(p.device ?? '');
    const sent = p.alert ? `level ${levelText(p.alert.level)} "${ctx.out.bold(p.svalue!)}"` : ctx.out.bold(p.svalue!);
    if (!quietOut) ctx.io.stdout(`${ctx.out.green('✓')} ${a.text}  ${what}  ${mode}  → idx ${a.idx} "${device}": ${sent}\n`);
  } else if (p.status === 'dry-run') {
    if (!quietOut) ctx.io.stdout(`${a.text}  ${what}  ${mode}  → idx ${a.idx}: ${wouldSend(p)} (dry run: Domoticz not contacted)\n`);
  } else {
    ctx.error(p.message ?? `${p.arg.text}: ${p.status}`);
  }
  for (const n of p.notes) ctx.log.verbose(`  ${p.arg.text}: ${n}`);
}

function wouldSend(p: PushResult): string {
  const a = p.arg;
  if (p.alert) return `would send level ${levelText(p.alert.level)} "${p.alert.text}" to a General/Alert device`;
  const value = a.mode === 0 ? 'the reading' : a.mode === 1 ? `reading − value(${a.idx2})` : `value(${a.idx}) + reading − value(${a.idx2})`;
  return `would send ${value}, formatted for the device's type`;
}

/** The run as one JSON object; every text that may hold something a server sent is masked. */
function readJson(run: RunRecord, exitCode: ExitCodeValue, ctx: Context, error?: string): Record<string, unknown> {
  const clean = (t: string): string => ctx.log.clean(t);
  const doc = {
    ...(run.result ? registersDoc(rowsFor(run.ids, run.result), run.result) : { registers: [], missing: [] }),
    ...(run.finished.length
      ? { finished: run.finished.map((d) => ({ ...d, idx: Number(d.idx), ...(d.message ? { message: clean(d.message) } : {}) })) }
      : {}),
    pushes: run.pushes.map((p) => ({
      argument: p.arg.text,
      idx: Number(p.arg.idx),
      register: p.arg.register,
      mode: p.arg.mode,
      ...(p.arg.idx2 !== undefined ? { idx2: Number(p.arg.idx2) } : {}),
      ...(p.reading
        ? { reading: p.reading.value !== undefined ? new RawNumber(p.reading.text) : p.reading.text, unit: p.reading.unit }
        : {}),
      ...(p.device !== undefined ? { device: clean(p.device) } : {}),
      status: p.status,
      ...(p.alert ? { level: p.alert.level, text: p.alert.text } : {}),
      ...(p.svalue !== undefined ? { svalue: p.svalue } : {}),
      ...(p.message !== undefined ? { message: clean(p.message) } : {}),
      ...(p.notes.length ? { notes: p.notes.map(clean) } : {}),
    })),
    ...(error !== undefined ? { error: clean(error) } : {}),
    exitCode,
  };
  return doc;
}
