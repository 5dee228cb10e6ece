/**
 * An exact decimal: an integer coefficient times a power of ten. Meter values stay in this form
 * from the wire until they are printed, so 63.44 never becomes 63.440000000000005 and an energy
 * counter is never rounded by accident.
 */
export class Decimal {
  readonly coefficient: bigint;
  readonly exponent: number;

  private constructor(coefficient: bigint, exponent: number) {
    this.coefficient = coefficient;
    this.exponent = exponent;
  }

  static of(coefficient: bigint | number, exponent = 0): Decimal {
    if (typeof coefficient === 'number') {
      if (!Number.isSafeInteger(coefficient)) throw new RangeError(`not a safe integer: ${coefficient}`);
      coefficient = BigInt(coefficient);
    }
    if (!Number.isInteger(exponent)) throw new RangeError(`exponent must be an integer: ${exponent}`);
    return new Decimal(coefficient, exponent);
  }

  static readonly ZERO = new Decimal(0n, 0);

  /** Parses a plain decimal (`-12.345`, `7`, `1.5e3`); returns undefined for anything else. */
  static parse(text: string): Decimal | undefined {
    const m = /^\s*([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text) ?? /^\s*([+-]?)()\.(\d+)(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m) return undefined;
    const [, sign, int = '', frac = '', exp = '0'] = m;
    const expNum = Number.parseInt(exp, 10);
    if (!Number.isSafeInteger(expNum) || Math.abs(expNum) > 10_000) return undefined;
    let c = BigInt((int || '0') + frac);
    if (sign === '-') c = -c;
    return new Decimal(c, expNum - frac.length);
  }

  get scale(): number {
    return this.exponent < 0 ? -this.exponent : 0;
  }

  sign(): -1 | 0 | 1 {
    return this.coefficient < 0n ? -1 : this.coefficient > 0n ? 1 : 0;
  }

  isZero(): boolean {
    return this.coefficient === 0n;
  }

  negate(): Decimal {
    return new Decimal(-this.coefficient, this.exponent);
  }

  abs(): Decimal {
    return this.coefficient < 0n ? this.negate() : this;
  }

  /** The same value written with the given (smaller) exponent: 1.5 at -3 is 1500 × 10^-3. */
  private at(exponent: number): bigint {
    return this.coefficient * 10n ** BigInt(this.exponent - exponent);
  }

  add(other: Decimal): Decimal {
    const e = Math.min(this.exponent, other.exponent);
    return new Decimal(this.at(e) + other.at(e), e);
  }

  sub(other: Decimal): Decimal {
    return this.add(other.negate());
  }

  mul(other: Decimal): Decimal {
    return new Decimal(this.coefficient * other.coefficient, this.exponent + other.exponent);
  }

  /** × 10^n, exact. */
  shift(n: number): Decimal {
    return new Decimal(this.coefficient, this.exponent + n);
  }

  compare(other: Decimal): -1 | 0 | 1 {
    const e = Math.min(this.exponent, other.exponent);
    const a = this.at(e);
    const b = other.at(e);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Decimal): boolean {
    return this.compare(other) === 0;
  }

  /**
   * this / other. Exact when the quotient terminates within `places` fraction digits; otherwise rounded
   * half-to-even at `places` digits. Trailing zeros beyond the operands' own scale are dropped.
   */
  div(other: Decimal, places: number): Decimal {
    if (other.coefficient === 0n) throw new RangeError('division by zero');
    // q = (c1 / c2) × 10^(e1 - e2); compute round(c1 × 10^k / c2) with k chosen so the exponent is -places.
    const k = this.exponent - other.exponent + places;
    let num = this.coefficient;
    let den = other.coefficient;
    if (k >= 0) num *= 10n ** BigInt(k);
    else den *= 10n ** BigInt(-k);
    if (den < 0n) {
      num = -num;
      den = -den;
    }
    let q = num / den;
    const r = num % den;
    const twice = (r < 0n ? -r : r) * 2n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) q += num < 0n ? -1n : 1n;
    return new Decimal(q, -places).trimTo(Math.max(this.scale, other.scale));
  }

  /** The largest integer not above this value. */
  floor(): Decimal {
    if (this.exponent >= 0) return this;
    const p = 10n ** BigInt(-this.exponent);
    let q = this.coefficient / p;
    if (this.coefficient < 0n && q * p !== this.coefficient) q -= 1n;
    return new Decimal(q, 0);
  }

  /** Drops trailing fraction zeros, but keeps at least `minScale` fraction digits. */
  trimTo(minScale: number): Decimal {
    let c = this.coefficient;
    let e = this.exponent;
    while (e < -minScale && c % 10n === 0n && c !== 0n) {
      c /= 10n;
      e++;
    }
    if (c === 0n && e < -minScale) e = -minScale;
    return new Decimal(c, e);
  }

  /** Plain decimal notation, digit for digit: never `1.9591204e+24`, never `63.440000000000005`. */
  toString(): string {
    const neg = this.coefficient < 0n;
    const digits = (neg ? -this.coefficient : this.coefficient).toString();
    let s: string;
    if (this.exponent >= 0) {
      s = this.coefficient === 0n ? '0' : digits + '0'.repeat(this.exponent);
    } else {
      const places = -this.exponent;
      const padded = digits.padStart(places + 1, '0');
      s = padded.slice(0, padded.length - places) + '.' + padded.slice(padded.length - places);
    }
    return neg && this.coefficient !== 0n ? '-' + s : s;
  }
}
