// The classic script's push argument, as it accepted it: 0x hex numbers and an idx2 after mode 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { parseReadArgument } from '../../src/domoticz/argument.js';

test('an idx in 0x hex is the same device in decimal, in either place', () => {
  assert.deepEqual(parseReadArgument('0x58:60:0'), { text: '0x58:60:0', idx: '88', register: 60, mode: 0 });
  assert.deepEqual(parseReadArgument('0X5b:0x44:2:0x5C'), { text: '0X5b:0x44:2:0x5C', idx: '91', register: 68, mode: 2, idx2: '92' });
});

test('mode 0 with an idx2 (88:60:0:90) is accepted, the idx2 ignored with a note', () => {
  const a = parseReadArgument('88:60:0:90');
  assert.equal(a.idx2, undefined);
  assert.deepEqual(a.notes, ['mode 0 does not use a compare device: idx2 90 is ignored']);
});

test('what the classic script would not have taken is still a usage error naming the part', () => {
  for (const [text, part] of [
    ['0x0:60:0', /idx "0x0"/],
    ['0x:60:0', /idx "0x"/],
    ['0x1g:60:0', /idx "0x1g"/],
    ['088:60:0', /idx "088"/],
    ['88:60:1:0xZZ', /compare idx "0xZZ"/],
    ['88:60:0:90:1', /idx:CommandNr:mode/],
  ] as const) {
    assert.throws(
      () => parseReadArgument(text),
      (e: unknown) => e instanceof UsageError && part.test(e.message),
      text,
    );
  }
});
