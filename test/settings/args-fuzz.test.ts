// The argument parsers survive 100,000 random inputs with only the project's own UsageError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { parseReadArgument } from '../../src/domoticz/argument.js';
import { parseRegisterId } from '../../src/settings/arguments.js';
import { DEFAULT_SERIAL } from '../../src/meter/serial-transport.js';
import { parseDevice } from '../../src/settings/device.js';
import { int, parseOption, seconds } from '../../src/settings/options.js';
import { parseSimSpec } from '../../src/simulator/spec.js';
import { fuzzSeed, rng } from '../support/random.js';

const ALPHABET = '0123456789:xX-+.,=/ abcdefghijklmnopqrstuvwxyzsim:tcp://0x\u00e9\u0000\n';
const PIECES = [
  '88',
  ':',
  '60',
  '0',
  '1',
  '2',
  '0x3C',
  'sim',
  'tcp://',
  '127.0.0.1',
  ':65536',
  'omit=',
  '+',
  'echo',
  ',',
  '-1',
  '99999',
  '1e3',
  ' ',
];

test('100,000 random arguments: parsed, or a UsageError — nothing else', () => {
  const seed = fuzzSeed();
  const r = rng(seed);
  const parsers: Array<(s: string) => unknown> = [
    parseReadArgument,
    (s) => parseRegisterId(s),
    (s) => parseDevice(s, DEFAULT_SERIAL),
    (s) => parseSimSpec(s.startsWith('sim') ? s : `sim:${s}`),
    (s) => parseOption({ name: 'retries', type: int(0, 5), help: '' }, s, '--retries'),
    (s) => parseOption({ name: 'timeout', type: seconds(0.1, 60), help: '' }, s, '--timeout'),
  ];
  let parsed = 0;
  for (let i = 0; i < 100_000; i++) {
    let s = '';
    for (let k = r.int(8); k > 0; k--) s += r.next() < 0.5 ? r.pick(PIECES) : r.pick([...ALPHABET]);
    const parse = parsers[i % parsers.length]!;
    try {
      parse(s);
      parsed++;
    } catch (e) {
      if (!(e instanceof UsageError)) assert.fail(`FUZZ_SEED=${seed}, input ${JSON.stringify(s)}: ${String(e)}`);
      assert.ok(e.message.length > 0 && !e.message.includes('\n'), `one line: ${e.message}`);
    }
  }
  // The generator must reach valid inputs too, or the fuzz proves little.
  assert.ok(parsed > 1000, `only ${parsed} inputs parsed`);
});

test('every read argument that parses means what it says', () => {
  assert.deepEqual(parseReadArgument('89:0x50:1:90'), { text: '89:0x50:1:90', idx: '89', register: 80, mode: 1, idx2: '90' });
  assert.deepEqual(parseReadArgument('88:60:0'), { text: '88:60:0', idx: '88', register: 60, mode: 0 });
});
