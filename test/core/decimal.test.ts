// Exact decimals (style.md, "Exact decimals"; kmp-protocol.md, "Keep it exact").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import * as oracle from '../support/oracle.js';
import { rng } from '../support/random.js';

const D = (text: string): Decimal => {
  const d = Decimal.parse(text);
  assert.ok(d, `parses ${text}`);
  return d;
};

describe('Decimal.parse', () => {
  const GOOD: ReadonlyArray<[string, bigint, number, string]> = [
    ['63.44', 6344n, -2, '63.44'],
    ['-12.345', -12345n, -3, '-12.345'],
    ['7', 7n, 0, '7'],
    ['+7', 7n, 0, '7'],
    ['007', 7n, 0, '7'],
    ['1.5e3', 15n, 2, '1500'],
    ['1.5E-3', 15n, -4, '0.0015'],
    ['1e-3', 1n, -3, '0.001'],
    ['.5', 5n, -1, '0.5'],
    ['-.5', -5n, -1, '-0.5'],
    ['5.', 5n, 0, '5'],
    ['0.000', 0n, -3, '0.000'],
    ['-0', 0n, 0, '0'],
    [' 42 ', 42n, 0, '42'],
    ['1959120400000000000000000', 1959120400000000000000000n, 0, '1959120400000000000000000'],
  ];
  for (const [text, c, e, printed] of GOOD) {
    test(`${JSON.stringify(text)} → ${c} × 10^${e} → ${printed}`, () => {
      const d = D(text);
      assert.equal(d.coefficient, c);
      assert.equal(d.exponent, e);
      assert.equal(d.toString(), printed);
    });
  }

  test('rejects what is not a plain decimal', () => {
    for (const text of [
      '',
      ' ',
      '.',
      '-',
      'abc',
      '1.2.3',
      '1e',
      'e5',
      '--1',
      '+-1',
      'NaN',
      'Infinity',
      '0x10',
      '1,5',
      '1 000',
      '1e99999',
    ]) {
      assert.equal(Decimal.parse(text), undefined, JSON.stringify(text));
    }
  });
});

describe('Decimal.toString never uses exponent notation', () => {
  const CASES: ReadonlyArray<[bigint, number, string]> = [
    [19591204n, 17, '1959120400000000000000000'],
    [1n, -30, '0.000000000000000000000000000001'],
    [-5n, -3, '-0.005'],
    [6344n, -2, '63.44'],
    [-12345n, -2, '-123.45'],
    [0n, 0, '0'],
    [0n, 5, '0'],
    [0n, -2, '0.00'],
    [10n, -1, '1.0'],
    [123n, 0, '123'],
    [-1n, 21, '-1000000000000000000000'],
  ];
  for (const [c, e, text] of CASES) {
    test(`${c} × 10^${e} → ${text}`, () => {
      assert.equal(Decimal.of(c, e).toString(), text);
      assert.equal(oracle.decimalText(c, e), text, "the tests' oracle agrees");
    });
  }

  test('random values: no e, and parse(toString(x)) is x', () => {
    const rnd = rng(7).int;
    for (let i = 0; i < 3000; i++) {
      let c = 0n;
      for (let k = rnd(30); k >= 0; k--) c = c * 10n + BigInt(rnd(10));
      if (rnd(2)) c = -c;
      const d = Decimal.of(c, rnd(81) - 40);
      const s = d.toString();
      assert.match(s, /^-?\d+(\.\d+)?$/);
      assert.ok(D(s).equals(d), `${s}`);
      if (d.exponent <= 0) assert.equal(D(s).exponent, d.exponent, 'keeps its scale');
    }
  });
});

describe('arithmetic', () => {
  test('add and sub are exact', () => {
    assert.equal(D('0.1').add(D('0.2')).toString(), '0.3');
    assert.equal(0.1 + 0.2 === 0.3, false, 'unlike doubles');
    assert.equal(D('1.5').add(D('-1.5')).toString(), '0.0');
    assert.equal(D('1').add(D('0.001')).toString(), '1.001');
    assert.equal(D('1e3').add(D('1')).toString(), '1001');
    assert.equal(D('65.43').sub(D('40.21')).toString(), '25.22');
    assert.equal(D('40.21').sub(D('65.43')).toString(), '-25.22');
    assert.equal(D('56.236').sub(D('56.2')).toString(), '0.036');
    assert.equal(D('99999999999999999999.99').add(D('0.01')).toString(), '100000000000000000000.00');
  });

  test("the tests' oracle (test/support/oracle.ts) gives the same sums and rounds half to even", () => {
    assert.equal(oracle.addText('0.1', '0.2'), '0.3');
    assert.equal(oracle.addText('1.5', '-1.5'), '0.0');
    assert.equal(oracle.subText('40.21', '65.43'), '-25.22');
    assert.equal(oracle.subText('56.236', '56.2'), '0.036');
    assert.equal(oracle.addText('99999999999999999999.99', '0.01'), '100000000000000000000.00');
    assert.equal(oracle.scaleText('150.720', 36n, 10n, 9), '542.592000000');
    assert.deepEqual(
      ['0.125', '0.135', '-0.125', '2.5'].map((t) => oracle.scaleText(t, 1n, 1n, t === '2.5' ? 0 : 2)),
      ['0.12', '0.14', '-0.12', '2'],
    );
    assert.equal(oracle.trimZeros('542.592000000'), '542.592');
  });

  test('mul, shift, negate, abs, sign, isZero', () => {
    assert.equal(D('1.5').mul(D('-0.2')).toString(), '-0.30');
    assert.equal(D('56236').mul(D('0.0036')).toString(), '202.4496');
    assert.equal(D('1.5').shift(3).toString(), '1500');
    assert.equal(D('1.5').shift(-3).toString(), '0.0015');
    assert.equal(D('2').negate().toString(), '-2');
    assert.equal(D('-2.5').abs().toString(), '2.5');
    assert.equal(D('2.5').abs().toString(), '2.5');
    assert.deepEqual([D('-0.1').sign(), D('0.00').sign(), D('3').sign()], [-1, 0, 1]);
    assert.equal(D('0.00').isZero(), true);
    assert.equal(D('0.01').isZero(), false);
  });

  test('compare and equals across scales', () => {
    const CASES: ReadonlyArray<[string, string, -1 | 0 | 1]> = [
      ['1.50', '1.5', 0],
      ['1.5', '1.50', 0],
      ['0', '0.000', 0],
      ['-1', '0', -1],
      ['0', '-1', 1],
      ['1e3', '999.999', 1],
      ['-1e3', '-999.999', -1],
      ['0.001', '0.0009', 1],
      ['123456789012345678901234567890', '123456789012345678901234567891', -1],
    ];
    for (const [a, b, r] of CASES) {
      assert.equal(D(a).compare(D(b)), r, `${a} vs ${b}`);
      assert.equal(D(a).equals(D(b)), r === 0);
    }
  });
});

describe('div rounds half to even', () => {
  const CASES: ReadonlyArray<[string, string, number, string]> = [
    ['1', '3', 4, '0.3333'],
    ['2', '3', 4, '0.6667'],
    ['-2', '3', 4, '-0.6667'],
    ['2', '-3', 4, '-0.6667'],
    ['-2', '-3', 4, '0.6667'],
    ['0.125', '1', 2, '0.12'],
    ['0.135', '1', 2, '0.14'],
    ['-0.125', '1', 2, '-0.12'],
    ['-0.135', '1', 2, '-0.14'],
    ['0.1251', '1', 2, '0.13'],
    ['2.5', '1', 0, '2'],
    ['3.5', '1', 0, '4'],
    ['-2.5', '1', 0, '-2'],
    ['-3.5', '1', 0, '-4'],
    ['0.5', '1', 0, '0'],
    ['-0.5', '1', 0, '0'],
    ['1', '8', 3, '0.125'],
    ['1', '-8', 3, '-0.125'],
    ['1', '8', 2, '0.12'],
    ['3', '8', 2, '0.38'],
    ['10', '4', 2, '2.5'],
    ['10', '4', 0, '2'],
    ['15', '4', 0, '4'],
    ['5', '0.25', 2, '20.00'],
    ['5', '0.25', 0, '20'],
    ['1e3', '1e-3', 0, '1000000'],
    ['202.4496', '0.0036', 3, '56236.000'],
    ['202.4496', '0.0036', 0, '56236'],
  ];
  for (const [a, b, places, text] of CASES) {
    test(`${a} / ${b} at ${places} places → ${text}`, () => {
      assert.equal(D(a).div(D(b), places).toString(), text);
    });
  }

  test('division by zero is a RangeError', () => {
    assert.throws(() => D('1').div(D('0.00'), 2), RangeError);
  });
});

describe('trimTo and floor', () => {
  test('trimTo drops trailing zeros down to a minimum scale', () => {
    assert.equal(D('1.2300').trimTo(0).toString(), '1.23');
    assert.equal(D('1.2300').trimTo(3).toString(), '1.230');
    assert.equal(D('1.0000').trimTo(0).toString(), '1');
    assert.equal(D('0.000').trimTo(1).toString(), '0.0');
    assert.equal(D('100').trimTo(0).toString(), '100');
  });

  test('floor is the largest integer not above', () => {
    const CASES: ReadonlyArray<[string, string]> = [
      ['2.7', '2'],
      ['2', '2'],
      ['-2.7', '-3'],
      ['-2.0', '-2'],
      ['-0.5', '-1'],
      ['0.5', '0'],
      ['1e3', '1000'],
      ['56236.341', '56236'],
    ];
    for (const [a, f] of CASES) assert.equal(D(a).floor().toString(), f, a);
  });

  test('of refuses what is not exact', () => {
    assert.throws(() => Decimal.of(0.5), RangeError);
    assert.throws(() => Decimal.of(2 ** 53), RangeError);
    assert.throws(() => Decimal.of(1, 0.5), RangeError);
    assert.equal(Decimal.of(2 ** 53 - 1).toString(), '9007199254740991');
    assert.equal(Decimal.of(2n ** 80n, -1).toString(), '120892581961462917470617.6');
    assert.equal(Decimal.ZERO.toString(), '0');
  });
});
