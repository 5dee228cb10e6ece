// The tests' own reading of the KMP data link layer (kmp-protocol.md, "Data link layer (one frame)") and of
// exact decimal text, written from the descriptions and sharing no code with src/: a test that computes its
// expected bytes or digits here catches a bug in the product's CRC, stuffing or Decimal instead of repeating it.

/** CRC-16/XMODEM bit by bit: polynomial 0x1021, initial value 0, no reflection, no final XOR. */
export function crc16(bytes: Iterable<number>): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The bytes sent as 1B followed by their complement ("Byte stuffing"). */
export const STUFFED: readonly number[] = [0x06, 0x0d, 0x1b, 0x40, 0x80];

export function stuff(bytes: Iterable<number>): number[] {
  return [...bytes].flatMap((b) => (STUFFED.includes(b) ? [0x1b, b ^ 0xff] : [b]));
}

/** One left-to-right pass; undefined when a 1B is not followed by the complement of a stuffed byte. */
export function destuff(bytes: readonly number[]): number[] | undefined {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x1b) {
      out.push(bytes[i]!);
      continue;
    }
    const next = bytes[++i];
    if (next === undefined || !STUFFED.includes(next ^ 0xff)) return undefined;
    out.push(next ^ 0xff);
  }
  return out;
}

/** A whole frame: start byte (0x80 to the meter, 0x40 from it), the body and its CRC stuffed, 0x0D. */
export function frame(start: 0x40 | 0x80, body: readonly number[]): number[] {
  const crc = crc16(body);
  return [start, ...stuff([...body, crc >> 8, crc & 0xff]), 0x0d];
}

/** coefficient × 10^exponent as plain text: never exponent notation; a negative exponent keeps that many fraction digits. */
export function decimalText(coefficient: bigint, exponent: number): string {
  const sign = coefficient < 0n ? '-' : '';
  const digits = (coefficient < 0n ? -coefficient : coefficient).toString();
  if (exponent >= 0) return sign + (digits === '0' ? '0' : digits + '0'.repeat(exponent));
  const padded = digits.padStart(1 - exponent, '0');
  return `${sign}${padded.slice(0, exponent)}.${padded.slice(exponent)}`;
}

/** Plain decimal text → [coefficient, number of fraction digits]. */
export function parseText(text: string): [bigint, number] {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new Error(`not a plain decimal: ${JSON.stringify(text)}`);
  const fraction = m[3] ?? '';
  return [BigInt(`${m[1]}${m[2]}${fraction}`), fraction.length];
}

export function addText(a: string, b: string): string {
  const [ca, sa] = parseText(a);
  const [cb, sb] = parseText(b);
  const s = Math.max(sa, sb);
  return decimalText(ca * 10n ** BigInt(s - sa) + cb * 10n ** BigInt(s - sb), -s);
}

export function subText(a: string, b: string): string {
  return addText(a, b.startsWith('-') ? b.slice(1) : `-${b}`);
}

/** text × num ÷ den, rounded half to even at `places` fraction digits. */
export function scaleText(text: string, num: bigint, den: bigint, places: number): string {
  const [c, s] = parseText(text);
  const n = c * num * 10n ** BigInt(places);
  const d = den * 10n ** BigInt(s);
  const sign = n < 0n !== d < 0n ? -1n : 1n;
  const [an, ad] = [n < 0n ? -n : n, d < 0n ? -d : d];
  let q = an / ad;
  const r = an % ad;
  if (r * 2n > ad || (r * 2n === ad && q % 2n === 1n)) q += 1n;
  return decimalText(sign * q, -places);
}

/** The same number without trailing fraction zeros (as Domoticz and JSON write it). */
export function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
