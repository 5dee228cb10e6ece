/**
 * `multical get --protocol mbus` without register ids: every record the meter sends, in its order — a
 * table with the KMP register's name where a record has one, or the telegram's JSON (the codec's
 * `telegramJsonValue`: {"protocol":"mbus","meter":{…},"records":[…]}), merged over all telegrams.
 */
import { telegramJsonValue } from '../../mbus/json.js';
import { MbusMeter } from '../../meter/mbus-meter.js';
import { recordReading } from '../../meter/mbus-reading.js';
import { mergedTelegram, type MbusReadout } from '../../meter/mbus-readout.js';
import type { MeterSetup } from '../../settings/device.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { withMeter } from '../meter-access.js';
import { renderRecords } from '../readings-view.js';

export async function getAllRecords(setup: MeterSetup, json: boolean, ctx: Context): Promise<ExitCodeValue> {
  const { value: r } = await withMeter(setup, ctx, async (meter): Promise<MbusReadout> => {
    if (!(meter instanceof MbusMeter)) throw new TypeError('every record: an M-Bus meter only');
    return meter.readout();
  });
  const telegram = mergedTelegram(r);
  if (json) {
    const doc = telegramJsonValue(telegram);
    ctx.report(r.incomplete ? { ...doc, errors: [{ code: r.incomplete.code, message: r.incomplete.message }] } : doc);
  } else {
    const h = r.header;
    const who = h
      ? `${h.id} ${h.manufacturer}, version 0x${h.version.toString(16).toUpperCase().padStart(2, '0')}, ${h.medium.name}`
      : 'no header';
    const n = r.telegrams.length;
    ctx.io.stdout(`M-Bus meter ${who}, primary address ${r.address}, ${n} telegram${n === 1 ? '' : 's'}\n`);
    ctx.io.stdout(renderRecords(ctx, r.records.map(recordReading)));
    for (const p of telegram.problems) ctx.log.verbose(`note: ${p}`);
  }
  if (r.incomplete) {
    ctx.error(r.incomplete.message);
    return ExitCode.meter;
  }
  return ExitCode.ok;
}
