/**
 * The `idx:99:alert` push (argument.ts): the info code's named flags into a Domoticz General/Alert device,
 * decided without I/O, as `udevice&idx=N&nvalue=LEVEL&svalue=TEXT`.
 *
 * Not measured: ../shared/docs/domoticz-api.md records no Alert device. This one device type follows
 * Domoticz's documented JSON API for Alert devices (nvalue the level, 0 grey, 1 green, 2 yellow,
 * 3 orange, 4 red; svalue the text it shows); how a real server answers it has not been checked here.
 *
 * LEVEL is the worst flag's (kmp/info-code.ts `domoticzAlertLevel`), 1 (green, "no alarm") when no flag
 * is set. TEXT is the flag names as the other sinks name them (MQTT, --json, /metrics), worst first, then
 * by bit, within ALERT_TEXT_MAX characters: names that do not fit are counted ("+2 more"), never cut.
 */
import type { ReadResult, Reading, ReadingFlag } from '../core/reading.js';
import { domoticzAlertLevel, INFO_CATEGORY_TRAITS, type InfoCategory } from '../kmp/info-code.js';
import type { ReadArgument } from './argument.js';
import type { Device } from './device.js';
import { readingFor } from './plan.js';
import { isAlertDevice, typeName } from './targets.js';

/**
 * The longest text sent. Domoticz documents no limit for an Alert's text (it keeps it as the device's
 * sValue); 100 characters hold the three longest flag names, and stay readable on a dashboard tile and
 * in a notification.
 */
export const ALERT_TEXT_MAX = 100;
export const NO_ALARM_TEXT = 'no alarm';

export type AlertLevel = 1 | 2 | 3 | 4;
const COLOURS: Readonly<Record<AlertLevel, string>> = { 1: 'green', 2: 'yellow', 3: 'orange', 4: 'red' };

/** "3 (orange)", for messages. */
export function levelText(level: AlertLevel): string {
  return `${level} (${COLOURS[level]})`;
}

export interface AlertState {
  level: AlertLevel;
  /** The svalue: flag names, or "no alarm". */
  text: string;
  /** Names of flags that did not fit in `text` (counted there as "+N more"). */
  left: string[];
}

/** A reading's flag category as kmp/info-code.ts knows it; any other word is a bit nobody named. */
function categoryOf(f: ReadingFlag): InfoCategory {
  return Object.hasOwn(INFO_CATEGORY_TRAITS, f.category) ? (f.category as InfoCategory) : 'unknown';
}

/** Level and text for a set of flags. */
export function alertState(flags: readonly ReadingFlag[]): AlertState {
  const ranked = flags.map((f) => ({ name: f.name, bit: f.bit, category: categoryOf(f) }));
  const level = domoticzAlertLevel({ flags: ranked });
  if (ranked.length === 0) return { level, text: NO_ALARM_TEXT, left: [] };
  const rank = (c: InfoCategory): number => INFO_CATEGORY_TRAITS[c].domoticzLevel;
  ranked.sort((a, b) => rank(b.category) - rank(a.category) || a.bit - b.bit);
  const names = ranked.map((f) => f.name);
  const textOf = (n: number): string => names.slice(0, n).join(', ') + (n < names.length ? ` +${names.length - n} more` : '');
  // The worst flag always stays: the longest name (43 characters) and "+31 more" fit the limit.
  let shown = names.length;
  while (shown > 1 && textOf(shown).length > ALERT_TEXT_MAX) shown--;
  return { level, text: textOf(shown), left: names.slice(shown) };
}

export type AlertPrecheck =
  { ok: Reading; alert: AlertState; notes: string[] } | { status: 'not-read' | 'refused'; message: string; reading?: Reading };

/** The alert an info-code reading makes, or why there is none: not read, or a code whose bits are not named. */
export function alertPrecheck(arg: ReadArgument, result: ReadResult): AlertPrecheck {
  const r = readingFor(arg, result);
  if ('status' in r) return r;
  const name = `register ${arg.register} (${r.name})`;
  if (r.flags === undefined) {
    const what = r.value === undefined ? 'not a number' : 'not a whole bit field (a scaled or non-integer code)';
    return {
      status: 'refused',
      reading: r,
      message: `${arg.text}: ${name} reads ${r.text}${r.unit ? ' ' + r.unit : ''}, ${what}: its flags cannot be named, not pushed`,
    };
  }
  const alert = alertState(r.flags);
  return { ok: r, alert, notes: alertNotes(r, alert) };
}

/** What --verbose says about an alert: every flag with its category, and what the text left out. */
function alertNotes(r: Reading, alert: AlertState): string[] {
  const flags = r.flags ?? [];
  const set = flags.length === 0 ? 'no flag set' : flags.map((f) => `${f.name} (bit ${f.bit}, ${f.category})`).join(', ');
  const notes = [`info code ${r.text}: ${set}: level ${levelText(alert.level)}`];
  if (alert.left.length > 0) notes.push(`the text keeps to ${ALERT_TEXT_MAX} characters: ${alert.left.join(', ')} counted, not named`);
  if (flags.some((f) => f.name.startsWith('BIT_'))) {
    notes.push("BIT_n: a bit the meter's model does not name here (for a KMP meter, give --model)");
  }
  return notes;
}

export type AlertDecision = { send: string; nvalue: string } | { refused: string };

/** What the target device is sent, or why not: only a General/Alert device takes the flags. */
export function planAlert(arg: ReadArgument, alert: AlertState, device: Device): AlertDecision {
  if (!isAlertDevice(device)) {
    return {
      refused: `${arg.text}: device ${arg.idx} "${device.Name}" is a ${typeName(device)} device, not a General/Alert: the info code's flags are not sent to it`,
    };
  }
  return { send: alert.text, nvalue: String(alert.level) };
}
