/**
 * A wired M-Bus meter behind the protocol-independent MeterReader: one readout (every telegram) answers
 * any set of register ids; records map to readings by their KMP register (mbus-protocol.md §8). Who the
 * meter is comes from the telegram header and the fabrication-number record, with no request of its own.
 */
import { MulticalError } from '../core/errors.js';
import type { MeterIdentity, ReadOptions, ReadResult, ReadStats, Reading } from '../core/reading.js';
import type { MbusHeader } from '../mbus/header.js';
import { MeterError } from './errors.js';
import type { MbusClient } from './mbus-client.js';
import { readingsByRegister, recordReading } from './mbus-reading.js';
import { readout, type MbusReadout } from './mbus-readout.js';
import type { MbusTarget } from './mbus-target.js';
import type { MeterReader } from './reader.js';

/** Register 1001, Fabrication No: Kamstrup's serial number (the header ID is the customer number). */
const SERIAL_REGISTER = 1001;

export class MbusMeter implements MeterReader {
  readonly protocol = 'mbus' as const;
  private last: MbusReadout | undefined;

  constructor(
    readonly client: MbusClient,
    readonly target: MbusTarget,
  ) {}

  get stats(): ReadStats {
    return this.client.stats;
  }

  /** Every telegram of the meter, read now. Throws a MeterError when not even the first one came. */
  async readout(): Promise<MbusReadout> {
    this.last = await readout(this.client, this.target);
    return this.last;
  }

  /** One readout; ids the telegram lacks are missing — or failed, when the readout stopped early. */
  async read(ids: readonly number[], options: ReadOptions = {}): Promise<ReadResult> {
    const unique = [...new Set(ids)];
    let r: MbusReadout;
    try {
      r = await this.readout();
    } catch (e) {
      if (!isMeterFailure(e)) throw e;
      return { readings: new Map(), all: [], missing: [], failed: [{ registers: unique, error: e }] };
    }
    const byRegister = readingsByRegister(r.records);
    await nameInfoFlags(r, byRegister);
    const absent = unique.filter((id) => !byRegister.has(id));
    const result: ReadResult = {
      readings: new Map(unique.flatMap((id) => (byRegister.has(id) ? [[id, byRegister.get(id)!] as const] : []))),
      all: r.records.map(recordReading),
      missing: r.incomplete ? [] : absent,
      failed: r.incomplete && absent.length > 0 ? [{ registers: absent, error: r.incomplete }] : [],
    };
    if (options.serial === true) result.serial = serialOf(r);
    return result;
  }

  /** From the last readout of this run, or from a new one. */
  async identify(): Promise<MeterIdentity> {
    const r = this.last ?? (await this.readout());
    // The model table loads only here: a plain read does not need it.
    const { modelFromMbusVersion } = await import('../kmp/info-code.js');
    return identityOf(r, modelFromMbusVersion);
  }
}

/**
 * The info code's flags (kamstrup-info-codes.md): Kamstrup's `FF 22` record in the layout of the model its
 * version byte names, the standard error flags `FD 17` in the 602 generation's layout.
 */
async function nameInfoFlags(r: MbusReadout, byRegister: Map<number, Reading>): Promise<void> {
  const record = r.records.find((rec) => rec.register === INFO_CODE_REGISTER);
  const reading = byRegister.get(INFO_CODE_REGISTER);
  if (!record || !reading || record.value.kind !== 'number' || record.value.value.exponent !== 0 || record.value.value.sign() < 0) return;
  const { decodeInfoCode, layoutForModel, modelFromMbusVersion, MBUS_FD17_LAYOUT } = await import('../kmp/info-code.js');
  const kam = r.header?.manufacturer === 'KAM';
  const layout = /^fd ?17$/i.test(record.vif)
    ? MBUS_FD17_LAYOUT
    : layoutForModel(kam ? modelFromMbusVersion(r.header!.version) : undefined).id;
  reading.flags = decodeInfoCode(record.value.value.coefficient, layout).flags.map((f) => ({
    bit: f.bit,
    name: f.name,
    category: f.category,
  }));
}

const INFO_CODE_REGISTER = 99;

function isMeterFailure(e: unknown): e is MulticalError {
  return e instanceof MulticalError && e.code !== 'METER_ABORTED' && (e instanceof MeterError || e.code.startsWith('MBUS_'));
}

function serialOf(r: MbusReadout): string | undefined {
  const fab = r.records.find((rec) => rec.register === SERIAL_REGISTER);
  if (fab?.value.kind === 'number') return fab.value.value.toString();
  return r.header?.id;
}

/** Who the meter is, from a readout; `modelOf` names a Kamstrup model by its version byte (mbus-protocol.md §7). */
export function identityOf(r: MbusReadout, modelOf: (version: number) => string | undefined): MeterIdentity {
  const h: MbusHeader | undefined = r.header;
  const serial = serialOf(r) ?? `address-${r.address}`;
  const kam = h?.manufacturer === 'KAM';
  const known = kam ? modelOf(h.version) : undefined;
  const versionHex = h ? '0x' + h.version.toString(16).toUpperCase().padStart(2, '0') : 'unknown';
  const model = known ? `MULTICAL ${known}` : `${h?.manufacturer ?? 'M-Bus'} meter, version ${versionHex}`;
  const facts: MeterIdentity['facts'] = [{ key: 'protocol', value: 'mbus' }];
  const fab = r.records.find((rec) => rec.register === SERIAL_REGISTER);
  if (fab?.value.kind === 'number')
    facts.push({ key: 'serialNo', value: Number(fab.value.value.toString()), label: 'Serial number', text: serial });
  if (h) {
    facts.push({ key: 'id', value: h.id, label: 'Secondary address (ID)', text: h.id });
    facts.push({ key: 'manufacturer', value: h.manufacturer, label: 'Manufacturer', text: h.manufacturer });
    facts.push({ key: 'version', value: h.version, label: 'Version', text: versionHex });
    facts.push({ key: 'model', value: model, label: 'Model (from the version)', text: model });
    facts.push({
      key: 'medium',
      value: h.medium.name,
      label: 'Medium',
      text: `${h.medium.name} (0x${h.medium.code.toString(16).toUpperCase().padStart(2, '0')})`,
    });
  }
  facts.push({ key: 'address', value: r.address, label: 'Primary address', text: String(r.address) });
  if (h) {
    facts.push({ key: 'accessNumber', value: h.accessNumber, label: 'Access number', text: String(h.accessNumber) });
    facts.push({ key: 'status', value: h.status, label: 'Status', text: h.statusText?.join(', ') || 'no error' });
  }
  facts.push({ key: 'telegrams', value: r.telegrams.length });
  return {
    serial,
    model,
    ...(known ? { modelNumber: known } : {}),
    revision: versionHex,
    manufacturer: kam ? 'Kamstrup' : (h?.manufacturer ?? 'unknown'),
    facts,
  };
}
