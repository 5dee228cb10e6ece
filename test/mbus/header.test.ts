// M-Bus application layer: CI field and data header (mbus-protocol.md §3), and what decodeTelegram refuses.
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fromHex, toHex } from '../../src/core/hex.js';
import { MbusError } from '../../src/mbus/errors.js';
import { APPLICATION_ERRORS, decodeApplicationHead, encodeHeader, mediumName, statusText } from '../../src/mbus/header.js';
import { encodeFrame } from '../../src/mbus/link.js';
import { decodeTelegram } from '../../src/mbus/telegram.js';
import { MC403_REPLY, TST_TELEGRAM_1, mbusCode } from './support.js';

const frame = (ci: number, data: string, control = 0x08): Uint8Array =>
  encodeFrame({ kind: 'long', control, address: 1, ci, data: fromHex(data) });

describe('CI 0x72 header (§3, §9.2, §9.3)', () => {
  test('§9.2: ID 58300187, KAM, version 0x34, medium 0x0C, access number 42, status 0, signature 0', () => {
    const t = decodeTelegram(MC403_REPLY);
    assert.equal(t.ci, 0x72);
    assert.equal(t.address, 0xbb);
    assert.equal(t.control, 0x08);
    assert.deepEqual(t.header, {
      id: '58300187',
      manufacturer: 'KAM',
      version: 0x34,
      medium: { code: 0x0c, name: 'heat (inlet)' },
      accessNumber: 42,
      status: 0,
      signature: 0,
    });
    assert.deepEqual(t.problems, []);
  });

  test('§9.3: manufacturer 74 52 = 0x5274 = TST, ID 31415926, medium 0x04, access number 7', () => {
    const h = decodeTelegram(TST_TELEGRAM_1).header;
    assert.equal(h?.manufacturer, 'TST');
    assert.equal(h?.id, '31415926');
    assert.deepEqual(h?.medium, { code: 4, name: 'heat (outlet)' });
    assert.equal(h?.accessNumber, 7);
    assert.equal(h?.version, 1);
  });

  test('encodeHeader writes the same 12 bytes', () => {
    const bytes = encodeHeader({ id: '58300187', manufacturer: 'KAM', version: 0x34, medium: 0x0c, accessNumber: 42 });
    assert.deepEqual([...bytes], [...MC403_REPLY.subarray(7, 19)]);
  });

  test('a manufacturer outside AAA … ZZZ and an ID with a non-decimal digit are flagged, not fatal', () => {
    const t = decodeTelegram(frame(0x72, '87 01 3A 58 FF FF 34 0C 2A 00 00 00 02 59 7D 1A'));
    assert.equal(t.header?.manufacturer, '0xFFFF');
    assert.equal(t.header?.id, '583A0187');
    assert.equal(t.problems.length, 2);
    assert.match(t.problems[0]!, /identification number 583A0187/);
    assert.match(t.problems[1]!, /manufacturer code 0xFFFF is not three letters/);
    assert.equal(t.records.length, 1, 'the records are still read');
  });

  test('status bits (EN 13757-7 7.5.6): 04 power low, 10 temporary error, 14 both (Kamstrup flowIQ)', () => {
    assert.deepEqual(statusText(0x00), []);
    assert.deepEqual(statusText(0x04), ['power low']);
    assert.deepEqual(statusText(0x10), ['temporary error']);
    assert.deepEqual(statusText(0x14), ['power low', 'temporary error']);
    assert.deepEqual(statusText(0x01), ['application busy']);
    assert.deepEqual(statusText(0x02), ['application error']);
    assert.deepEqual(statusText(0x0b), ['abnormal condition or alarm', 'permanent error']);
    assert.deepEqual(statusText(0xe0), ['manufacturer specific bit 5', 'manufacturer specific bit 6', 'manufacturer specific bit 7']);
    const t = decodeTelegram(frame(0x72, '87 01 30 58 2D 2C 34 0C 2A 14 00 00'));
    assert.equal(t.header?.status, 0x14);
    assert.deepEqual(t.header?.statusText, ['power low', 'temporary error']);
  });

  test('medium names (§3 table)', () => {
    const NAMES: ReadonlyArray<[number, string]> = [
      [0x04, 'heat (outlet)'],
      [0x0c, 'heat (inlet)'],
      [0x0d, 'heat/cooling'],
      [0x0a, 'cooling (outlet)'],
      [0x0b, 'cooling (inlet)'],
      [0x07, 'water'],
      [0x02, 'electricity'],
      [0x16, 'cold water'],
      [0x21, 'valve'],
      [0x38, 'bus control unit / wired adapter'],
      [0xff, 'placeholder'],
      [0x22, 'reserved'],
      [0x40, 'reserved'],
    ];
    for (const [code, name] of NAMES) assert.equal(mediumName(code), name, `medium ${code.toString(16)}`);
  });
});

describe('the other CIs (§3)', () => {
  test('0x76: the header and every multi-byte data field are sent MSB first', () => {
    const t = decodeTelegram(frame(0x76, '58 30 01 87 2C 2D 34 0C 2A 00 00 00 04 06 00 00 40 77 02 59 1A 7D'));
    assert.equal(t.header?.id, '58300187');
    assert.equal(t.header?.manufacturer, 'KAM');
    assert.deepEqual(
      t.records.map((r) => r.value.kind === 'number' && r.value.value.toString()),
      ['16503', '67.81'],
    );
    const fields = { id: '58300187', manufacturer: 'KAM', version: 0x34, medium: 0x0c, accessNumber: 42, signature: 0x1234 };
    const msb = encodeHeader(fields, true);
    assert.equal(toHex(msb), '58 30 01 87 2C 2D 34 0C 2A 00 12 34');
  });

  test('0x78: no header; VIF FF is Kamstrup only when the caller names the manufacturer', () => {
    const data = '04 FF 07 89 6D 00 00 04 06 77 40 00 00';
    const plain = decodeTelegram(frame(0x78, data));
    assert.equal(plain.header, undefined);
    assert.equal(plain.records[0]?.quantity, 'manufacturer specific');
    assert.deepEqual(plain.records[0]?.value, { kind: 'bytes', hex: '89 6D 00 00' });
    const kam = decodeTelegram(frame(0x78, data), { manufacturer: 'KAM' });
    assert.equal(kam.records[0]?.quantity, 'flow temperature × volume');
    assert.equal(kam.records[0]?.register, 97);
    assert.equal(kam.records[1]?.register, 60);
  });

  test('0x7A: the 4-byte short header (access number, status, configuration)', () => {
    const t = decodeTelegram(frame(0x7a, '2A 04 00 00 04 06 77 40 00 00'));
    assert.deepEqual(t.shortHeader, { accessNumber: 42, status: 4, statusText: ['power low'], signature: 0 });
    assert.equal(t.header, undefined);
    assert.equal(t.records.length, 1);
  });

  test('0x70: application error codes 0–9 and their messages (libmbus table)', () => {
    assert.equal(APPLICATION_ERRORS.length, 10);
    const expected = [
      'unspecified error',
      'unimplemented CI',
      'buffer too long, truncated',
      'too many records',
      'premature end of record',
      'more than 10 DIFEs',
      'more than 10 VIFEs',
      'reserved',
      'application busy',
      'too many readouts',
    ];
    expected.forEach((message, code) => {
      const t = decodeTelegram(frame(0x70, code.toString(16).padStart(2, '0')));
      assert.deepEqual(t.applicationError, { code, message });
      assert.deepEqual(t.records, []);
      assert.deepEqual(t.problems, []);
    });
    assert.deepEqual(decodeTelegram(frame(0x70, '2A')).applicationError, { code: 0x2a, message: 'reserved' });
    const noCode = decodeTelegram(encodeFrame({ kind: 'control', control: 0x08, address: 1, ci: 0x70 }));
    assert.deepEqual(noCode.problems, ['application error (CI 0x70) without its code byte']);
  });

  test('an unknown CI is refused with one error naming it', () => {
    for (const [ci, what] of [
      [0x71, 'alarm status'],
      [0x73, 'fixed data'],
      [0x7b, 'not an EN 13757-3 CI'],
      [0x51, 'data send'],
    ] as const) {
      try {
        decodeTelegram(frame(ci, '00 01 02'));
        assert.fail('no error');
      } catch (e) {
        assert.ok(e instanceof MbusError, String(e));
        assert.equal(e.code, 'MBUS_UNKNOWN_CI');
        assert.ok(e.message.includes(`CI 0x${ci.toString(16).toUpperCase()}`), e.message);
        assert.ok(e.message.includes(what), e.message);
      }
    }
  });

  test('a header cut short is refused', () => {
    assert.equal(
      mbusCode(() => decodeTelegram(frame(0x72, '87 01 30 58 2D 2C 34 0C 2A 00 00'))),
      'MBUS_LENGTH',
    );
    assert.equal(
      mbusCode(() => decodeTelegram(frame(0x7a, '2A 04 00'))),
      'MBUS_LENGTH',
    );
    assert.equal(
      mbusCode(() => decodeApplicationHead(0x72, new Uint8Array(0))),
      'MBUS_LENGTH',
    );
  });

  test('E5, a short frame or a master frame is not a telegram; a slave frame that is not RSP_UD is flagged', () => {
    assert.equal(
      mbusCode(() => decodeTelegram(fromHex('E5'))),
      'MBUS_NOT_TELEGRAM',
    );
    assert.equal(
      mbusCode(() => decodeTelegram(fromHex('10 5B BB 16 16'))),
      'MBUS_NOT_TELEGRAM',
    );
    assert.equal(
      mbusCode(() => decodeTelegram(fromHex('68 06 06 68 53 05 51 01 7A 17 3B 16'))),
      'MBUS_NOT_TELEGRAM',
    );
    assert.equal(
      mbusCode(() => decodeTelegram(fromHex('10 40 BB FC 16'))),
      'MBUS_CHECKSUM',
    );
    const t = decodeTelegram(frame(0x78, '02 59 7D 1A', 0x00));
    assert.deepEqual(t.problems, ['C 0x00 is not RSP_UD (08, 18, 28 or 38)']);
    assert.deepEqual(decodeTelegram(frame(0x78, '02 59 7D 1A', 0x38)).problems, [], 'ACD and DFC set: still RSP_UD');
  });
});
