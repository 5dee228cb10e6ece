// Which pushes go together (units.ts) and the journal that lets a stopped unit be finished (journal.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReadArgument } from '../../src/domoticz/argument.js';
import { serverText } from '../../src/domoticz/client.js';
import { decodeJournal, encodeJournal, journalName, type Journal } from '../../src/domoticz/journal.js';
import { cutAt, groupUnits } from '../../src/domoticz/units.js';

const args = (...texts: string[]) => texts.map(parseReadArgument);

test('pushes that share a device one of them writes form a unit; others stand alone', () => {
  const a = args('91:68:2:92', '1:60:0', '92:68:0', '88:60:0', '89:80:1:90', '93:60:1:90');
  assert.deepEqual(
    groupUnits(a).map((u) => u.members),
    [[0, 2], [1], [3], [4], [5]],
  );
  assert.deepEqual(groupUnits(a)[0]!.devices, ['91', '92']);
  // transitively: 93 reads 92, which 92:68:0 writes
  assert.deepEqual(
    groupUnits(args('91:68:2:92', '92:68:0', '93:68:1:92')).map((u) => u.members),
    [[0, 1, 2]],
  );
});

test('an alert push is a unit of its own, even on a device another push reads or writes', () => {
  const a = args('91:68:2:92', '92:68:0', '92:99:alert', '91:99:alert', '93:99:alert');
  assert.deepEqual(
    groupUnits(a).map((u) => u.members),
    [[0, 1], [2], [3], [4]],
  );
  assert.deepEqual(
    groupUnits(a).map((u) => u.devices),
    [['91', '92'], ['92'], ['91'], ['93']],
  );
  // so a refused alert on 92 cannot hold the mode-2 unit that writes 92
  const unit = groupUnits(a)[0]!;
  assert.equal(cutAt(a, unit, 2), 2);
});

test('a push that cannot be sent stops its unit there, and earlier at a push whose base a later one overwrites', () => {
  const mode2 = args('91:68:2:92', '92:68:0');
  const unit = groupUnits(mode2)[0]!;
  assert.equal(cutAt(mode2, unit, 1), 0, '92 overwrites the base of 91: neither is sent');
  assert.equal(cutAt(mode2, unit, 2), 2);
  // writing the same device twice binds nothing: the first may go alone
  const twice = args('8:60:1:3', '8:60:0');
  assert.equal(cutAt(twice, groupUnits(twice)[0]!, 1), 1);
  // through others: 93 is bound to 92:68:0 only through 91's unit
  const three = args('93:68:1:92', '91:68:2:92', '92:68:0');
  assert.equal(cutAt(three, groupUnits(three)[0]!, 2), 0);
});

test('a journal is named by the Domoticz URL and the unit’s devices, and read back as written', () => {
  const name = journalName('http://127.0.0.1:8080', ['92', '91']);
  assert.equal(name, journalName('http://127.0.0.1:8080', ['91', '92']));
  assert.notEqual(name, journalName('http://127.0.0.1:8081', ['91', '92']));
  assert.notEqual(name, journalName('http://127.0.0.1:8080', ['91', '93']));
  assert.match(name, /^domoticz-[0-9a-f]{16}\.json$/);
  const j: Journal = {
    url: 'http://127.0.0.1:8080',
    devices: ['91', '92'],
    entries: [
      { argument: '91:68:2:92', idx: '91', svalue: '130.77', additive: false, state: 'applied' },
      { argument: '92:68:0', idx: '92', svalue: '5030.77', additive: false, state: 'planned' },
    ],
  };
  assert.deepEqual(decodeJournal(encodeJournal(j)), j);
  for (const bad of [
    '',
    '{',
    '[]',
    '{"format":"x"}',
    encodeJournal(j).replace('"planned"', '"half"'),
    encodeJournal(j).replace('"91"', '"x"'),
    encodeJournal(j).replace('130.77', 'abc'),
  ]) {
    assert.ok('bad' in decodeJournal(bad), bad);
  }
});

test('server text in a message: one short line, credentials masked, even from a value nested 100,000 deep', () => {
  const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
  assert.equal(serverText(deep), '[…]');
  assert.equal(serverText('ERR Basic YWRtaW46czNjcjN0 password=s3cr3t'), '"ERR Basic *** password=***"');
  assert.ok(serverText('x'.repeat(1000)).length < 90);
});
