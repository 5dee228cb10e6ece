/**
 * `multical scan -d DEVICE [--secondary] [--json]`: the meters on a wired M-Bus — by primary address
 * (SND_NKE to each of --addresses, 0–250 by default) or by a wildcard search of secondary addresses with
 * collision handling (mbus-protocol.md §2). Each meter found is listed with its address, ID, manufacturer,
 * medium and version — or, with --config-snippet, as entries for the config file's `meters:`. Bounded by --deadline: past it, what was found so far is printed and the run exits 8.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { modelFromMbusVersion } from '../../kmp/info-code.js';
import type { ScanResult } from '../../meter/mbus-scan.js';
import { meterSetup, METER_OPTIONS, type MeterSetup } from '../../settings/device.js';
import { text, type OptionSpec } from '../../settings/options.js';
import { resolveRaw, resolveValue } from '../../settings/resolve.js';
import { defineCommand, type RunState } from '../command.js';
import type { CommandEntry } from './index.js';
import type { CommandRun, Context, RunOptions } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { alignColumns } from '../readings-view.js';
import { JSON_OPTION } from './get.js';

export const SCAN_OPTIONS = {
  secondary: {
    name: 'secondary',
    config: false,
    type: { kind: 'bool' },
    help: 'search by secondary address (wildcard search with collision handling) instead of trying primary addresses',
  },
  addresses: {
    name: 'addresses',
    arg: 'from-to',
    config: false,
    type: text(),
    default: '0-250',
    help: 'primary addresses to try, e.g. 1-20',
  },
  configSnippet: {
    name: 'config-snippet',
    config: false,
    type: { kind: 'bool' },
    help: "print the meters found as entries of the config file's meters: list, ready to paste",
  },
} satisfies Record<string, OptionSpec>;

export function register(program: Command, entry: CommandEntry, run: RunOptions, state: RunState): void {
  const { protocol: _p, address: _a, secondary: _s, ...meter } = METER_OPTIONS;
  defineCommand(
    program,
    entry,
    {
      options: [
        ...Object.values(meter),
        ...Object.values(SCAN_OPTIONS),
        { ...JSON_OPTION, help: 'print one JSON object: {"scan":…,"meters":[{address,id,manufacturer,medium,version}…],"collisions":[…]}' },
      ],
      deadline: METER_OPTIONS.deadline,
      run: scanRun,
    },
    run,
    state,
  );
}

function parseRange(value: string): { from: number; to: number } {
  const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(value.trim());
  const from = Number(m?.[1]);
  const to = m?.[2] === undefined ? from : Number(m[2]);
  if (!m || from > 250 || to > 250 || from > to)
    throw new UsageError(`--addresses ${JSON.stringify(value)}: use FROM-TO within 0–250, e.g. 1-20`);
  return { from, to };
}

async function scanRun({ ctx }: CommandRun): Promise<ExitCodeValue> {
  const secondary = resolveValue<boolean | undefined>(SCAN_OPTIONS.secondary, ctx.sources) === true;
  const range = parseRange(resolveValue<string>(SCAN_OPTIONS.addresses, ctx.sources));
  const json = resolveValue<boolean>(JSON_OPTION, ctx.sources) === true;
  const snippet = resolveValue<boolean | undefined>(SCAN_OPTIONS.configSnippet, ctx.sources) === true;
  if (snippet && json) throw new UsageError('--config-snippet and --json: choose one (the snippet is YAML)');
  const setup = meterSetup(ctx.sources, 'mbus');
  const [{ withLink }, { MbusClient }, scan] = await Promise.all([
    import('../meter-access.js'),
    import('../../meter/mbus-client.js'),
    import('../../meter/mbus-scan.js'),
  ]);
  const what = secondary ? 'secondary' : 'primary';
  const found = scan.emptyScan();
  const say = (t: string): void => ctx.log.verbose(`scan: ${t}`);
  try {
    await withLink(setup, ctx, async (transport) => {
      const client = new MbusClient(transport, {
        baud: setup.baud,
        ...(setup.timeoutGiven ? { timeoutMs: setup.timeoutMs } : {}),
        retries: setup.retries,
        signal: ctx.signal,
        log: (dir, bytes) => ctx.log.frame(dir, bytes),
      });
      await (secondary ? scan.scanSecondary(client, say, found) : scan.scanPrimary(client, range.from, range.to, say, found));
    });
  } catch (e) {
    // Stopped (deadline, signal): what was found stands and is shown before the error line.
    if (ctx.signal.aborted) show(found, what, json, ctx, undefined);
    throw e;
  }
  const where = secondary ? 'by secondary address' : `at addresses ${range.from}–${range.to}`;
  if (snippet && found.meters.length > 0) return showSnippet(found, setup, secondary, ctx);
  return show(found, what, json, ctx, where);
}

async function showSnippet(found: ScanResult, setup: MeterSetup, secondary: boolean, ctx: Context): Promise<ExitCodeValue> {
  const { configSnippet } = await import('./scan-snippet.js');
  const device = String(resolveRaw(METER_OPTIONS.device, ctx.sources).raw);
  const baud = setup.baud === 2400 ? undefined : setup.baud;
  const notes = found.collisions.map((c) => `${c.at}: ${c.why}`);
  ctx.io.stdout(configSnippet({ meters: found.meters, device, baud, secondary, notes }));
  return ExitCode.ok;
}

/** The table (or JSON) and the notes; `where` undefined: the scan was stopped, its error line follows. */
function show(r: ScanResult, what: string, json: boolean, ctx: Context, where: string | undefined): ExitCodeValue {
  const meters = r.meters.map((m) => ({
    address: m.address,
    id: m.id,
    manufacturer: m.manufacturer,
    medium: m.medium.name,
    version: m.version,
    ...(m.manufacturer === 'KAM' && modelFromMbusVersion(m.version) ? { model: `MULTICAL ${modelFromMbusVersion(m.version)}` } : {}),
  }));
  if (json) ctx.report({ scan: what, meters, collisions: r.collisions, probes: r.probes });
  else if (meters.length > 0) {
    const cells = meters.map((m) => [
      String(m.address),
      m.id,
      m.manufacturer,
      m.medium,
      `0x${m.version.toString(16).toUpperCase().padStart(2, '0')}${m.model ? ` (${m.model})` : ''}`,
    ]);
    const t = alignColumns(['Address', 'ID', 'Manufacturer', 'Medium', 'Version'], cells, new Set([0]));
    ctx.io.stdout([ctx.out.bold(t.header), ...t.lines].join('\n') + '\n');
  }
  if (!json) for (const c of r.collisions) ctx.io.stderr(`note: ${c.at}: ${c.why}\n`);
  if (meters.length > 0 || where === undefined) return ExitCode.ok;
  ctx.error(
    `no meter identified ${where}${r.collisions.length > 0 ? ` (${r.collisions.length} collision${r.collisions.length === 1 ? '' : 's'})` : ''}`,
  );
  return ExitCode.meter;
}
