// Shared by the M-Bus end-to-end tests: `multical simulate --protocol mbus` as a child on a socat pty or
// on TCP, and an independent reading of the M-Bus bytes the CLI logs with --debug (mbus-protocol.md §2 long
// frame, §4 records, §9.2 the module's DIF/VIF pairs), so the CLI's output is checked against the wire and
// not against its own decoder.
import { startCli } from '../support/cli.js';
import { ptyPair, type PtyPair } from '../support/pty.js';
import { bytesOf } from './meter-kit.js';

export interface MbusSim {
  /** What the CLI's -d takes. */
  device: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** `multical simulate --protocol mbus --device <pty a> --debug FLAGS`; the CLI uses the other end. */
export async function ptyMbus(flags: string[] = []): Promise<MbusSim> {
  const pair: PtyPair = await ptyPair();
  try {
    const sim = await startCli(['simulate', '--protocol', 'mbus', '--device', pair.a, '--debug', ...flags], /serving M-Bus \(.*\) on /, {});
    return {
      device: pair.b,
      stderr: () => sim.output().stderr,
      stop: async () => {
        try {
          await sim.stop();
        } finally {
          await pair.close();
        }
      },
    };
  } catch (e) {
    await pair.close();
    throw e;
  }
}

/** `multical simulate --protocol mbus --listen 127.0.0.1:0 FLAGS`; resolves with the printed tcp:// address. */
export async function tcpMbus(flags: string[] = []): Promise<MbusSim> {
  const sim = await startCli(
    ['simulate', '--protocol', 'mbus', '--listen', '127.0.0.1:0', ...flags],
    /listening on (tcp:\/\/127\.0\.0\.1:\d+)/,
    {},
  );
  return { device: sim.match[1]!, stderr: () => sim.output().stderr, stop: async () => void (await sim.stop()) };
}

/** The module's number records: DIF VIF → KMP register, power of ten, unit (mbus-protocol.md §8, §9.2). */
const RECORDS: Readonly<Record<string, [number, number, string]>> = {
  '0C 78': [1001, 0, ''],
  '04 06': [60, 0, 'kWh'],
  '04 86 3C': [63, 0, 'kWh'],
  '04 14': [68, -2, 'm³'],
  '04 FF 07': [97, 0, 'm³·°C'],
  '04 FF 08': [110, 0, 'm³·°C'],
  '04 22': [1004, 0, 'h'],
  '34 22': [175, 0, 'h'],
  '02 59': [86, -2, '°C'],
  '02 5D': [87, -2, '°C'],
  '02 61': [89, -2, 'K'],
  '04 2D': [80, -1, 'kW'],
  '14 2D': [143, -1, 'kW'],
  '04 3B': [74, 0, 'l/h'],
  '14 3B': [139, 0, 'l/h'],
  '04 FF 22': [99, 0, ''],
};

/** Exact decimal text of raw × 10^exp (exp ≤ 0), as many fraction digits as the exponent says. */
function text(raw: bigint, exp: number): string {
  if (exp === 0) return raw.toString();
  const neg = raw < 0n;
  const digits = (neg ? -raw : raw).toString().padStart(-exp + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, exp)}.${digits.slice(exp)}`;
}

/** Every good RSP_UD long frame in the received bytes (echoes, noise, bad checksums skipped). */
export function wireTelegrams(rxHex: readonly string[]): number[][] {
  const rx = rxHex.flatMap(bytesOf);
  const out: number[][] = [];
  for (let i = 0; i + 6 <= rx.length; i++) {
    const l = rx[i + 1]!;
    if (rx[i] !== 0x68 || rx[i + 2] !== l || rx[i + 3] !== 0x68 || i + l + 6 > rx.length || rx[i + l + 5] !== 0x16) continue;
    const body = rx.slice(i + 4, i + 4 + l);
    if ((body.reduce((a, b) => a + b, 0) & 0xff) !== rx[i + l + 4] || (body[0]! & 0x40) !== 0) continue;
    out.push(body);
    i += l + 5;
  }
  return out;
}

/** Register id → value text, from the number records of the good telegrams on the wire (current values only). */
export function wireValues(rxHex: readonly string[]): Map<number, { text: string; unit: string }> {
  const values = new Map<number, { text: string; unit: string }>();
  for (const body of wireTelegrams(rxHex)) {
    let p = 3 + 12; // C A CI, 12-byte header
    while (p < body.length) {
      const start = p;
      while (body[p]! & 0x80) p++; // DIF and DIFEs
      p++;
      while (body[p]! & 0x80) p++; // VIF and VIFEs
      p++;
      const dif = body[start]!;
      if (dif === 0x0f || dif === 0x1f) break;
      const len = [0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, 0, 6, 0][dif & 0x0f]!;
      const key = body
        .slice(start, p)
        .map((b) => b.toString(16).toUpperCase().padStart(2, '0'))
        .join(' ');
      const data = body.slice(p, p + len);
      p += len;
      const rec = RECORDS[key];
      if (!rec) continue;
      let raw = 0n;
      if ((dif & 0x0f) === 0x0c) for (const b of [...data].reverse()) raw = raw * 100n + BigInt((b >> 4) * 10 + (b & 0x0f));
      else {
        for (const b of [...data].reverse()) raw = (raw << 8n) | BigInt(b);
        if (data[len - 1]! & 0x80) raw -= 1n << BigInt(8 * len);
      }
      values.set(rec[0], { text: text(raw, rec[1]), unit: rec[2] });
    }
  }
  return values;
}
