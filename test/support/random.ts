// The one seeded generator of the tests: mulberry32 (small, fast, and the same sequence from the same seed),
// so a failing random case is replayed from the seed its message names.

export interface Rng {
  /** A number in [0, 1). */
  next: () => number;
  /** An integer in [0, n). */
  int: (n: number) => number;
  /** One of `items`. */
  pick: <T>(items: readonly T[]) => T;
  /** `n` bytes. */
  bytes: (n: number) => Uint8Array;
}

export function rng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (items) => items[int(items.length)]!,
    bytes: (n) => Uint8Array.from({ length: n }, () => int(256)),
  };
}

/** A fuzz loop's seed: $FUZZ_SEED to replay a failure, else a fresh one each run. */
export function fuzzSeed(): number {
  const given = process.env['FUZZ_SEED'];
  return given !== undefined ? Number(given) >>> 0 : (Date.now() ^ (process.pid << 10)) >>> 0;
}
