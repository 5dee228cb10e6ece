/**
 * `--json` prints one JSON object on every outcome, errors included, with the exit code in it: a command
 * hands over its object, and it is printed once, at the end — by the action when the command returns,
 * by the program's error sink (with the error) when it throws.
 */
import { stringifyJson } from '../core/json.js';

export interface JsonReport {
  doc: Record<string, unknown> | undefined;
  printed: boolean;
}

export function printJson(io: { stdout: (t: string) => void }, report: JsonReport, extra: Record<string, unknown>): void {
  if (report.printed) return;
  report.printed = true;
  io.stdout(stringifyJson({ ...(report.doc ?? {}), ...extra }) + '\n');
}
