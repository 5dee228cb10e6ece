// `multical decode` end to end (the built CLI): every worked example of mbus-protocol.md §9, the KMP
// vectors of kmp-protocol.md and the logger captures of kmp-loggers.md, from arguments and from stdin;
// bad input is one line per frame with exit 2 (not hex) or 9 (does not decode).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crc16 } from '../support/oracle.js';
import { cli, hexOf, lines } from './meter-kit.js';

const T = { timeout: 30_000 };

const MC403 = `68 83 83 68 08 BB 72 87 01 30 58 2D 2C 34 0C 2A 00 00 00 0C 78 67 45 23 71
04 06 77 40 00 00 04 86 3C D6 00 00 00 04 14 15 A1 00 00 04 FF 07 89 6D 00 00
04 FF 08 68 40 00 00 04 22 A6 75 00 00 34 22 0C 00 00 00 02 59 7D 1A 02 5D 0A 10
02 61 73 0A 04 2D 20 00 00 00 14 2D 74 00 00 00 04 3B 67 00 00 00 14 3B 92 01 00 00
04 FF 22 00 00 00 00 04 6D 25 2E 0F 33 44 06 08 3E 00 00 44 14 7A 9B 00 00 42 6C 01 33
30 16`.replace(/\s+/g, ' ');
const TST_1 = `68 41 41 68 08 FD 72 26 59 41 31 74 52 01 04 07 00 00 00 0C 0E 56 34 12 00 84 10 FB 00 C9 14 00 00 C4 80 40 14 D2 04 00 00
94 01 3B 6B 03 00 00 02 61 BB FE 0B 2B 25 01 F0 0D FD 0E 05 32 30 2E 31 56 2F 2F 1F 21 16`.replace(/\s+/g, ' ');
const TST_2 = '68 22 22 68 08 FD 72 26 59 41 31 74 52 01 04 08 00 00 00 02 FD 17 04 00 04 6D 3B B7 44 37 42 6C FF FF 0F 01 02 03 F4 16';

/** A KMP reply frame built here (CRC-16/XMODEM, stuffing of 06 0D 1B 40 80), independent of src/kmp. */
function kmpReply(destination: number, apl: number[]): string {
  const body = [destination, ...apl];
  const crc = crc16(body);
  const stuffed = [...body, crc >> 8, crc & 0xff].flatMap((b) => ([0x06, 0x0d, 0x1b, 0x40, 0x80].includes(b) ? [0x1b, b ^ 0xff] : [b]));
  return hexOf([0x40, ...stuffed, 0x0d]);
}

const bytes = (hex: string): number[] => hex.split(' ').map((h) => Number.parseInt(h, 16));

describe('decode: M-Bus (mbus-protocol.md §9)', () => {
  test('§9.1: every master frame, named, with its address and FCB', T, async () => {
    const frames: Array<[string, string]> = [
      ['10 40 BB FB 16', 'M-Bus SND_NKE (link reset) to 187'],
      ['10 7B BB 36 16', 'M-Bus REQ_UD2 (class 2 data: the reading) to 187, FCB 1'],
      ['10 5B BB 16 16', 'M-Bus REQ_UD2 (class 2 data: the reading) to 187, FCB 0'],
      ['10 5B FE 59 16', 'M-Bus REQ_UD2 (class 2 data: the reading) to FE (every meter answers), FCB 0'],
      ['10 40 FD 3D 16', 'M-Bus SND_NKE (link reset) to FD (the meter selected by secondary address)'],
      ['10 40 FF 3F 16', 'M-Bus SND_NKE (link reset) to FF (broadcast, no answer)'],
      ['68 03 03 68 53 05 50 A8 16', 'M-Bus SND_UD to 5, FCB 0: application reset'],
      ['68 06 06 68 53 05 51 01 7A 17 3B 16', 'M-Bus SND_UD to 5, FCB 0: set primary address to 23'],
      ['68 03 03 68 53 05 BD 15 16', 'M-Bus SND_UD to 5, FCB 0: switch to 9600 Bd (E5 comes back at the old rate)'],
      [
        '68 0B 0B 68 73 FD 52 FF FF 41 31 FF FF FF FF 2E 16',
        'M-Bus SND_UD to FD (the meter selected by secondary address), FCB 1: select by secondary address: ID 3141FFFF, manufacturer any, version any, medium any',
      ],
      ['E5', 'M-Bus E5: acknowledgement'],
    ];
    const r = await cli(['decode', ...frames.map(([f]) => f)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(
      lines(r.stdout),
      frames.map(([, text], i) => `frame ${i + 1}: ${text}`),
    );
    const one = await cli(['decode', '--json', '68 0B 0B 68 73 FD 52 26 59 41 31 74 52 FF FF 77 16']);
    assert.deepEqual(JSON.parse(one.stdout), {
      protocol: 'mbus',
      direction: 'from master',
      control: '0x73',
      address: 253,
      frame: 'long',
      name: 'SND_UD',
      ci: '0x52',
      fcb: 1,
      meaning: 'select',
      mask: { id: '31415926', manufacturer: 'TST', version: 'any', medium: 'any' },
      exitCode: 0,
    });
  });

  test('§9.2: the MULTICAL 403 telegram as one JSON object, and as a table with register names', T, async () => {
    const r = await cli(['decode', '--json', MC403]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stdout.startsWith(
        '{"protocol":"mbus","meter":{"id":"58300187","manufacturer":"KAM","version":52,"medium":"heat (inlet)","accessNumber":42,"status":0},"records":[{"quantity":"fabrication number","value":71234567,',
      ),
      r.stdout,
    );
    assert.match(
      r.stdout,
      /\{"quantity":"energy","value":16503,"unit":"kWh","function":"instantaneous","storage":0,"tariff":0,"subunit":0,"register":60,"dif":"04","vif":"06"\}/,
    );
    assert.match(r.stdout, /"value":412\.37,"unit":"m³"/);
    assert.match(r.stdout, /"value":"2024-03-15T14:37","unit":"","function":"instantaneous"/);
    assert.match(r.stdout, /"exitCode":0\}\n$/);
    const doc = JSON.parse(r.stdout) as { records: unknown[] };
    assert.equal(doc.records.length, 20);
    const t = await cli(['decode', MC403]);
    const ls = lines(t.stdout);
    assert.equal(ls[0], 'M-Bus RSP_UD from address 187: 58300187 KAM, version 0x34, heat (inlet), access number 42');
    assert.match(ls[1]!, /^\s*ID\s+Record\s+Value\s+Unit$/);
    assert.match(ls[3]!, /^\s*60\s+Heat Energy \(E1\)\s+16503\s+kWh$/);
    assert.ok(ls.some((l) => /^\s*63\s+Cooling Energy E3\s+214\s+kWh$/.test(l)));
    assert.ok(ls.some((l) => /^\s+energy, storage 1\s+15880\s+kWh$/.test(l)));
  });

  test('§9.3: both telegrams (1F: more follows; manufacturer data in wire order), through stdin with tx/rx prefixes', T, async () => {
    const input = ['# §9.3 capture', 'tx 10 40 FD 3D 16', '', `rx ${TST_1}`, `2026-01-05T04:01:40.123Z rx ${TST_2}`].join('\n');
    const r = await cli(['decode', '--json', '-'], { input });
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { frames: Array<Record<string, unknown>>; exitCode: number };
    assert.equal(doc.frames.length, 3);
    assert.equal(doc.frames[0]!.name, 'SND_NKE');
    assert.equal(doc.frames[1]!.moreFollows, true);
    assert.equal((doc.frames[1]!.records as unknown[]).length, 7);
    assert.equal(doc.frames[2]!.manufacturerData, '01 02 03');
    assert.match(r.stdout, /"quantity":"energy","value":123\.456,"unit":"GJ"/);
    assert.match(r.stdout, /"value":"V1\.02"/);
    assert.match(r.stdout, /"value":-3\.25,"unit":"K"/);
    const text = await cli(['decode', '-'], { input: TST_1 });
    assert.match(
      text.stdout,
      /^M-Bus RSP_UD from address 253: 31415926 TST, version 0x01, heat \(outlet\), access number 7 \(more telegrams follow\)$/m,
    );
  });

  test('bytes given as separate arguments are one frame', T, async () => {
    const r = await cli(['decode', '10', '40', 'FD', '3D', '16']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['M-Bus SND_NKE (link reset) to FD (the meter selected by secondary address)']);
  });
});

describe('decode: KMP (kmp-protocol.md vectors, kmp-loggers.md captures)', () => {
  test('requests and replies of GetType, GetSerialNo and GetRegister', T, async () => {
    const r = await cli([
      'decode',
      '--json',
      '80 3F 10 08 00 3C 00 44 00 4A 00 50 00 56 00 57 00 59 01 0A 9E 82 0D',
      '40 3F 01 00 04 1B F9 01 26 99 0D',
      '40 3F 02 01 23 45 67 E9 56 0D',
      '40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D',
      '80 3F 01 05 8A 0D',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { frames: Array<Record<string, unknown>> };
    assert.deepEqual(doc.frames[0], {
      frame: 1,
      protocol: 'kmp',
      direction: 'request',
      destination: 63,
      command: 'GetRegister',
      registers: [60, 68, 74, 80, 86, 87, 89, 266],
    });
    assert.deepEqual(doc.frames[1], {
      frame: 2,
      protocol: 'kmp',
      direction: 'reply',
      destination: 63,
      command: 'GetType',
      meterType: 4,
      meterTypeHex: '0x0004',
      revision: 'F1',
    });
    assert.equal(doc.frames[2]!.serialNo, 19088743);
    assert.match(r.stdout, /"registers":\[\{"id":128,"name":"MaxPower_Y","value":1959120400000000000000000,"unit":"kW"\}\]/);
    assert.equal(doc.frames[4]!.command, 'GetType');
    const text = await cli(['decode', '40 3F 10 00 1B 7F 16 04 11 01 2A F0 24 63 03 0D']);
    assert.match(
      text.stdout,
      /^KMP GetRegister reply from 0x3F\n\s*ID\s+Register\s+Value\s+Unit\n\s*128\s+MaxPower_Y\s+1959120400000000000000000\s+kW\n$/,
    );
  });

  test('CID 0xB8: GetConfiguration, an empty minute logger, and a yearly log readout (the MULTICAL 603 captures)', T, async () => {
    const config = `40 3F B8 05 02 01 01 01 01 00 00 01 00 01 00 00 14 2B 00 3C 00 3F 00 61 00 6E 00 1B BF 00 41 01 6A 00
44 00 54 00 55 01 71 00 63 00 7B 01 7F 00 7C 00 7D 01 1B 7F 00 7E 00 7F 01 81 00 1B 7F 00 81 01 82 00
82 03 EC 00 AF 00 5E 00 3D 00 3E 00 5F 00 60 01 D9 01 DA 00 45 00 E0 00 E1 00 48 00 49 02 03 01 52 01
5C 03 EB 03 EA D5 64 0D`.replace(/\s+/g, ' ');
    const empty = '40 3F B8 07 07 00 01 01 00 00 00 00 00 00 00 00 00 01 03 EA 2F 04 00 00 00 00 00 1F 2F 0D';
    const yearly = '40 3F B8 1B F9 02 00 02 01 00 00 00 02 00 00 00 02 00 C0 03 EB 30 04 00 00 03 F8 05 00 03 D0 F5 AA 3A 0D';
    const requests = [
      '80 3F B8 05 02 70 EE 0D',
      '80 3F B8 07 07 FF FF 00 01 01 03 EA B8 5E 0D',
      '80 3F B8 1B F9 02 00 00 00 02 00 02 01 03 EB 75 07 0D',
    ];
    const r = await cli(['decode', '--json', config, empty, yearly, ...requests]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { frames: Array<Record<string, unknown>> };
    const [c, e, y, q1, q2, q3] = doc.frames;
    assert.deepEqual(
      [c!.subcommand, c!.typeName, c!.depth, (c!.registers as number[]).length],
      ['GetConfiguration', 'INTERVAL_YEAR', 20, 43],
    );
    assert.deepEqual((c!.registers as number[]).slice(0, 5), [60, 63, 97, 110, 64]);
    assert.deepEqual([e!.subcommand, e!.flags, e!.entries], ['GetLogLastEntryPastAbs', ['NO_LOG_ENTRIES'], []]);
    assert.deepEqual(y!.entries, [
      { logId: 2, registers: [{ id: 1003, name: 'Date', value: '2026-01-01', unit: 'yy:mm:dd' }] },
      { logId: 1, registers: [{ id: 1003, name: 'Date', value: '2025-01-01', unit: 'yy:mm:dd' }] },
    ]);
    assert.deepEqual(y!.flags, ['TAIL_INCLUDED', 'HEAD_INCLUDED']);
    assert.deepEqual([q1!.direction, q1!.subcommand, q1!.typeName], ['request', 'GetConfiguration', 'INTERVAL_YEAR']);
    assert.deepEqual([q2!.subcommand, q2!.offset, q2!.count, q2!.registers], ['GetLogLastEntryPastAbs', 65535, 1, [1002]]);
    assert.deepEqual([q3!.subcommand, q3!.logId, q3!.count, q3!.registers], ['GetLogIDPastAbs', 2, 2, [1003]]);
  });

  test('A0–A3 (5512-447): the A2 request and its reply, built here from the document APL', T, async () => {
    const apl = bytes(
      'A2 01 02 10 F3 00 3C 08 04 00 FF 06 86 62 00 44 27 04 00 E9 93 DC 05 10 F4 B5 0A 5C 5E 93 E0 50 47 10 F5 CF 06 53 96 F2 58 4C 96 10 F5 11 02 00',
    );
    const reply = kmpReply(0x7f, apl);
    const r = await cli(['decode', '--json', '80 7F A2 01 02 00 3C 00 44 03 1B 7F 10 F3 52 13 0D', reply]);
    assert.equal(r.code, 0, r.stderr);
    const [req, rep] = (JSON.parse(r.stdout) as { frames: Array<Record<string, unknown>> }).frames;
    assert.deepEqual(
      [req!.command, req!.destination, req!.lid, req!.registers, req!.records, req!.maxLength, req!.recordId],
      ['GetLogIDPresent', 127, 1, [60, 68], 3, 128, 0x10f3],
    );
    assert.deepEqual(
      [rep!.command, rep!.lid, rep!.lastRecordId, rep!.newestRecordId, rep!.info],
      ['GetLogIDPresent', 1, 0x10f5, 0x1102, 0],
    );
    const records = rep!.records as Array<{ recordId: number; registers: Array<{ id: number; value: number; unit: string }> }>;
    assert.deepEqual(
      records.map((x) => x.recordId),
      [0x10f3, 0x10f4, 0x10f5],
    );
    assert.match(
      r.stdout,
      /\{"id":60,"name":"Heat Energy \(E1\)","value":4278617698,"unit":"GJ"\},\{"id":68,"name":"Volume","value":3918781445,"unit":"l"\}/,
    );
    assert.match(r.stdout, /"recordId":4341,"registers":\[\{"id":60,"name":"Heat Energy \(E1\)","value":3473298326,"unit":"GJ"\}/);
  });
});

describe('decode: bad input, one line per bad frame', () => {
  test('not hex: exit 2; a frame that does not decode: exit 9; both: exit 2, a line for each', T, async () => {
    const notHex = await cli(['decode', '12 3G']);
    assert.equal(notHex.code, 2);
    assert.deepEqual(lines(notHex.stderr), ['error: not hex: "G" is not a hex digit']);
    const odd = await cli(['decode', '10 40 F']);
    assert.equal(odd.code, 2);
    assert.deepEqual(lines(odd.stderr), ['error: not hex: 5 hex digits: an odd number, so not whole bytes']);
    const checksum = await cli(['decode', '10 40 FD 3E 16']);
    assert.equal(checksum.code, 9);
    assert.deepEqual(lines(checksum.stderr), ['error: checksum 0x3E, 0x3D expected in 10 40 FD 3E 16']);
    const cut = await cli(['decode', MC403.slice(0, 60)]);
    assert.equal(cut.code, 9);
    assert.match(lines(cut.stderr)[0]!, /^error: frame cut short: 20 bytes, 137 needed: 68 83 83 68/);
    const crc = await cli(['decode', '40 3F 02 01 23 45 67 E9 57 0D']);
    assert.equal(crc.code, 9);
    assert.deepEqual(lines(crc.stderr), ['error: frame CRC does not match (expected E9 56, got E9 57)']);
    const unknown = await cli(['decode', 'AB CD']);
    assert.equal(unknown.code, 9);
    assert.deepEqual(lines(unknown.stderr), ['error: first byte AB: not the start of an M-Bus frame (68, 10, E5) or a KMP frame (40, 80)']);
    const mixed = await cli(['decode', '--json', 'E5', 'XY', '10 40 FD 3E 16', '68 03 03 68 53 05 99 F1 16']);
    assert.equal(mixed.code, 2);
    assert.deepEqual(lines(mixed.stderr), [
      'error: frame 2: not hex: "X" is not a hex digit',
      'error: frame 3: checksum 0x3E, 0x3D expected in 10 40 FD 3E 16',
    ]);
    const doc = JSON.parse(mixed.stdout) as { frames: Array<Record<string, unknown>>; exitCode: number };
    assert.deepEqual(
      doc.frames.map((f) => (f.error as { code?: string } | undefined)?.code ?? 'ok'),
      ['ok', 'USAGE', 'MBUS_CHECKSUM', 'ok'],
    );
    assert.equal(doc.exitCode, 2);
    assert.doesNotMatch(mixed.stderr + notHex.stderr + cut.stderr, /^\s+at /m, 'no stack trace');
  });

  test('nothing to decode: exit 2; a telegram with an unknown CI: exit 9 naming the CI', T, async () => {
    const none = await cli(['decode', '-'], { input: '\n# nothing\n' });
    assert.equal(none.code, 2);
    assert.deepEqual(lines(none.stderr), [
      'error: nothing to decode: give frames in hex (multical decode "10 40 FE 3E 16"), or - to read them from stdin',
    ]);
    const ci = await cli(['decode', '68 03 03 68 08 05 71 7E 16']);
    assert.equal(ci.code, 9);
    assert.match(lines(ci.stderr)[0]!, /^error: CI 0x71 \(alarm status\) is not decoded/);
    const help = await cli(['decode', '--help']);
    assert.match(
      help.stdout,
      /Exit codes of decode:\n\s+0\s+every frame decoded\n\s+2\s+input that is not hex.*\n\s+9\s+a frame that is hex but does not decode/,
    );
  });
});
