/** `40 3F 10` style hex, the way KMP frames are written in the protocol description. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) s += ' ';
    s += (bytes[i] as number).toString(16).toUpperCase().padStart(2, '0');
  }
  return s;
}

export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new TypeError(`not hex: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function hex16(n: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(4, '0');
}
