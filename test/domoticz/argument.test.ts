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

test('idx:99:alert (and 369, in decimal or 0x hex) is an alert push: no mode number, no compare device', () => {
  assert.deepEqual(parseReadArgument('87:99:alert'), { text: '87:99:alert', idx: '87', register: 99, mode: 'alert' });
  assert.deepEqual(parseReadArgument('0x57:0x63:alert'), { text: '0x57:0x63:alert', idx: '87', register: 99, mode: 'alert' });
  assert.deepEqual(parseReadArgument('87:369:alert'), { text: '87:369:alert', idx: '87', register: 369, mode: 'alert' });
});

test('alert on a register that is not an info code, with an idx2, or misspelt: a usage error, one line each', () => {
  for (const [text, message] of [
    [
      '87:60:alert',
      /^bad argument "87:60:alert": alert sends an info code's flags: CommandNr must be 99 \(InfoCode\) or 369 \(Info bits\), not 60$/,
    ],
    ['87:98:alert', /CommandNr must be 99 \(InfoCode\) or 369 \(Info bits\), not 98$/],
    ['87:99:alert:90', /^bad argument "87:99:alert:90": alert takes no compare device: drop ":90"$/],
    ['87:99:Alert', /mode "Alert" must be 0, 1 or 2, or alert for an info code$/],
    ['87:99:alarm', /mode "alarm" must be 0, 1 or 2, or alert for an info code$/],
    ['0:99:alert', /idx "0" must be a positive whole number/],
  ] as const) {
    assert.throws(
      () => parseReadArgument(text),
      (e: unknown) => e instanceof UsageError && message.test(e.message) && !e.message.includes('\n'),
      text,
    );
  }
});
