// What real IR links do, over a real socat pty: `multical simulate --fault …` (a child process) serves
// one end, the built CLI reads the other through the serialport bindings. Each case has its own pty
// pair and simulator, stopped in t.after whatever happens. Timeouts are short where one is expected;
// time is only asserted as a lower bound (a wait that must have happened) and a generous upper bound.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import {
  EIGHT,
  EIGHT_REQUEST,
  REQUEST_1002,
  assertOneErrorLine,
  bytesOf,
  checkGetJson,
  cli,
  frameLines,
  getRegisterRequest,
  ptyMeter,
  sleep,
  tcpMeter,
  type SimMeter,
} from './meter-kit.js';

const T = { timeout: 60_000 };

async function meterFor(t: TestContext, flags: string[]): Promise<SimMeter> {
  const meter = await ptyMeter(flags);
  t.after(() => meter.stop());
  return meter;
}

/** How many times the simulator received `hex` (its `sim rx` chunks joined). */
function received(meter: SimMeter, hex: string): number {
  return meter.simRxHex().split(hex).length - 1;
}

describe('meter faults over a real pty (multical simulate --fault)', { concurrency: 3 }, () => {
  test('no-answer: exit 3 after (retries + 1) × timeout, saying what was awaited', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'no-answer']);
    const r = await cli(['get', '-d', meter.device, '--timeout', '0.3', '--retries', '1', '--debug', '60', '68']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^error: GetRegister 60, 68 to 0x3F: no reply in 300 ms, 2 attempts$/m);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [getRegisterRequest([60, 68]), getRegisterRequest([60, 68])]);
    assert.deepEqual(frameLines(r.stderr, 'rx'), [], 'nothing came back');
    assert.ok(r.ms >= 600, `waited 2 × 300 ms: ${r.ms} ms`);
    assert.ok(r.ms < 10_000, `${r.ms} ms`);
    await sleep(100);
    assert.equal(received(meter, getRegisterRequest([60, 68])), 2, 'both attempts reached the (silent) meter');
  });

  test('silent-first: the first request goes unanswered, the retry succeeds (2 tx frames)', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'silent-first']);
    const r = await cli(['get', '-d', meter.device, '--timeout', '0.5', '--json', '--debug', ...EIGHT.map(String)]);
    checkGetJson(r, EIGHT);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST, EIGHT_REQUEST]);
    assert.ok(r.ms >= 500, `the first attempt's timeout was waited out: ${r.ms} ms`);
  });

  test('crc-once: the corrupt reply is not used; the retry succeeds (2 tx frames)', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'crc-once']);
    const r = await cli(['get', '-d', meter.device, '--timeout', '0.5', '--json', '--debug', ...EIGHT.map(String)]);
    checkGetJson(r, EIGHT);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST, EIGHT_REQUEST]);
    const replies = frameLines(r.stderr, 'rx')
      .join(' ')
      .split(' 0D')
      .filter((x) => x.trim() !== '');
    assert.ok(replies.length >= 2, 'two replies arrived: the corrupt one and the good one');
  });

  test('crc-always: exit 3, the message says the CRC was wrong', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'crc-always']);
    const r = await cli(['get', '-d', meter.device, '--timeout', '0.3', '--retries', '1', '--debug', '60']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^error: GetRegister 60 to 0x3F: bad reply \(.*CRC.*\), 2 attempts$/m);
    assert.equal(frameLines(r.stderr, 'tx').length, 2);
    assert.match(r.stdout, /^60\s+Heat Energy \(E1\)\s+\(not read\)$/m, 'no corrupt value is printed');
    const json = await cli(['get', '-d', meter.device, '--timeout', '0.3', '--retries', '0', '--json', '60']);
    assert.equal(json.code, 3, json.stderr);
    assert.match(assertOneErrorLine(json.stderr), /CRC/);
    const doc = JSON.parse(json.stdout) as { registers: unknown[]; errors: Array<{ code: string }> };
    assert.deepEqual(doc.registers, []);
    assert.deepEqual(
      doc.errors.map((e) => e.code),
      ['METER_BAD_REPLY'],
    );
  });

  test('garbage before every reply: read correctly in one request', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'garbage']);
    const r = await cli(['get', '-d', meter.device, '--json', '--debug', ...EIGHT.map(String), '1003']);
    checkGetJson(r, [...EIGHT, 1003]);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST, getRegisterRequest([1003])]);
    const rx = frameLines(r.stderr, 'rx').flatMap(bytesOf);
    assert.notEqual(rx[0], 0x40, 'noise did come before the reply');
  });

  test('truncate-once: the cut-off reply is dropped, the retry succeeds (2 tx frames)', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'truncate-once']);
    const r = await cli(['get', '-d', meter.device, '--timeout', '0.5', '--json', '--debug', ...EIGHT.map(String)]);
    checkGetJson(r, EIGHT);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST, EIGHT_REQUEST]);
  });

  test('wrong-command-once: a reply to another command is not taken; the retry succeeds (2 tx frames)', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'wrong-command-once']);
    const r = await cli(['get', '-d', meter.device, '--timeout', '0.5', '--json', '--debug', ...EIGHT.map(String)]);
    checkGetJson(r, EIGHT);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST, EIGHT_REQUEST]);
  });

  test('omit=86: 86 is missing (not an error), the rest is read, exit 0', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'omit=86']);
    const r = await cli(['get', '-d', meter.device, '--json', '--debug', '60', '86', '87']);
    checkGetJson(r, [60, 86, 87], { missing: [86] });
    assert.equal(frameLines(r.stderr, 'tx').length, 1, 'not asked again');
    const text = await cli(['get', '-d', meter.device, '60', '86']);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stderr, '');
    assert.match(text.stdout, /^86\s+Temp1\s+\(not reported by the meter\)$/m);
  });

  test('vanish-after=1 with 9 registers: the first batch arrives, then exit 3: the device went away or did not reply', T, async (t) => {
    const meter = await meterFor(t, ['--fault', 'vanish-after=1']);
    const r = await cli([
      'get',
      '-d',
      meter.device,
      '--timeout',
      '0.3',
      '--retries',
      '1',
      '--json',
      '--debug',
      ...EIGHT.map(String),
      '1002',
    ]);
    checkGetJson(r, [...EIGHT, 1002], { code: 3, failed: [1002] });
    const tx = frameLines(r.stderr, 'tx');
    assert.equal(tx[0], EIGHT_REQUEST);
    assert.ok(tx.slice(1).length >= 1 && tx.slice(1).every((f) => f === REQUEST_1002), `then only 1002 was asked for: ${tx.join(' | ')}`);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /^error: GetRegister 1002 to 0x3F: .*(went away|no reply)/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.ok(await meter.waitExit(5000), 'the simulated meter really went away');
  });

  test('vanish-after=1 over TCP: the closed connection is noticed at once: "went away", exit 3', T, async (t) => {
    const meter = await tcpMeter(['--fault', 'vanish-after=1']);
    t.after(() => meter.stop());
    const r = await cli(['get', '-d', meter.device, '--timeout', '5', '--json', '--debug', ...EIGHT.map(String), '1002']);
    checkGetJson(r, [...EIGHT, 1002], { code: 3, failed: [1002] });
    assert.deepEqual(
      r.stderr.split('\n').filter((l) => l.startsWith('error:')),
      [`error: GetRegister 1002 to 0x3F: ${meter.device} went away (connection closed)`],
    );
    assert.ok(r.ms < 5000, `not a timeout: ${r.ms} ms`);
  });

  test('--real-timing: 8 registers take at least 0.25 s plus the wire time at 1200 baud', T, async (t) => {
    const meter = await meterFor(t, ['--real-timing']);
    const r = await cli(['get', '-d', meter.device, '--timeout', '3', '--json', '--debug', ...EIGHT.map(String)]);
    checkGetJson(r, EIGHT);
    assert.deepEqual(frameLines(r.stderr, 'tx'), [EIGHT_REQUEST]);
    const rx = frameLines(r.stderr, 'rx');
    const rxBytes = rx.flatMap(bytesOf).length;
    const byteMs = (11 * 1000) / 1200; // 8N2: 11 bits a byte
    const atLeast = 250 + (bytesOf(EIGHT_REQUEST).length + rxBytes) * byteMs;
    assert.ok(r.ms >= atLeast, `took ${r.ms} ms, at least ${Math.round(atLeast)} ms expected`);
    assert.ok(rx.length > 3, `the reply trickled in (${rx.length} chunks)`);
  });
});
