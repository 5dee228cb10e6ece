// Proves the Domoticz stand-in against /work/shared/docs/domoticz-api.md ("the doc") over real HTTP.
// Expected bodies are written out here from the doc, not taken from the stand-in.

import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { startDomoticzStandin, type Standin, type StandinOptions } from './domoticz-standin.js';

// ---- the doc's recorded answers -------------------------------------------------------------------

const UNAUTHORIZED_HTML = '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';
const JSON_TYPE = 'application/json;charset=UTF-8';
const APP_VERSION_2025 = '2025.1 (build 16785)';

const tabbed = (value: unknown): string => JSON.stringify(value, null, '\t');
const ERR = tabbed({ status: 'ERR' });
const ERROR = tabbed({ status: 'ERROR' });
const UPDATE_OK = tabbed({ status: 'OK', title: 'Update Device' });

const basic = (username: string, password: string): string => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
const ADMIN = basic('admin', 'domoticz');
const b64 = (text: string): string => Buffer.from(text).toString('base64');

// ---- the fixture ----------------------------------------------------------------------------------

/** The real server's getdevices answer, found from the project root (the folder holding package.json). */
function findFixture(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(process.env.MULTICAL_SHARED ?? join(dir, '..', 'shared'), 'fixtures', 'domoticz', 'getdevices-all-2025.1.json');
}
const FIXTURE_PATH = findFixture();
const FIXTURE: { result: Array<Record<string, unknown>> } | undefined = existsSync(FIXTURE_PATH)
  ? JSON.parse(readFileSync(FIXTURE_PATH, 'utf8'))
  : undefined;

// ---- helpers --------------------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function get(s: Standin, query: string, authorization?: string): Promise<Answer> {
  return call(`${s.url}/json.htm?${query}`, authorization === undefined ? {} : { headers: { authorization } });
}

function postToken(s: Standin, body: string, authorization?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (authorization !== undefined) headers['authorization'] = authorization;
  return call(`${s.url}/oauth2/v1/token`, { method: 'POST', headers, body });
}

async function withStandin(opts: StandinOptions, fn: (s: Standin) => Promise<void>): Promise<void> {
  const s = await startDomoticzStandin(opts);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

function assertJsonReply(a: Answer, status: number, expectedText: string): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.headers.get('content-type'), JSON_TYPE);
  assert.equal(a.text, expectedText);
}

function assertUnauthorized(a: Answer): void {
  assert.equal(a.status, 401);
  assert.equal(a.text, UNAUTHORIZED_HTML);
  assert.equal(a.headers.get('www-authenticate'), null);
}

/** Checks the doc's envelope and returns it parsed. */
function assertEnvelope(a: Answer, appVersion: string, withResult = true): Record<string, unknown> {
  assert.equal(a.status, 200, a.text);
  assert.equal(a.headers.get('content-type'), JSON_TYPE);
  assert.ok(a.text.startsWith('{\n\t"ActTime": '), `not tab-indented: ${a.text.slice(0, 40)}`);
  const body = JSON.parse(a.text) as Record<string, unknown>;
  const keys = withResult ? ['ActTime', 'app_version', 'result', 'status', 'title'] : ['ActTime', 'app_version', 'status', 'title'];
  assert.deepEqual(Object.keys(body), keys);
  const now = Date.now() / 1000;
  assert.equal(typeof body['ActTime'], 'number');
  assert.ok(Math.abs((body['ActTime'] as number) - now) < 5, `ActTime ${String(body['ActTime'])} is not now`);
  assert.equal(body['app_version'], appVersion);
  assert.equal(body['status'], 'OK');
  assert.equal(body['title'], 'Devices');
  return body;
}

function resultOf(body: Record<string, unknown>): Array<Record<string, unknown>> {
  assert.ok(Array.isArray(body['result']));
  return body['result'] as Array<Record<string, unknown>>;
}

/** Parses "YYYY-MM-DD HH:MM:SS" as local time. */
function parseLastUpdate(text: unknown): Date {
  assert.equal(typeof text, 'string');
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text as string);
  assert.ok(m, `LastUpdate ${String(text)}`);
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return new Date(y, mo - 1, d, h, mi, se);
}

// The fixture's devices by idx, as the brief and the doc describe them (independent of the fixture file).
const FIXTURE_TYPES: Array<[string, string, string, string]> = [
  ['1', 'General', 'Custom Sensor', '12.345 GJ'],
  ['2', 'Temp', 'LaCrosse TX3', '21.5 C'],
  ['3', 'General', 'kWh', '130.000 kWh'],
  ['4', 'RFXMeter', 'RFXMeter counter', '1.300 kWh'],
  ['5', 'P1 Smart Meter', 'Gas', '12.400'],
  ['6', 'General', 'Waterflow', '3.5 l/min'],
  ['7', 'General', 'Percentage', '55.5%'],
  ['8', 'General', 'Counter Incremental', '0.020 kWh'],
  ['9', 'General', 'Custom Sensor', '7 kWh/m2'],
];

// ---- tests ----------------------------------------------------------------------------------------

describe('domoticz stand-in: default devices', () => {
  it('holds the nine fixture devices', async () => {
    await withStandin({}, async (s) => {
      const devices = s.devices();
      assert.deepEqual(
        devices.map((d) => [d.idx, d.Type, d.SubType, d.Data]),
        FIXTURE_TYPES,
      );
      assert.equal(s.device(1)?.SensorUnit, 'GJ');
      assert.equal(s.device('9')?.SensorUnit, 'kWh/m2');
      assert.equal(s.device(42), undefined);
    });
  });

  it("is exactly the fixture file's result", async () => {
    assert.ok(FIXTURE, `fixture not found at ${FIXTURE_PATH}`);
    await withStandin({}, async (s) => {
      assert.deepEqual(s.devices(), FIXTURE.result);
    });
  });

  it('deep-copies: changing what devices() returns changes nothing served', async () => {
    await withStandin({}, async (s) => {
      const copy = s.devices();
      copy[0].Data = 'tampered';
      assert.equal(s.device(1)?.Data, '12.345 GJ');
      const body = assertEnvelope(await get(s, 'type=command&param=getdevices&rid=1', ADMIN), APP_VERSION_2025);
      assert.equal(resultOf(body)[0]?.['Data'], '12.345 GJ');
    });
  });

  it('serves given devices, deep-copied, and used=true leaves out unused ones', async () => {
    const given = [
      { idx: '11', Name: 'A', Type: 'General', SubType: 'Percentage', Data: '1%', Used: 1 },
      { idx: '12', Name: 'B', Type: 'General', SubType: 'Percentage', Data: '2%', Used: 0 },
    ];
    await withStandin({ devices: given }, async (s) => {
      const used = assertEnvelope(await get(s, 'type=command&param=getdevices&filter=all&used=true', ADMIN), APP_VERSION_2025);
      assert.deepEqual(resultOf(used), [given[0]]);
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=11&nvalue=0&svalue=50', ADMIN), 200, UPDATE_OK);
      assert.equal(s.device('11')?.Data, '50%');
      assert.equal(given[0]?.Data, '1%', "the caller's object must not be changed");
    });
  });
});

describe('domoticz stand-in: endpoints (2025.1)', () => {
  it('getversion with credentials: status, title and version', async () => {
    await withStandin({}, async (s) => {
      assertJsonReply(
        await get(s, 'type=command&param=getversion', ADMIN),
        200,
        tabbed({ status: 'OK', title: 'GetVersion', version: APP_VERSION_2025 }),
      );
    });
  });

  it('getversion without or with wrong credentials: only status and title', async () => {
    await withStandin({}, async (s) => {
      const limited = tabbed({ status: 'OK', title: 'GetVersion' });
      assertJsonReply(await get(s, 'type=command&param=getversion'), 200, limited);
      assertJsonReply(await get(s, 'type=command&param=getversion', basic('admin', 'wrong')), 200, limited);
    });
  });

  it('getdevices&rid=N answers the envelope with that one device', async () => {
    await withStandin({}, async (s) => {
      for (const [idx, type, subType, data] of FIXTURE_TYPES) {
        const body = assertEnvelope(await get(s, `type=command&param=getdevices&rid=${idx}`, ADMIN), APP_VERSION_2025);
        const result = resultOf(body);
        assert.equal(result.length, 1);
        assert.deepEqual(
          [result[0]?.['idx'], result[0]?.['Type'], result[0]?.['SubType'], result[0]?.['Data']],
          [idx, type, subType, data],
        );
        if (FIXTURE)
          assert.deepEqual(
            result[0],
            FIXTURE.result.find((d) => d['idx'] === idx),
          );
      }
    });
  });

  it('getdevices&filter=all&used=true answers every device', async () => {
    await withStandin({}, async (s) => {
      const body = assertEnvelope(await get(s, 'type=command&param=getdevices&filter=all&used=true', ADMIN), APP_VERSION_2025);
      const result = resultOf(body);
      assert.deepEqual(
        result.map((d) => d['idx']),
        ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
      );
      if (FIXTURE) assert.deepEqual(result, FIXTURE.result);
    });
  });

  it('udevice answers {"status":"OK","title":"Update Device"} and records the update as sent', async () => {
    await withStandin({}, async (s) => {
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=1&nvalue=0&svalue=23.456', ADMIN), 200, UPDATE_OK);
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=7&svalue=%2042.50%20', ADMIN), 200, UPDATE_OK);
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=6&nvalue=3', ADMIN), 200, UPDATE_OK);
      assert.deepEqual(s.updates, [
        { idx: '1', nvalue: '0', svalue: '23.456' },
        { idx: '7', nvalue: undefined, svalue: ' 42.50 ' },
        { idx: '6', nvalue: '3', svalue: undefined },
      ]);
    });
  });

  it('records every request in order with method, path, query, authorization and status', async () => {
    await withStandin({}, async (s) => {
      await get(s, 'type=command&param=getversion');
      await get(s, 'type=command&param=getdevices&rid=2&rid=3', ADMIN);
      await get(s, 'type=command&param=getdevices&rid=2');
      assert.deepEqual(s.requests, [
        { method: 'GET', path: '/json.htm', query: { type: 'command', param: 'getversion' }, status: 200 },
        { method: 'GET', path: '/json.htm', query: { type: 'command', param: 'getdevices', rid: '2' }, authorization: ADMIN, status: 200 },
        { method: 'GET', path: '/json.htm', query: { type: 'command', param: 'getdevices', rid: '2' }, status: 401 },
      ]);
    });
  });

  it('answers a path other than /json.htm with 404 and an empty body', async () => {
    await withStandin({}, async (s) => {
      const a = await call(`${s.url}/json.html?type=command&param=getversion`, { headers: { authorization: ADMIN } });
      assert.equal(a.status, 404);
      assert.equal(a.text, '');
    });
  });
});

describe("domoticz stand-in: the doc's error table", () => {
  const viewer = { username: 'guest', password: 'guest', rights: 'viewer' as const };
  const rows: Array<{ name: string; query: string; auth?: string; status: number; text: string; json: boolean }> = [
    {
      name: 'udevice on a missing idx',
      query: 'type=command&param=udevice&idx=99&nvalue=0&svalue=1',
      auth: ADMIN,
      status: 200,
      text: ERR,
      json: true,
    },
    { name: 'udevice without idx', query: 'type=command&param=udevice&nvalue=0&svalue=1', auth: ADMIN, status: 200, text: ERR, json: true },
    {
      name: 'udevice without nvalue and svalue',
      query: 'type=command&param=udevice&idx=1',
      auth: ADMIN,
      status: 200,
      text: ERR,
      json: true,
    },
    {
      name: 'udevice with an empty svalue only',
      query: 'type=command&param=udevice&idx=1&svalue=',
      auth: ADMIN,
      status: 200,
      text: ERR,
      json: true,
    },
    { name: 'unknown param', query: 'type=command&param=getdevicez&rid=1', auth: ADMIN, status: 200, text: ERROR, json: true },
    { name: 'no credentials', query: 'type=command&param=getdevices&rid=1', status: 401, text: UNAUTHORIZED_HTML, json: false },
    {
      name: 'wrong password',
      query: 'type=command&param=getdevices&rid=1',
      auth: basic('admin', 'Domoticz'),
      status: 401,
      text: UNAUTHORIZED_HTML,
      json: false,
    },
    {
      name: 'unknown user',
      query: 'type=command&param=getdevices&rid=1',
      auth: basic('root', 'domoticz'),
      status: 401,
      text: UNAUTHORIZED_HTML,
      json: false,
    },
    {
      name: 'garbage Authorization',
      query: 'type=command&param=getdevices&rid=1',
      auth: 'Digest nonsense',
      status: 401,
      text: UNAUTHORIZED_HTML,
      json: false,
    },
    {
      name: 'no credentials on udevice',
      query: 'type=command&param=udevice&idx=1&nvalue=0&svalue=5',
      status: 401,
      text: UNAUTHORIZED_HTML,
      json: false,
    },
    {
      name: 'read-only user on udevice',
      query: 'type=command&param=udevice&idx=1&nvalue=0&svalue=5',
      auth: basic('guest', 'guest'),
      status: 403,
      text: ERR,
      json: true,
    },
    { name: 'legacy type=devices&rid on 2025.1', query: 'type=devices&rid=1', auth: ADMIN, status: 404, text: '', json: false },
    {
      name: 'legacy type=devices&filter=all on 2025.1',
      query: 'type=devices&filter=all&used=true',
      auth: ADMIN,
      status: 404,
      text: '',
      json: false,
    },
  ];
  for (const row of rows) {
    it(`${row.name}: HTTP ${row.status}`, async () => {
      await withStandin({ users: [{ username: 'admin', password: 'domoticz', rights: 'admin' }, viewer] }, async (s) => {
        const a = await get(s, row.query, row.auth);
        if (row.status === 401) assertUnauthorized(a);
        else if (row.json) assertJsonReply(a, row.status, row.text);
        else {
          assert.equal(a.status, row.status);
          assert.equal(a.text, row.text);
        }
        assert.deepEqual(s.updates, [], 'an error must not update');
        assert.equal(s.device(1)?.Data, '12.345 GJ');
      });
    });
  }

  it('getdevices with a rid that does not exist: envelope, status OK, no result key', async () => {
    await withStandin({}, async (s) => {
      const body = assertEnvelope(await get(s, 'type=command&param=getdevices&rid=99', ADMIN), APP_VERSION_2025, false);
      assert.equal('result' in body, false);
    });
  });
});

describe('domoticz stand-in: versions and the two API styles', () => {
  const NEW_RID = 'type=command&param=getdevices&rid=3';
  const NEW_ALL = 'type=command&param=getdevices&filter=all&used=true';
  const OLD_RID = 'type=devices&rid=3';
  const OLD_ALL = 'type=devices&filter=all&used=true';
  const stripTime = (text: string): unknown => ({ ...(JSON.parse(text) as object), ActTime: 0 });

  it('2025.1: new style works, old style is 404 with an empty body', async () => {
    await withStandin({ version: '2025.1' }, async (s) => {
      assert.deepEqual(
        resultOf(assertEnvelope(await get(s, NEW_RID, ADMIN), APP_VERSION_2025)).map((d) => d['idx']),
        ['3'],
      );
      assert.equal(resultOf(assertEnvelope(await get(s, NEW_ALL, ADMIN), APP_VERSION_2025)).length, 9);
      for (const q of [OLD_RID, OLD_ALL]) {
        const a = await get(s, q, ADMIN);
        assert.equal(a.status, 404);
        assert.equal(a.text, '');
      }
    });
  });

  it('2024.7: both styles work and answer the same JSON', async () => {
    await withStandin({ version: '2024.7' }, async (s) => {
      const version = JSON.parse((await get(s, 'type=command&param=getversion', ADMIN)).text) as { version: string };
      assert.match(version.version, /^2024\.7 \(build \d+\)$/);
      const newRid = await get(s, NEW_RID, ADMIN);
      const oldRid = await get(s, OLD_RID, ADMIN);
      assert.deepEqual(
        resultOf(assertEnvelope(newRid, version.version)).map((d) => d['idx']),
        ['3'],
      );
      assertEnvelope(oldRid, version.version);
      assert.deepEqual(stripTime(oldRid.text), stripTime(newRid.text));
      const newAll = await get(s, NEW_ALL, ADMIN);
      const oldAll = await get(s, OLD_ALL, ADMIN);
      assert.equal(resultOf(assertEnvelope(newAll, version.version)).length, 9);
      assertEnvelope(oldAll, version.version);
      assert.deepEqual(stripTime(oldAll.text), stripTime(newAll.text));
    });
  });

  it('2023.1: param=getdevices is unknown ({"status":"ERROR"}), old style answered natively', async () => {
    await withStandin({ version: '2023.1' }, async (s) => {
      const version = JSON.parse((await get(s, 'type=command&param=getversion', ADMIN)).text) as { version: string };
      assert.match(version.version, /^2023\.1 \(build \d+\)$/);
      assertJsonReply(await get(s, NEW_RID, ADMIN), 200, ERROR);
      assertJsonReply(await get(s, NEW_ALL, ADMIN), 200, ERROR);
      assert.deepEqual(
        resultOf(assertEnvelope(await get(s, OLD_RID, ADMIN), version.version)).map((d) => d['idx']),
        ['3'],
      );
      assert.equal(resultOf(assertEnvelope(await get(s, OLD_ALL, ADMIN), version.version)).length, 9);
      // udevice is the same call on every version
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=7&nvalue=0&svalue=12', ADMIN), 200, UPDATE_OK);
      assert.equal(s.device(7)?.Data, '12%');
    });
  });

  it('old style still needs credentials on the versions that answer it', async () => {
    await withStandin({ version: '2024.7' }, async (s) => {
      assertUnauthorized(await get(s, OLD_RID));
    });
  });
});

describe('domoticz stand-in: authentication', () => {
  it('Basic over plain HTTP on (default): correct credentials work', async () => {
    await withStandin({}, async (s) => {
      assertEnvelope(await get(s, 'type=command&param=getdevices&rid=1', ADMIN), APP_VERSION_2025);
    });
  });

  it('Basic over plain HTTP off: even correct credentials get 401', async () => {
    await withStandin({ basicAuthOverHttp: false }, async (s) => {
      assertUnauthorized(await get(s, 'type=command&param=getdevices&rid=1', ADMIN));
      assertUnauthorized(await get(s, 'type=command&param=udevice&idx=1&nvalue=0&svalue=3', ADMIN));
      assertJsonReply(await get(s, 'type=command&param=getversion', ADMIN), 200, tabbed({ status: 'OK', title: 'GetVersion' }));
      assert.deepEqual(s.updates, []);
    });
  });

  it('a password containing ":" is split at the first colon', async () => {
    await withStandin({ users: [{ username: 'me', password: 'a:b', rights: 'admin' }] }, async (s) => {
      assertEnvelope(await get(s, 'type=command&param=getdevices&rid=1', basic('me', 'a:b')), APP_VERSION_2025);
      assertUnauthorized(await get(s, 'type=command&param=getdevices&rid=1', ADMIN));
    });
  });

  it('&username=<base64>&password=<base64> URL parameters give 401 (removed)', async () => {
    await withStandin({}, async (s) => {
      const creds = `username=${encodeURIComponent(b64('admin'))}&password=${encodeURIComponent(b64('domoticz'))}`;
      assertUnauthorized(await get(s, `type=command&param=getdevices&rid=1&${creds}`));
      assertUnauthorized(await get(s, `type=command&param=udevice&idx=1&nvalue=0&svalue=3&${creds}`));
      assertJsonReply(await get(s, `type=command&param=getversion&${creds}`), 200, tabbed({ status: 'OK', title: 'GetVersion' }));
      assert.deepEqual(s.updates, []);
    });
  });

  it('trusted network: calls without credentials act as admin; sent credentials are still checked', async () => {
    await withStandin({ trustedNetwork: true }, async (s) => {
      assertJsonReply(
        await get(s, 'type=command&param=getversion'),
        200,
        tabbed({ status: 'OK', title: 'GetVersion', version: APP_VERSION_2025 }),
      );
      assertEnvelope(await get(s, 'type=command&param=getdevices&rid=1'), APP_VERSION_2025);
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=1&nvalue=0&svalue=4.5'), 200, UPDATE_OK);
      assert.equal(s.device(1)?.Data, '4.5 GJ');
      assertUnauthorized(await get(s, 'type=command&param=getdevices&rid=1', basic('admin', 'wrong')));
    });
  });

  it('not trusted by default: 127.0.0.1 is not exempt', async () => {
    await withStandin({}, async (s) => {
      assertUnauthorized(await get(s, 'type=command&param=getdevices&filter=all&used=true'));
    });
  });

  it('read-only user: reads work, udevice is 403 {"status":"ERR"}; a normal user may update', async () => {
    const users = [
      { username: 'guest', password: 'g', rights: 'viewer' as const },
      { username: 'bob', password: 'b', rights: 'user' as const },
    ];
    await withStandin({ users }, async (s) => {
      assertEnvelope(await get(s, 'type=command&param=getdevices&rid=1', basic('guest', 'g')), APP_VERSION_2025);
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=1&nvalue=0&svalue=3', basic('guest', 'g')), 403, ERR);
      assert.equal(s.device(1)?.Data, '12.345 GJ');
      assert.deepEqual(s.updates, []);
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=1&nvalue=0&svalue=3', basic('bob', 'b')), 200, UPDATE_OK);
      assert.equal(s.device(1)?.Data, '3 GJ');
      // the default admin is gone when users are given
      assertUnauthorized(await get(s, 'type=command&param=getdevices&rid=1', ADMIN));
    });
  });
});

describe('domoticz stand-in: bearer tokens', () => {
  const FORM = 'grant_type=password&client_id=multical';
  const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

  it('POST /oauth2/v1/token returns {access_token, expires_in: 3600, token_type: Bearer}', async () => {
    await withStandin({}, async (s) => {
      const a = await postToken(s, FORM, ADMIN);
      assert.equal(a.status, 200, a.text);
      assert.equal(a.headers.get('content-type'), JSON_TYPE);
      const body = JSON.parse(a.text) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body), ['access_token', 'expires_in', 'token_type']);
      assert.equal(body['expires_in'], 3600);
      assert.equal(body['token_type'], 'Bearer');
      assert.match(String(body['access_token']), JWT);
      const header = JSON.parse(Buffer.from(String(body['access_token']).split('.')[0] ?? '', 'base64url').toString()) as { typ?: string };
      assert.equal(header.typ, 'JWT');
      assert.deepEqual(
        s.requests.map((r) => [r.method, r.path, r.status]),
        [['POST', '/oauth2/v1/token', 200]],
      );
    });
  });

  it('Bearer works over plain HTTP whatever the Basic setting', async () => {
    for (const basicAuthOverHttp of [false, true]) {
      await withStandin({ basicAuthOverHttp }, async (s) => {
        const a = await postToken(s, FORM, ADMIN);
        assert.equal(a.status, 200, a.text);
        const bearer = `Bearer ${(JSON.parse(a.text) as { access_token: string }).access_token}`;
        assertEnvelope(await get(s, 'type=command&param=getdevices&rid=1', bearer), APP_VERSION_2025);
        assertJsonReply(await get(s, 'type=command&param=udevice&idx=1&nvalue=0&svalue=8', bearer), 200, UPDATE_OK);
        assert.equal(s.device(1)?.Data, '8 GJ');
        assertJsonReply(
          await get(s, 'type=command&param=getversion', bearer),
          200,
          tabbed({ status: 'OK', title: 'GetVersion', version: APP_VERSION_2025 }),
        );
      });
    }
  });

  it('a wrong client gives 401 {"error":"invalid_client"}', async () => {
    await withStandin({}, async (s) => {
      const a = await postToken(s, 'grant_type=password&client_id=someone-else', ADMIN);
      assert.equal(a.status, 401);
      assert.deepEqual(JSON.parse(a.text), { error: 'invalid_client' });
      const missing = await postToken(s, 'grant_type=password', ADMIN);
      assert.equal(missing.status, 401);
      assert.deepEqual(JSON.parse(missing.text), { error: 'invalid_client' });
    });
  });

  it('only the registered clients are accepted', async () => {
    await withStandin({ oauthClients: ['dashboard'] }, async (s) => {
      assert.deepEqual(JSON.parse((await postToken(s, FORM, ADMIN)).text), { error: 'invalid_client' });
      assert.equal((await postToken(s, 'grant_type=password&client_id=dashboard', ADMIN)).status, 200);
    });
  });

  it('wrong user credentials at the token endpoint: 401', async () => {
    await withStandin({}, async (s) => {
      assertUnauthorized(await postToken(s, FORM, basic('admin', 'nope')));
      assertUnauthorized(await postToken(s, FORM));
    });
  });

  it('forged, foreign and malformed tokens give 401', async () => {
    const users = [
      { username: 'admin', password: 'domoticz', rights: 'admin' as const },
      { username: 'guest', password: 'g', rights: 'viewer' as const },
    ];
    await withStandin({ users }, async (s) => {
      await withStandin({ users }, async (other) => {
        assertUnauthorized(await get(s, 'type=command&param=getdevices&rid=1', `Bearer ${other.issueToken('admin')}`));
      });
      const [header, payload, signature] = s.issueToken('guest').split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
      assertUnauthorized(await get(s, 'type=command&param=getdevices&rid=1', `Bearer ${header}.${forged}.${signature}`));
      assertUnauthorized(await get(s, 'type=command&param=getdevices&rid=1', 'Bearer not-a-token'));
      assertEnvelope(await get(s, 'type=command&param=getdevices&rid=1', `Bearer ${header}.${payload}.${signature}`), APP_VERSION_2025);
    });
  });

  it("issueToken: a viewer's token reads but gets 403 on udevice; unknown users throw", async () => {
    const users = [{ username: 'guest', password: 'g', rights: 'viewer' as const }];
    await withStandin({ users, basicAuthOverHttp: false }, async (s) => {
      const token = s.issueToken('guest');
      assert.match(token, JWT);
      assertEnvelope(await get(s, 'type=command&param=getdevices&rid=2', `Bearer ${token}`), APP_VERSION_2025);
      assertJsonReply(await get(s, 'type=command&param=udevice&idx=2&nvalue=0&svalue=3', `Bearer ${token}`), 403, ERR);
      assert.throws(() => s.issueToken('admin'), /admin/);
    });
  });
});

describe('domoticz stand-in: device Data after udevice', () => {
  interface Case {
    idx: string;
    svalues: string[];
    expect: Record<string, unknown>;
    why: string;
  }
  const cases: Case[] = [
    { idx: '1', svalues: ['23.456'], expect: { Data: '23.456 GJ' }, why: 'Custom Sensor: number then SensorUnit' },
    { idx: '1', svalues: ['abc'], expect: { Data: '0 GJ' }, why: 'svalue=abc is stored, shows "0 GJ"' },
    { idx: '1', svalues: ['1,5'], expect: { Data: '1 GJ' }, why: '"1,5" is read as 1' },
    { idx: '1', svalues: ['1234.567'], expect: { Data: '1234.57 GJ' }, why: 'C %g: six significant digits' },
    { idx: '9', svalues: ['7.25'], expect: { Data: '7.25 kWh/m2' }, why: 'Custom Sensor with its own unit' },
    { idx: '2', svalues: ['18.04'], expect: { Data: '18.0 C', Temp: 18 }, why: 'Temp: one decimal and numeric Temp' },
    { idx: '2', svalues: ['-3.25'], expect: { Data: '-3.2 C', Temp: -3.2 }, why: 'Temp: C %.1f rounds the tie to even' },
    { idx: '3', svalues: ['1500;123456'], expect: { Data: '123.456 kWh', Usage: '1500 Watt' }, why: 'kWh: W;Wh in, kWh and Watt out' },
    { idx: '4', svalues: ['2500'], expect: { Data: '2.500 kWh', Counter: '2.500 kWh' }, why: 'RFXMeter counter: absolute count / 1000' },
    {
      idx: '4',
      svalues: ['2500', '2600'],
      expect: { Data: '2.600 kWh', Counter: '2.600 kWh' },
      why: 'RFXMeter counter is absolute, not added',
    },
    { idx: '5', svalues: ['12345'], expect: { Data: '12.345', Counter: '12.345' }, why: 'Gas: litres / 1000, no unit' },
    { idx: '5', svalues: ['abc'], expect: { Data: '0, abc', Counter: '0, abc' }, why: 'Gas with svalue=abc shows "0, abc"' },
    { idx: '6', svalues: ['4.25'], expect: { Data: '4.25 l/min' }, why: 'Waterflow' },
    { idx: '7', svalues: ['42.5'], expect: { Data: '42.5%' }, why: 'Percentage' },
    { idx: '8', svalues: ['5'], expect: { Data: '0.025 kWh', Counter: '0.025 kWh' }, why: 'Counter Incremental: 20 + 5' },
    { idx: '8', svalues: ['10', '10'], expect: { Data: '0.040 kWh', Counter: '0.040 kWh' }, why: 'Counter Incremental: 20 + 10 + 10' },
  ];

  for (const c of cases) {
    it(`idx ${c.idx} svalue ${c.svalues.join(' then ')}: ${c.why}`, async () => {
      await withStandin({}, async (s) => {
        const before = s.device(c.idx) as Record<string, unknown>;
        const sentAt = Date.now();
        for (const sv of c.svalues) {
          const a = await get(s, `type=command&param=udevice&idx=${c.idx}&nvalue=0&svalue=${encodeURIComponent(sv)}`, ADMIN);
          assertJsonReply(a, 200, UPDATE_OK);
        }
        const body = assertEnvelope(await get(s, `type=command&param=getdevices&rid=${c.idx}`, ADMIN), APP_VERSION_2025);
        const after = resultOf(body)[0];
        assert.ok(after);
        // Exactly the expected fields and LastUpdate changed; everything else is as before.
        const { LastUpdate, ...rest } = after;
        const { LastUpdate: lastBefore, ...restBefore } = before;
        assert.deepEqual(rest, { ...restBefore, ...c.expect });
        assert.notEqual(LastUpdate, lastBefore);
        assert.ok(Math.abs(parseLastUpdate(LastUpdate).getTime() - sentAt) < 5000, `LastUpdate ${String(LastUpdate)}`);
        assert.deepEqual(s.device(c.idx), after);
        assert.deepEqual(
          s.updates,
          c.svalues.map((svalue) => ({ idx: c.idx, nvalue: '0', svalue })),
        );
      });
    });
  }
});

describe('domoticz stand-in: faults', () => {
  it('status500: HTTP 500 with a short body, then normal again', async () => {
    await withStandin({}, async (s) => {
      s.setFault({ kind: 'status500' });
      const a = await get(s, 'type=command&param=getversion', ADMIN);
      assert.equal(a.status, 500);
      assert.ok(a.text.length > 0 && a.text.length < 200, a.text);
      s.setFault(null);
      assert.equal((await get(s, 'type=command&param=getversion', ADMIN)).status, 200);
      assert.deepEqual(
        s.requests.map((r) => r.status),
        [500, 200],
      );
    });
  });

  it('status500 from the options, on every endpoint', async () => {
    await withStandin({ fault: { kind: 'status500' } }, async (s) => {
      assert.equal((await get(s, 'type=command&param=udevice&idx=1&nvalue=0&svalue=2', ADMIN)).status, 500);
      assert.equal((await postToken(s, 'grant_type=password&client_id=multical', ADMIN)).status, 500);
      assert.deepEqual(s.updates, []);
    });
  });

  it('notJson: 200 with an HTML body that is not JSON', async () => {
    await withStandin({ fault: { kind: 'notJson' } }, async (s) => {
      const a = await get(s, 'type=command&param=getdevices&rid=1', ADMIN);
      assert.equal(a.status, 200);
      assert.match(a.headers.get('content-type') ?? '', /text\/html/);
      assert.match(a.text, /<html/i);
      assert.throws(() => JSON.parse(a.text), SyntaxError);
    });
  });

  it('hang: never answers; close() still ends promptly', async () => {
    const s = await startDomoticzStandin({ fault: { kind: 'hang' } });
    try {
      await assert.rejects(
        fetch(`${s.url}/json.htm?type=command&param=getversion`, { signal: AbortSignal.timeout(300) }),
        (err: Error) => err.name === 'TimeoutError',
      );
      assert.deepEqual(
        s.requests.map((r) => r.status),
        [0],
      );
    } finally {
      await s.close();
    }
  });

  it('close() destroys a socket held open by hang', async () => {
    const s = await startDomoticzStandin({ fault: { kind: 'hang' } });
    const req = request(`${s.url}/json.htm?type=command&param=getversion`);
    const outcome = new Promise<string>((resolve) => {
      req.on('response', (res) => resolve(`answered ${res.statusCode}`));
      req.on('error', (err) => resolve(`error ${err.message}`));
    });
    req.end();
    while (s.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      s.close().then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 2000);
      }),
    ]);
    clearTimeout(timer);
    if (!closed) req.destroy(); // let a broken stand-in end, so this fails instead of hanging
    assert.ok(closed, 'close() did not end while a hanging socket was open');
    assert.match(await outcome, /^error /);
    assert.ok(Date.now() - started < 1000, `close() took ${Date.now() - started} ms`);
    await s.close(); // idempotent
  });

  it('reset: the socket is destroyed, the request fails', async () => {
    await withStandin({ fault: { kind: 'reset' } }, async (s) => {
      await assert.rejects(get(s, 'type=command&param=getversion', ADMIN), (err: Error & { cause?: { code?: string } }) => {
        assert.equal(err.name, 'TypeError');
        assert.ok(['ECONNRESET', 'UND_ERR_SOCKET'].includes(err.cause?.code ?? ''), `cause ${String(err.cause?.code)}`);
        return true;
      });
      assert.deepEqual(
        s.requests.map((r) => r.status),
        [0],
      );
      s.setFault(null);
      assertJsonReply(
        await get(s, 'type=command&param=getversion', ADMIN),
        200,
        tabbed({ status: 'OK', title: 'GetVersion', version: APP_VERSION_2025 }),
      );
    });
  });
});
