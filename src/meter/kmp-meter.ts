/**
 * A KMP meter behind the protocol-independent MeterReader: register records become readings. Which MULTICAL
 * a GetType meter type code stands for is not documented, so the model is named by its code.
 */
import type { MeterIdentity, ReadOptions, ReadResult, ReadStats } from '../core/reading.js';
import { MAX_REGISTERS_PER_REQUEST } from '../kmp/app.js';
import { recordToReading } from '../kmp/reading.js';
import { MeterError } from './errors.js';
import type { KmpClient } from './kmp-client.js';
import type { MeterReader } from './reader.js';

/** Register 1001, Fabrication No: the meter's serial number. */
const SERIAL_REGISTER = 1001;

export class KmpMeter implements MeterReader {
  readonly protocol = 'kmp' as const;

  /** `model`: the MULTICAL model when the user named it (`--model`), for the info code's flags. */
  constructor(
    readonly client: KmpClient,
    private readonly model?: string,
  ) {}

  get stats(): ReadStats {
    return this.client.stats;
  }

  /**
   * With `serial`, register 1001 (the serial number) rides along in the last request when it has room,
   * and only otherwise is GetSerialNo asked (one more request).
   */
  async read(ids: readonly number[], options: ReadOptions = {}): Promise<ReadResult> {
    const unique = [...new Set(ids)];
    const ride = options.serial === true && !unique.includes(SERIAL_REGISTER) && unique.length % MAX_REGISTERS_PER_REQUEST !== 0;
    const r = await this.client.readRegisters(ride ? [...unique, SERIAL_REGISTER] : unique);
    const serialRecord = r.records.get(SERIAL_REGISTER);
    if (ride) r.records.delete(SERIAL_REGISTER);
    const readings = new Map([...r.records].map(([id, rec]) => [id, recordToReading(rec, this.model)]));
    const result: ReadResult = {
      readings,
      all: [...readings.values()],
      missing: r.missing.filter((id) => !ride || id !== SERIAL_REGISTER),
      failed: r.failed.map((f) => ({ registers: f.ids.filter((id) => !ride || id !== SERIAL_REGISTER), error: f.error })),
    };
    if (options.serial === true && readings.size > 0) result.serial = serialRecord ? serialRecord.value.toString() : await this.serialNo();
    return result;
  }

  /** GetSerialNo; undefined when the meter did not answer it (the readings already read stand). */
  private async serialNo(): Promise<string | undefined> {
    try {
      return String(await this.client.getSerialNo());
    } catch (e) {
      if (e instanceof MeterError && e.code !== 'METER_ABORTED') return undefined;
      throw e;
    }
  }

  async identify(): Promise<MeterIdentity> {
    const serial = await this.client.getSerialNo();
    const type = await this.client.getType();
    const hex = '0x' + type.type.toString(16).toUpperCase().padStart(4, '0');
    return {
      serial: String(serial),
      model: `MULTICAL (type ${hex})`,
      revision: type.revision,
      manufacturer: 'Kamstrup',
      ...(this.model ? { modelNumber: this.model } : {}),
      facts: [
        { key: 'serialNo', value: serial, label: 'Serial number', text: String(serial) },
        { key: 'meterType', value: type.type, label: 'Meter type', text: hex },
        { key: 'meterTypeHex', value: hex },
        { key: 'revision', value: type.revision, label: 'Software revision', text: type.revision },
      ],
    };
  }
}
