import { parseRegisterId } from '../args.js';
import { Decimal } from '../core/decimal.js';
import { DomoticzClient, DomoticzError, type Device, type DomoticzSettings } from '../domoticz/client.js';
import { alignDeviceValue, describeTarget, deviceValue, formatSvalue, toTargetUnit, typeName, type Target } from '../domoticz/devices.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../core/errors.js';
import { RawNumber, stringifyJson } from '../core/json.js';
import { formatRecord } from '../kmp/format.js';
import { CLASSIC_TEST_REGISTERS, registerName } from '../kmp/registers.js';
import type { RegisterReadResult } from '../meter/client.js';
import { convert, isTotal, plausibleRange } from '../core/units.js';
import { meterSetup, summarizeStats, withMeter, type Context, type MeterOptionText, type MeterSetup } from './context.js';
import { alignColumns, registersDoc, registersJson, renderTable, reportFailures, rowsFor } from './registers-view.js';

/** One `idx:CommandNr:mode[:idx2]` argument of the classic script. */
export interface ReadArgument {
  text: string;
  idx: string;
  register: number;
  mode: 0 | 1 | 2;
  idx2?: string;
}

const POWER_REGISTER = 80;

export function parseReadArgument(text: string): ReadArgument {
  const parts = text.split(':');
  const usage = 'use idx:CommandNr:mode[:idx2], e.g. 88:60:0 or 89:80:1:90';
  if (parts.length < 3 || parts.length > 4) throw new UsageError(`bad argument ${JSON.stringify(text)}: ${usage}`);
  const [idx, reg, mode, idx2] = parts as [string, string, string, string | undefined];
  const idxOk = (s: string): boolean => /^[1-9]\d{0,8}$/.test(s);
  if (!idxOk(idx)) throw new UsageError(`bad argument ${JSON.stringify(text)}: Domoticz idx ${JSON.stringify(idx)} must be a positive whole number`);
  let register: number;
  try {
    register = parseRegisterId(reg);
  } catch {
    throw new UsageError(`bad argument ${JSON.stringify(text)}: CommandNr ${JSON.stringify(reg)} must be a register id, decimal or 0x hex from 0 to 65535`);
  }
  if (mode !== '0' && mode !== '1' && mode !== '2') throw new UsageError(`bad argument ${JSON.stringify(text)}: mode ${JSON.stringify(mode)} must be 0, 1 or 2`);
  const m = Number(mode) as 0 | 1 | 2;
  if (m === 0 && idx2 !== undefined) throw new UsageError(`bad argument ${JSON.stringify(text)}: mode 0 takes no compare device (idx2)`);
  if (m !== 0 && idx2 === undefined) throw new UsageError(`bad argument ${JSON.stringify(text)}: mode ${m} needs a compare device: ${idx}:${reg}:${m}:idx2`);
  if (idx2 !== undefined && !idxOk(idx2)) throw new UsageError(`bad argument ${JSON.stringify(text)}: compare idx ${JSON.stringify(idx2)} must be a positive whole number`);
  return { text, idx, register, mode: m, ...(idx2 !== undefined ? { idx2 } : {}) };
}

export interface ReadSettings extends MeterOptionText {
  testKamstrup?: boolean;
  testDomoticz?: boolean;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
  allowDecrease?: boolean;
  /** Resolved Domoticz settings; validated before anything is contacted. */
  domoticz: DomoticzSettings;
}

export type PushStatus = 'sent' | 'dry-run' | 'not-read' | 'refused' | 'failed';

export interface PushResult {
  arg: ReadArgument;
  status: PushStatus;
  reading?: { value: string; numeric: boolean; unit: string };
  device?: string;
  svalue?: string;
  message?: string;
  notes: string[];
}

/**
 * `multical read`: validate everything, read every register once (≤ 8 per request), then push each
 * argument in the order given, reading device values fresh right before each computation.
 */
export async function readCommand(argTexts: string[], s: ReadSettings, ctx: Context): Promise<ExitCodeValue> {
  if (s.testDomoticz) return testDomoticz(s, ctx);
  const setup = meterSetup(s);
  if (s.testKamstrup) return testKamstrup(setup, s, ctx);
  if (argTexts.length === 0) throw new UsageError('nothing to read: give idx:CommandNr:mode[:idx2] arguments, e.g. multical read -d /dev/ttyUSB0 88:60:0');
  const args = argTexts.map(parseReadArgument);
  const ids = [...new Set(args.map((a) => a.register))];

  const { value: result, stats } = await withMeter(setup, ctx, (client) => client.readRegisters(ids));
  ctx.log.verbose(`meter: ${summarizeStats(stats)}`);
  reportFailures(ctx, result);

  const client = s.dryRun ? undefined : new DomoticzClient(s.domoticz, ctx.log, ctx.signal);
  const pushes: PushResult[] = [];
  try {
    for (const arg of args) {
      const push = await processArgument(arg, result, client, s);
      pushes.push(push);
      printPush(push, s, ctx);
    }
  } finally {
    await client?.close();
  }
  if (client) ctx.log.verbose(`Domoticz: ${client.requests} HTTP requests`);
  if (s.json) ctx.io.stdout(readJson(ids, result, pushes));
  return exitCodeFor(pushes);
}

async function processArgument(
  arg: ReadArgument,
  result: RegisterReadResult,
  client: DomoticzClient | undefined,
  s: ReadSettings,
): Promise<PushResult> {
  const rec = result.records.get(arg.register);
  if (!rec) {
    const failed = result.failed.find((f) => f.ids.includes(arg.register));
    const why = failed ? `register ${arg.register} (${registerName(arg.register)}) could not be read` : `the meter does not report register ${arg.register} (${registerName(arg.register)})`;
    return { arg, status: 'not-read', message: `${arg.text}: not pushed: ${why}`, notes: [] };
  }
  const f = formatRecord(rec);
  const reading = { value: f.text, numeric: f.numeric, unit: f.unit };
  const base = { arg, reading, notes: [] as string[] };
  if (!f.numeric) {
    return { ...base, status: 'refused', message: `${arg.text}: register ${arg.register} is a ${f.unit} value (${f.text}), not a number Domoticz can store` };
  }
  const range = plausibleRange(f.unit);
  const n = rec.value.toNumber();
  if (range && (n < range.min || n > range.max)) {
    return { ...base, status: 'refused', message: `${arg.text}: ${f.text} ${f.unit} cannot be right for register ${arg.register} (${registerName(arg.register)}): not pushed` };
  }
  if (!client) return { ...base, status: 'dry-run' };

  try {
    const target = await client.getDevice(arg.idx);
    const device = `${target.Name}`;
    const kind = describeTarget(target);
    if ('unsupported' in kind) return { ...base, device, status: 'refused', message: `${arg.text}: device ${arg.idx} "${device}": ${kind.unsupported}` };
    if (kind.kind === 'incremental' && arg.mode !== 1) {
      return {
        ...base,
        device,
        status: 'refused',
        message: `${arg.text}: device ${arg.idx} "${device}" is a Counter Incremental, which adds what it is sent: use mode 1 with a compare device`,
      };
    }
    const conv = toTargetUnit(rec.value, f.unit, kind);
    if ('refused' in conv) return { ...base, device, status: 'refused', message: `${arg.text}: device ${arg.idx} "${device}": ${conv.refused}` };
    const notes = conv.note ? [conv.note] : [];
    let value = conv.value;
    if (arg.mode !== 0) {
      const compare = await client.getDevice(arg.idx2!);
      const cv = compareValue(compare, kind, conv.unit);
      if ('refused' in cv) return { ...base, device, notes, status: 'refused', message: `${arg.text}: ${cv.refused}` };
      value = value.sub(cv.value);
      notes.push(`reading ${conv.value.toString()} − device ${arg.idx2} "${compare.Name}" ${cv.value.toString()} = ${value.toString()}`);
      if (arg.mode === 2) {
        const own = deviceValue(target);
        if (own === undefined) return { ...base, device, notes, status: 'refused', message: `${arg.text}: device ${arg.idx} "${device}" shows no number in its Data ${JSON.stringify(target.Data)}` };
        notes.push(`device ${arg.idx} ${own.toString()} + ${value.toString()} = ${own.add(value).toString()}`);
        value = own.add(value);
      }
    } else if (isTotal(f.unit) && !s.allowDecrease && kind.kind !== 'incremental') {
      const current = deviceValue(target);
      // Domoticz shows a rounded value (a Custom Sensor keeps 6 significant digits): the stored total
      // may be up to half a unit of the last shown digit below what Data shows.
      if (current !== undefined && current.sub(Decimal.of(5, current.exponent - 1)).compare(value) > 0) {
        return {
          ...base,
          device,
          notes,
          status: 'refused',
          message: `${arg.text}: ${value.toString()}${conv.unit ? ' ' + conv.unit : ''} is less than device ${arg.idx} "${device}" shows (${current.toString()}): a meter total never goes down, not pushed (--allow-decrease after replacing the meter)`,
        };
      }
    }
    const power = kind.kind === 'kwh' ? powerW(result) : undefined;
    const sv = formatSvalue(kind, value, power);
    notes.push(...sv.notes);
    await client.updateDevice(arg.idx, '0', sv.svalue);
    return { ...base, device, notes, svalue: sv.svalue, status: 'sent' };
  } catch (e) {
    if (e instanceof DomoticzError) {
      if (e.code === 'DZ_ABORTED') throw e;
      return { ...base, status: 'failed', message: `${arg.text}: ${e.message}` };
    }
    throw e;
  }
}

function compareValue(compare: Device, target: Target, unit: string): { value: Decimal } | { refused: string } {
  const v = deviceValue(compare);
  if (v === undefined) return { refused: `compare device ${compare.idx} "${compare.Name}" shows no number in its Data ${JSON.stringify(compare.Data)}` };
  const kind = describeTarget(compare);
  const fromUnit = 'unsupported' in kind ? undefined : kind.dataUnit;
  const aligned = alignDeviceValue(v, fromUnit, target.dataUnit === undefined ? unit : target.dataUnit);
  if (!(aligned instanceof Decimal)) return { refused: `compare device ${compare.idx} "${compare.Name}" (${typeName(compare)}): ${aligned.refused}` };
  return { value: aligned };
}

function powerW(result: RegisterReadResult): Decimal | undefined {
  const rec = result.records.get(POWER_REGISTER);
  if (!rec) return undefined;
  return convert(rec.value, formatRecord(rec).unit, 'W');
}

function printPush(p: PushResult, s: ReadSettings, ctx: Context): void {
  const r = p.reading;
  const what = r ? `${registerName(p.arg.register)} ${r.value}${r.unit ? ' ' + r.unit : ''}` : registerName(p.arg.register);
  const mode = p.arg.mode === 0 ? 'mode 0' : `mode ${p.arg.mode} vs idx ${p.arg.idx2}`;
  // With --json, stdout carries only the JSON object; failures still get their line on stderr.
  const quietOut = s.quiet === true || s.json === true;
  switch (p.status) {
    case 'sent':
      if (!quietOut) ctx.io.stdout(`${ctx.out.green('✓')} ${p.arg.text}  ${what}  ${mode}  → idx ${p.arg.idx} "${p.device}": ${ctx.out.bold(p.svalue!)}\n`);
      break;
    case 'dry-run':
      if (!quietOut) ctx.io.stdout(
        `${p.arg.text}  ${what}  ${mode}  → idx ${p.arg.idx}: ${
          p.arg.mode === 0 ? 'would send the reading' : p.arg.mode === 1 ? `would send reading − value(${p.arg.idx2})` : `would send value(${p.arg.idx}) + reading − value(${p.arg.idx2})`
        }, formatted for the device's type (dry run: Domoticz not contacted)\n`,
      );
      break;
    default:
      ctx.io.stderr(ctx.err.red(`error: ${p.message}`) + '\n');
  }
  for (const n of p.notes) ctx.log.verbose(`  ${p.arg.text}: ${n}`);
}

function readJson(ids: number[], result: RegisterReadResult, pushes: PushResult[]): string {
  const doc = {
    ...registersDoc(rowsFor(ids, result), result),
    pushes: pushes.map((p) => ({
      argument: p.arg.text,
      idx: Number(p.arg.idx),
      register: p.arg.register,
      mode: p.arg.mode,
      ...(p.arg.idx2 !== undefined ? { idx2: Number(p.arg.idx2) } : {}),
      ...(p.reading ? { reading: p.reading.numeric ? new RawNumber(p.reading.value) : p.reading.value, unit: p.reading.unit } : {}),
      ...(p.device !== undefined ? { device: p.device } : {}),
      status: p.status,
      ...(p.svalue !== undefined ? { svalue: p.svalue } : {}),
      ...(p.message !== undefined ? { message: p.message } : {}),
      ...(p.notes.length ? { notes: p.notes } : {}),
    })),
  };
  return stringifyJson(doc) + '\n';
}

export function exitCodeFor(pushes: PushResult[]): ExitCodeValue {
  if (pushes.some((p) => p.status === 'not-read')) return ExitCode.meter;
  if (pushes.some((p) => p.status === 'failed')) return ExitCode.domoticz;
  if (pushes.some((p) => p.status === 'refused')) return ExitCode.refused;
  return ExitCode.ok;
}

async function testKamstrup(setup: MeterSetup, s: ReadSettings, ctx: Context): Promise<ExitCodeValue> {
  const ids = [...CLASSIC_TEST_REGISTERS];
  const { value: result, stats } = await withMeter(setup, ctx, (client) => client.readRegisters(ids));
  ctx.log.verbose(`meter: ${summarizeStats(stats)}`);
  const rows = rowsFor(ids, result);
  ctx.io.stdout(s.json ? registersJson(rows, result) : renderTable(ctx, rows, 'CommandNr'));
  return reportFailures(ctx, result);
}

async function testDomoticz(s: ReadSettings, ctx: Context): Promise<ExitCodeValue> {
  const client = new DomoticzClient(s.domoticz, ctx.log, ctx.signal);
  try {
    const devices = await client.listDevices();
    if (s.json) {
      ctx.io.stdout(
        stringifyJson({ devices: devices.map((d) => ({ idx: Number(d.idx), name: d.Name, type: d.Type, subType: d.SubType, data: d.Data })) }) + '\n',
      );
      return ExitCode.ok;
    }
    const cells = devices.map((d) => [String(d.idx), d.Name, typeName(d), String(d.Data)]);
    const t = alignColumns(['idx', 'Name', 'Type', 'Data'], cells, new Set([0]));
    ctx.io.stdout([ctx.out.bold(t.header), ...t.lines].join('\n') + '\n');
    if (devices.length === 0) ctx.io.stdout('(Domoticz has no used devices)\n');
    return ExitCode.ok;
  } finally {
    await client.close();
  }
}
