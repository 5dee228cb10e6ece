// What a user who types a wrong command line sees, and the help, through the whole CLI in-process (runCli
// with a fake Io). The meter and the broker are a sentinel listener: a usage error contacts nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliInProcess as cli } from '../support/in-process.js';
import { sentinel, type Sentinel } from '../support/ports.js';

/** One line on stderr, `error: …`, no stack trace; returns it. */
function oneErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${stderr}`);
  assert.match(lines[0]!, /^error: /);
  return lines[0]!;
}

/** `--help` options: long flag → its description, wrapped lines joined. */
function optionHelp(help: string): Map<string, string> {
  const section = help.split(/^Options:\n/m)[1] ?? '';
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of section.split('\n')) {
    const m = /^ {2}(-\w, )?(--[\w-]+)(?: <[^>]+>)?\s+(.*)$/.exec(line);
    if (m) {
      current = m[2]!;
      out.set(current, m[3]!.trim());
    } else if (current && /^\s{4,}\S/.test(line)) {
      out.set(current, `${out.get(current)!} ${line.trim()}`);
    } else {
      current = undefined;
    }
  }
  return out;
}

describe('help', () => {
  test('a bare `multical` shows what it can do on stderr, exit 2', async () => {
    const r = await cli([]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^Usage: multical/);
    assert.match(r.stderr, /read \[options\]/);
    assert.equal(r.stdout, '');
  });

  test('a mistyped command is named, with the command it was probably meant to be', async () => {
    const reed = await cli(['reed']);
    assert.equal(reed.code, 2);
    assert.equal(reed.stderr, "error: unknown command 'reed' (Did you mean read?): see multical --help\n");
    const far = await cli(['fetch']);
    assert.equal(far.code, 2);
    assert.equal(far.stderr, "error: unknown command 'fetch': see multical --help\n");
  });

  test('--help lists every command and every exit code', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    for (const cmd of ['read', 'get', 'mqtt', 'info', 'ports', 'simulate']) {
      assert.match(r.stdout, new RegExp(`^  ${cmd}\\b`, 'm'), `--help lists ${cmd}`);
    }
    assert.match(r.stdout, /Exit codes:[\s\S]*\n\s+2\s+usage[\s\S]*\n\s+3\s+meter/);
    const codes = r.stdout.split(/^Exit codes:$/m)[1] ?? '';
    for (const code of [0, 1, 2, 3, 4, 5, 6, 7, 8, 130, 141, 143])
      assert.match(codes, new RegExp(`(^|\\s)${code}\\s{2,}\\S`, 'm'), `exit code ${code}`);
  });

  test('--help of every command shows its options with their defaults', async () => {
    const meterOptions: Record<string, RegExp> = {
      '--device': /serial device/,
      '--baud': /default: 1200\)/,
      '--stopbits': /default: 2\)/,
      '--parity': /default: none\)/,
      '--timeout': /default: 2\)/,
      '--retries': /default: 2\)/,
      '--json': /JSON/,
      '--debug': /frames/,
      '--debug-file': /file/,
      '--verbose': /./,
    };
    const expected: Record<string, Record<string, RegExp>> = {
      get: meterOptions,
      info: meterOptions,
      read: {
        ...meterOptions,
        '--ip': /default: localhost\)/,
        '--port': /default: 8080\)/,
        '--http-timeout': /default: 10\)/,
        '--dry-run': /./,
        '--test_kamstrup': /31/,
        '--test_domoticz': /./,
      },
      ports: { '--json': /JSON/ },
      simulate: {
        '--device': /serial path/,
        '--listen': /port 0/,
        '--echo': /echo/,
        '--real-timing': /1200 baud/,
        '--fault': /crc-once.*vanish-after=N.*omit=/,
        '--energy-unit': /default: "MWh"/,
        '--baud': /default: 1200\)/,
        '--stopbits': /default: 2\)/,
        '--debug': /frames/,
      },
    };
    for (const [cmd, options] of Object.entries(expected)) {
      const r = await cli([cmd, '--help']);
      assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: multical ${cmd} `));
      const help = optionHelp(r.stdout);
      for (const [flag, re] of Object.entries(options)) {
        const text = help.get(flag);
        assert.ok(text !== undefined, `${cmd} --help lists ${flag}`);
        assert.match(text, re, `${cmd} --help: ${flag}: ${text}`);
      }
    }
  });

  test('--version and -V print the version in package.json', async () => {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${pkg.version}\n`);
      assert.equal(r.stderr, '');
    }
  });
});

describe('bad command lines: exit 2, one line naming the bad thing, nothing contacted', () => {
  let s: Sentinel;
  before(async () => {
    s = await sentinel();
  });
  after(() => s.close());

  test('control: a good command line does reach the sentinel, so the cases below could see a contact', async () => {
    const r = await cli(['get', '-d', `tcp://127.0.0.1:${s.port}`, '--timeout', '0.2', '--retries', '0', '60']);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(s.connections() > 0);
  });

  test('each bad option value, register and push argument', async () => {
    const d = `tcp://127.0.0.1:${s.port}`;
    const broker = `mqtt://127.0.0.1:${s.port}`;
    const contacts = s.connections();
    const cases: Array<{ args: string[]; names: RegExp[] }> = [
      { args: ['get', '-d', d, 'abc'], names: [/"abc"/] },
      { args: ['get', '-d', d, '70000'], names: [/70000/] },
      { args: ['get', '-d', d, '0xZZ'], names: [/0xZZ/] },
      { args: ['get', '-d', d, '60', 'abc'], names: [/"abc"/] },
      { args: ['get', '-d', d, '--bogus', '60'], names: [/--bogus/] },
      { args: ['get', '-d', d, '--timeout', '-1', '60'], names: [/--timeout/, /-1/] },
      { args: ['get', '-d', d, '--retries', '99', '60'], names: [/--retries/, /99/] },
      { args: ['get', '-d', d, '--stopbits', '3', '60'], names: [/--stopbits/, /\b3\b/] },
      { args: ['get', '-d', d, '--baud', '12x', '60'], names: [/--baud/, /12x/] },
      { args: ['get', '-d', 'tcp://127.0.0.1', '60'], names: [/tcp:\/\/127\.0\.0\.1/, /port/] },
      { args: ['get', '-d', d, '--debug-file', '/nonexistent-dir/x/debug.log', '60'], names: [/--debug-file/, /nonexistent-dir/] },
      { args: ['info', '-d', d, '--retries', 'x'], names: [/--retries/, /"x"/] },
      { args: ['read', '-d', d, '88:60'], names: [/"88:60"/] },
      { args: ['read', '-d', d, '88:60:3'], names: [/"88:60:3"/, /mode/] },
      { args: ['read', '-d', d, '88:60:1'], names: [/"88:60:1"/, /idx2|compare/] },
      { args: ['read', '-d', d, 'x:60:0'], names: [/"x:60:0"/, /idx/] },
      { args: ['read', '-d', d, '88:60:0', '89:60:1'], names: [/"89:60:1"/] },
      { args: ['read', '-d', d, '--dry-run', '88:abc:0'], names: [/abc/] },
      { args: ['mqtt', '-d', d, '--broker', broker, '--qos', '3'], names: [/^error: --qos "3": must be 0, 1 or 2$/] },
      { args: ['mqtt', '-d', d, '--broker', `http://127.0.0.1:${s.port}`], names: [/--broker/, /mqtt:\/\/ or mqtts:\/\//] },
    ];
    for (const c of cases) {
      const what = `multical ${c.args.join(' ')}`;
      const r = await cli(c.args);
      assert.equal(r.code, 2, `${what}: exit 2, got ${r.code}: ${r.stderr}`);
      const line = oneErrorLine(r.stderr);
      for (const re of c.names) assert.match(line, re, `${what}: the message names the bad thing`);
      assert.equal(r.stdout, '', `${what}: nothing on stdout`);
      assert.ok(r.ms < 10_000, `${what}: no wait for a meter (${r.ms} ms)`);
    }
    assert.equal(s.connections(), contacts, 'nothing was contacted');
  });
});
