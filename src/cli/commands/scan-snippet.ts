/**
 * `multical scan --config-snippet`: the meters a scan found as entries of the config file's `meters:`,
 * ready to paste — a name from the medium and the ID, the device as given, the protocol, and how to
 * reach each meter (its secondary address after a secondary scan, its primary address otherwise).
 * Strings are written as JSON strings, which YAML reads as they are.
 */
import type { FoundMeter } from '../../meter/mbus-scan.js';
import { modelFromMbusVersion } from '../../kmp/info-code.js';

export interface SnippetInput {
  meters: readonly FoundMeter[];
  /** The device as the user gave it (`/dev/ttyUSB1`, `tcp://gw:10001`, `sim:…`). */
  device: string;
  /** The baud rate, when it is not M-Bus's 2400. */
  baud: number | undefined;
  secondary: boolean;
  /** Notes (collisions) to keep as comments. */
  notes: readonly string[];
}

/** `Heat (outlet)` and 58300187 → `heat-outlet-58300187`: a valid meter name (letters, digits, -, _). */
export function snippetName(medium: string, id: string): string {
  const word = medium
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${word || 'meter'}-${id}`;
}

export function configSnippet(s: SnippetInput): string {
  const q = (t: string): string => JSON.stringify(t);
  const names = new Map<string, number>();
  const lines = [`# ${s.meters.length} meter${s.meters.length === 1 ? '' : 's'} found on ${s.device} by multical scan`, 'meters:'];
  for (const m of s.meters) {
    const base = snippetName(m.medium.name, m.id);
    const seen = (names.get(base) ?? 0) + 1;
    names.set(base, seen);
    const model = m.manufacturer === 'KAM' ? modelFromMbusVersion(m.version) : undefined;
    lines.push(
      `  - name: ${q(seen > 1 ? `${base}-${seen}` : base)}`,
      `    device: ${q(s.device)}`,
      '    protocol: mbus',
      ...(s.baud !== undefined ? [`    baud: ${s.baud}`] : []),
      s.secondary ? `    secondary: ${q(m.id)}` : `    address: ${m.address}`,
      ...(model ? [`    model: ${q(model)}`] : []),
      `    # ${m.manufacturer}, ${m.medium.name}, version 0x${m.version.toString(16).toUpperCase().padStart(2, '0')}`,
    );
  }
  for (const n of s.notes) lines.push(`# note: ${n}`);
  return lines.join('\n') + '\n';
}
