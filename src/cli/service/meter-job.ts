/**
 * One meter of `serve`, one scheduled read: read the registers the sinks and the HTTP API need, put the
 * readings on the status board (implausible ones never), deliver to the meter's sinks with the same code
 * as the one-shot commands (`read`'s Domoticz pushes, `mqtt`'s publication), and say what happened in
 * one line. A failure is recorded and said; it never stops the service.
 */
import { MulticalError } from '../../core/errors.js';
import type { MeterIdentity, ReadResult } from '../../core/reading.js';
import { statsText } from '../../core/reading.js';
import { implausible } from '../../core/units.js';
import type { ReadArgument } from '../../domoticz/argument.js';
import type { DomoticzClient } from '../../domoticz/client.js';
import type { MqttSettings } from '../../mqtt/options.js';
import type { StatusBoard } from '../../http/board.js';
import { describeDevice, type MeterSetup } from '../../settings/device.js';
import type { Context } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { withMeter } from '../meter-access.js';
import type { Job } from './scheduler.js';

export interface MeterJobSpec {
  name: string;
  setup: MeterSetup;
  intervalMs: number;
  /** Every register any consumer of this meter needs, read in one go. */
  ids: number[];
  /** Who the meter is: needed once (MQTT discovery, the HTTP API's fabrication_no). */
  identity: boolean;
  domoticz?: { client: DomoticzClient; args: ReadArgument[]; allowDecrease: boolean };
  mqtt?: { settings: MqttSettings; ids: number[] };
}

interface Read {
  result?: ReadResult;
  identity?: MeterIdentity;
  error?: MulticalError;
}

export function meterJob(spec: MeterJobSpec, board: StatusBoard, ctx: Context): Job {
  let identity: MeterIdentity | undefined;
  const say = (text: string): void => ctx.io.stderr(`${spec.name}: ${ctx.log.clean(text)}\n`);
  return {
    name: spec.name,
    deviceKey: describeDevice(spec.setup.device),
    intervalMs: spec.intervalMs,
    run: async () => {
      const read = await readOnce(spec, identity, ctx);
      identity = read.identity ?? identity;
      const now = new Date();
      if (read.error) {
        board.failure(spec.name, now, read.error);
        say(`read failed: ${read.error.message}`);
        return;
      }
      const result = read.result!;
      if (result.readings.size === 0) {
        const why = result.failed[0]?.error ?? new MulticalError('METER_EMPTY', 'the meter sent none of the registers asked for');
        board.failure(spec.name, now, why);
        say(`read failed: ${why.message}`);
        return;
      }
      const good = [...result.readings.values()].filter((r) => r.value === undefined || implausible(r.value, r.unit) === undefined);
      for (const f of result.failed) board.failure(spec.name, now, f.error);
      if (good.length > 0) board.read(spec.name, now, good, identity);
      const failed = result.failed.length > 0 ? `, ${result.failed.map((f) => f.error.message).join('; ')}` : '';
      say(`read ${good.length} of ${spec.ids.length} registers${failed}`);
      if (good.length > 0) await deliver(spec, result, identity, board, ctx, say);
    },
  };
}

async function readOnce(spec: MeterJobSpec, known: MeterIdentity | undefined, ctx: Context): Promise<Read> {
  try {
    const { value, stats } = await withMeter(spec.setup, ctx, async (meter): Promise<Read> => {
      const result = await meter.read(spec.ids);
      const identity = spec.identity && !known && result.readings.size > 0 ? await meter.identify().catch(meterFailure) : undefined;
      return { result, ...(identity ? { identity } : {}) };
    });
    ctx.log.verbose(`meter ${spec.name}: ${statsText(stats)} (${describeDevice(spec.setup.device)})`);
    return value;
  } catch (e) {
    if (e instanceof MulticalError && !ctx.signal.aborted) return { error: e };
    throw e;
  }
}

/** Who the meter is could not be learnt this time: the readings stand, the next read asks again. */
function meterFailure(e: unknown): undefined {
  if (e instanceof MulticalError && e.code.startsWith('METER_') && e.code !== 'METER_ABORTED') return undefined;
  throw e;
}

async function deliver(
  spec: MeterJobSpec,
  result: ReadResult,
  identity: MeterIdentity | undefined,
  board: StatusBoard,
  ctx: Context,
  say: (t: string) => void,
): Promise<void> {
  if (spec.domoticz) {
    const [{ pushAll }, { finishUnits }, { stateJournal }] = await Promise.all([
      import('../../domoticz/push.js'),
      import('../../domoticz/recover.js'),
      import('../../domoticz/journal-file.js'),
    ]);
    const d = spec.domoticz;
    // What a run stopped half-way left in the journal is finished first, as `read` does.
    const journal = stateJournal(ctx.io.env);
    const recovery = await finishUnits(d.args, d.client, journal);
    if (recovery.stopped) return;
    const pushes = await pushAll(
      d.args,
      result,
      { client: d.client, journal, blocked: recovery.blocked },
      {
        allowDecrease: d.allowDecrease,
        onResult: (p) => board.push(spec.name, 'domoticz', p.status === 'sent', new Date()),
      },
    );
    for (const p of pushes) if (p.status !== 'sent') say(p.message ?? `${p.arg.text}: ${p.status}`);
  }
  if (spec.mqtt) {
    const { publishOutcome } = await import('../commands/mqtt-publish.js');
    const code = await publishOutcome(
      spec.mqtt.ids,
      { result, ...(identity ? { identity } : {}) },
      spec.mqtt.settings,
      { json: false, quiet: true },
      ctx,
    );
    board.push(spec.name, 'mqtt', code !== ExitCode.mqtt, new Date());
  }
}
