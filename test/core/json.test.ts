// JSON output with exact numbers (style.md, "Exact decimals").
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal.js';
import { RawNumber, stringifyJson } from '../../src/core/json.js';

describe('RawNumber', () => {
  test('is written digit for digit, inside objects and arrays', () => {
    const doc = {
      energy: new RawNumber('1959120400000000000000000'),
      temp: new RawNumber('63.44'),
      list: [new RawNumber('-123.45'), new RawNumber('0.251'), { deep: [new RawNumber('0.10')] }],
    };
    const text = stringifyJson(doc);
    assert.equal(text, '{"energy":1959120400000000000000000,"temp":63.44,"list":[-123.45,0.251,{"deep":[0.10]}]}');
    const parsed = JSON.parse(text) as { temp: number; list: [number, number, { deep: number[] }] };
    assert.equal(parsed.temp, 63.44);
    assert.equal(parsed.list[0], -123.45);
    assert.equal(parsed.list[2].deep[0], 0.1);
  });

  test('with indentation, still digit for digit, and parses', () => {
    const text = stringifyJson({ a: [new RawNumber('87654321000.000'), 'x'], b: {} }, 2);
    assert.equal(text, '{\n  "a": [\n    87654321000.000,\n    "x"\n  ],\n  "b": {}\n}');
    assert.deepEqual(JSON.parse(text), { a: [87654321000, 'x'], b: {} });
  });

  test('a bare RawNumber', () => {
    assert.equal(stringifyJson(new RawNumber('-0.005')), '-0.005');
  });

  test('takes exactly JSON number syntax, without exponent', () => {
    for (const ok of ['0', '-0', '7', '-12.5', '0.000', '1959120400000000000000000']) assert.equal(new RawNumber(ok).text, ok);
    for (const bad of ['', '01', '1.', '.5', '+1', '1e3', '1E-3', 'NaN', 'Infinity', '0x10', ' 1', '1 ', '--1', '1.2.3']) {
      assert.throws(() => new RawNumber(bad), TypeError, JSON.stringify(bad));
    }
  });

  test('every Decimal prints as a valid RawNumber', () => {
    for (const [c, e] of [
      [19591204n, 17],
      [-12345n, -2],
      [0n, -3],
      [5n, -30],
      [-1n, 0],
    ] as const) {
      const text = Decimal.of(c, e).toString();
      const json = stringifyJson({ v: new RawNumber(text) });
      assert.equal(json, `{"v":${text}}`);
      JSON.parse(json);
    }
  });
});

describe('everything else as JSON.stringify writes it', () => {
  const VALUES: ReadonlyArray<[string, unknown]> = [
    ['null', null],
    ['true', true],
    ['a number', 1.5],
    ['a negative number', -42],
    ['a string with quotes, newline and unicode', 'a "b"\n\u00e9\u2028\ud83d\ude00'],
    ['an empty object', {}],
    ['an empty array', []],
    ['nested', { a: [1, [2, [3, {}]], { b: { c: null } }], d: 'e', 'k"ey': false }],
    ['undefined members are left out', { a: undefined, b: 1 }],
    ['undefined, NaN and Infinity in arrays are null', [undefined, Number.NaN, Number.POSITIVE_INFINITY, 0]],
    ['a Date through its toJSON', { at: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }],
  ];
  for (const [what, value] of VALUES) {
    test(what, () => {
      assert.equal(stringifyJson(value), JSON.stringify(value));
      assert.equal(stringifyJson(value, 2), JSON.stringify(value, null, 2));
      assert.equal(stringifyJson(value, 4), JSON.stringify(value, null, 4));
    });
  }

  test('a bigint is written as its digits (JSON.stringify would throw)', () => {
    assert.equal(stringifyJson({ n: 2n ** 70n }), '{"n":1180591620717411303424}');
  });
});
