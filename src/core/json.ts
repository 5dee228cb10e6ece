/**
 * JSON output with exact numbers. JSON.stringify can only write a number it holds as a double;
 * meter values are exact decimals, so they are wrapped in RawNumber and written digit for digit.
 */
export class RawNumber {
  readonly text: string;
  constructor(text: string) {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) throw new TypeError(`not a JSON number: ${text}`);
    this.text = text;
  }
}

export function stringifyJson(value: unknown, indent = 0): string {
  return write(value, indent, '');
}

function write(value: unknown, indent: number, pad: string): string {
  if (value instanceof RawNumber) return value.text;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'bigint') return value.toString();
  // As JSON.stringify does: a Date (or anything with toJSON) is written as what toJSON returns, not as {}.
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return write((value as { toJSON: () => unknown }).toJSON(), indent, pad);
  }
  const inner = pad + ' '.repeat(indent);
  const nl = indent > 0 ? '\n' : '';
  const sep = indent > 0 ? ': ' : ':';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${nl}${value.map((v) => inner + write(v, indent, inner)).join(',' + nl)}${nl}${pad}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{${nl}${entries.map(([k, v]) => inner + JSON.stringify(k) + sep + write(v, indent, inner)).join(',' + nl)}${nl}${pad}}`;
  }
  return 'null';
}
