/**
 * The faults a simulated meter can inject — what real IR links and buses do: silence, corrupt
 * checksums, noise, echoes, cut-off replies, a reply to another command, a link that vanishes — and the
 * bookkeeping of the "once" kinds. Pure decisions; the meters apply them to their own frames.
 */
export interface SimFaults {
  /** Never answer. */
  noAnswer?: boolean;
  /** Ignore the first N requests (a sleeping IR port answers the second request). */
  silentFirst?: number;
  /** A bad checksum: in the first reply only, or in every reply. */
  corruptCrc?: 'once' | 'always';
  /** Line noise before every reply. */
  garbage?: boolean;
  /** Cut the reply off before its end: once, or always. */
  truncate?: 'once' | 'always';
  /** Answer with a reply to another command: once, or always. */
  wrongCommand?: 'once' | 'always';
  /** Close the link when this many requests have been answered. */
  vanishAfter?: number;
  /** Silent between these two times (ms since the epoch, wall clock): a meter that goes away and comes back. */
  outage?: { from: number; to: number };
  /** M-Bus: a second slave answers at the same time, garbling the reply: once, or always. */
  collide?: 'once' | 'always';
  /** Registers the meter leaves out of its replies as if it did not know them. */
  omit?: number[];
  /** Temp1 (register 86) reads 1000 °C: a value that cannot be right. */
  implausible?: boolean;
  /** Register 60 is nonsense with a valid CRC: 2⁶⁴−1 MWh, exponent 63, a 255-byte mantissa, or unit code 0xFF. */
  nonsense?: Nonsense;
}

export type Nonsense = 'huge' | 'exponent' | 'length' | 'unit';
export const NONSENSE: readonly Nonsense[] = ['huge', 'exponent', 'length', 'unit'];

/** The bytes of a register record (ID UNIT LEN SIEX MANTISSA) that no meter sends, for register `id`. */
export function nonsenseRecord(kind: Nonsense, id: number): Uint8Array {
  const ff = (n: number): number[] => new Array<number>(n).fill(0xff);
  const record = (unit: number, siex: number, mantissa: number[]): Uint8Array =>
    Uint8Array.of(id >> 8, id & 0xff, unit, mantissa.length & 0xff, siex, ...mantissa);
  switch (kind) {
    case 'huge':
      return record(0x03, 0x00, ff(8)); // 18446744073709551615 MWh
    case 'exponent':
      return record(0x03, 0x3f, ff(8)); // × 10^63
    case 'length':
      return record(0x03, 0x00, ff(255));
    case 'unit':
      return record(0xff, 0x00, [0x01, 0x02]);
  }
}

export type FaultKind = 'corruptCrc' | 'truncate' | 'wrongCommand' | 'collide';

/** Decides the once/always faults reply by reply: "once" fires on the first reply it can apply to. */
export class FaultPlan {
  private readonly fired = new Set<FaultKind>();

  constructor(readonly faults: SimFaults) {}

  /** Whether `kind` applies to this reply (and, for a "once" fault, marks it used). */
  fires(kind: FaultKind): boolean {
    const mode = this.faults[kind];
    if (mode === 'always') return true;
    if (mode !== 'once' || this.fired.has(kind)) return false;
    this.fired.add(kind);
    return true;
  }

  /** Whether the `count`-th request (1-based) goes unanswered. */
  silent(count: number): boolean {
    const o = this.faults.outage;
    if (o && Date.now() >= o.from && Date.now() < o.to) return true;
    return this.faults.noAnswer === true || (this.faults.silentFirst !== undefined && count <= this.faults.silentFirst);
  }
}

/** Line noise: 3 to 10 bytes, none of them in `avoid` (start bytes that would make it a frame). */
export function noise(random: () => number, avoid: readonly number[]): Uint8Array {
  const n = 3 + Math.floor(random() * 8);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let b: number;
    do b = Math.floor(random() * 256);
    while (avoid.includes(b));
    out[i] = b;
  }
  return out;
}

/** The reply cut off three bytes before its end (at least two bytes stay). */
export function truncated(bytes: Uint8Array): Uint8Array {
  return bytes.slice(0, Math.max(2, bytes.length - 3));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
