/**
 * What the HTTP API answers, decided without I/O from the status board: the flat object of the M-Bus REST
 * container users switch from (same keys, units and meaning, so its Home Assistant REST sensors work
 * unchanged), and the full view of each meter. A reading that is not fresh is never presented as new.
 */
import { Decimal } from '../core/decimal.js';
import { RawNumber } from '../core/json.js';
import type { Reading } from '../core/reading.js';
import { convert } from '../core/units.js';
import { localTimestamp } from '../core/time.js';
import type { MeterStatus, StatusBoard } from './board.js';

/** The REST container's keys: register id, and the unit its value is given in. */
const FLAT: ReadonlyArray<{ key: string; register: number; unit: string; factor?: number }> = [
  { key: 'energy_wh', register: 60, unit: 'Wh' },
  { key: 'volume_m3', register: 68, unit: 'm³' },
  { key: 'flow_temperature_c', register: 86, unit: '°C' },
  { key: 'return_temperature_c', register: 87, unit: '°C' },
  { key: 'temperature_difference_k', register: 89, unit: 'K' },
  { key: 'power_w', register: 80, unit: 'W' },
  { key: 'volume_flow_m3_h', register: 74, unit: 'm³/h' },
  { key: 'on_time_seconds', register: 1004, unit: 'h', factor: 3600 },
];

/** The registers the flat object needs, read on every scheduled read of `serve`. */
export const FLAT_REGISTERS: readonly number[] = FLAT.map((f) => f.register);

export type Answer = { status: number; body: Record<string, unknown> | unknown[] };

const find = (readings: Reading[], id: number): Reading | undefined => readings.find((r) => r.register === id);

/** `GET /`: the first meter's last fresh read as the REST container's flat object; 503 when there is none. */
export function flatView(board: StatusBoard, now: Date): Answer {
  const m = board.list()[0];
  if (!m) return { status: 503, body: { error: 'no meter is configured' } };
  if (!board.fresh(m, now)) return { status: 503, body: { error: staleText(m, now) } };
  const body: Record<string, unknown> = {};
  for (const f of FLAT) {
    const r = find(m.last!.readings, f.register);
    const v = r?.value === undefined ? undefined : convert(r.value, r.unit, f.unit);
    if (v !== undefined) body[f.key] = new RawNumber((f.factor ? v.mul(Decimal.of(f.factor)) : v).trimTo(0).toString());
  }
  const serial = m.last!.identity?.serial ?? find(m.last!.readings, 1001)?.text;
  if (serial !== undefined && /^\d+$/.test(serial)) body.fabrication_no = new RawNumber(serial);
  body.timestamp = localTimestamp(m.last!.at);
  return { status: 200, body };
}

function staleText(m: MeterStatus, now: Date): string {
  if (!m.last) return `meter ${m.name}: no reading yet${m.lastError ? ` (last error: ${m.lastError.message})` : ''}`;
  const age = Math.round((now.getTime() - m.last.at.getTime()) / 1000);
  return `meter ${m.name}: the last reading is ${age} s old, too old to be shown as current${m.lastError ? ` (last error: ${m.lastError.message})` : ''}`;
}

function readingJson(r: Reading): Record<string, unknown> {
  return {
    quantity: r.quantity,
    value: r.value !== undefined ? new RawNumber(r.text) : r.text,
    unit: r.unit,
    ...(r.register !== undefined ? { register: r.register } : {}),
    name: r.name,
    ...(r.flags ? { flags: r.flags.map((f) => f.name) } : {}),
  };
}

/** One meter as `GET /api/meters/{name}` shows it: every reading, when it was read, its age, the last error. */
export function meterView(board: StatusBoard, m: MeterStatus, now: Date): Record<string, unknown> {
  const last = m.last;
  return {
    name: m.name,
    fresh: board.fresh(m, now),
    intervalSeconds: m.intervalMs / 1000,
    ...(last
      ? {
          readAt: localTimestamp(last.at),
          ageSeconds: Math.round((now.getTime() - last.at.getTime()) / 1000),
          ...(last.identity
            ? { meter: { serial: last.identity.serial, model: last.identity.model, revision: last.identity.revision } }
            : {}),
          readings: last.readings.map(readingJson),
        }
      : { readings: [] }),
    ...(m.lastError ? { lastError: { at: localTimestamp(m.lastError.at), code: m.lastError.code, message: m.lastError.message } } : {}),
    reads: m.reads,
    pushes: m.pushes,
  };
}

export function metersView(board: StatusBoard, now: Date): Answer {
  return { status: 200, body: { meters: board.list().map((m) => meterView(board, m, now)) } };
}

/** `GET /healthz`: 200 while every meter's last good read is fresh, else 503 naming the stale ones. */
export function healthView(board: StatusBoard, now: Date): Answer {
  const stale = board.list().filter((m) => !board.fresh(m, now));
  if (stale.length === 0) return { status: 200, body: { status: 'ok', meters: board.list().map((m) => m.name) } };
  return { status: 503, body: { status: 'stale', stale: stale.map((m) => m.name), error: stale.map((m) => staleText(m, now)).join('; ') } };
}
