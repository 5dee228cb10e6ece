/**
 * The JSON the product prints for an M-Bus telegram: exact numbers (RawNumber, never exponent form or float
 * noise), dates as ISO 8601 strings, text as strings, bytes as hex; `register` only where mapped,
 * `problem` on flagged records and `problems` when the frame had any.
 */

import { toHex } from '../core/hex.js';
import { RawNumber, stringifyJson } from '../core/json.js';
import type { MbusRecord } from './records.js';
import type { MbusTelegram } from './telegram.js';

export function telegramJsonValue(t: MbusTelegram): Record<string, unknown> {
  const h = t.header ?? t.shortHeader;
  const meter = h && {
    ...(t.header ? { id: t.header.id, manufacturer: t.header.manufacturer, version: t.header.version, medium: t.header.medium.name } : {}),
    accessNumber: h.accessNumber,
    status: h.status,
    statusText: h.statusText,
  };
  return {
    protocol: 'mbus',
    meter,
    applicationError: t.applicationError,
    records: t.records.map(recordJsonValue),
    moreFollows: t.moreFollows ? true : undefined,
    manufacturerData: t.manufacturerData ? toHex(t.manufacturerData) : undefined,
    problems: t.problems.length > 0 ? t.problems : undefined,
  };
}

export function recordJsonValue(r: MbusRecord): Record<string, unknown> {
  const v = r.value;
  const value = v.kind === 'number' ? new RawNumber(v.value.toString()) : v.kind === 'bytes' ? v.hex : v.kind === 'invalid' ? null : v.text;
  return {
    quantity: r.quantity,
    value,
    unit: r.unit,
    summerTime: 'summerTime' in v && v.summerTime ? true : undefined,
    invalid: v.kind === 'invalid' ? v.why : undefined,
    function: r.function,
    storage: r.storage,
    tariff: r.tariff,
    subunit: r.subunit,
    register: r.register,
    dif: r.dif,
    vif: r.vif,
    vifeCodes: r.vifeCodes,
    problem: r.problem,
  };
}

/** The telegram as JSON text (compact, or indented by `indent` spaces). */
export function telegramJson(t: MbusTelegram, indent = 0): string {
  return stringifyJson(telegramJsonValue(t), indent);
}
