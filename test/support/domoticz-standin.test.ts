// The stand-in answers as the recorded Domoticz 2025.1 (/work/shared/docs/domoticz-api.md): a few checks
// against the recorded answers, written out here from the doc and the fixture, not from the stand-in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fixtureDevices, formatG, startDomoticzStandin, type Standin } from './domoticz-standin.js';

const ADMIN = `Basic ${Buffer.from('admin:domoticz').toString('base64')}`;

describe('domoticz stand-in answers like the recorded 2025.1 server', () => {
  let dz: Standin;
  before(async () => {
    dz = await startDomoticzStandin();
  });
  after(async () => {
    await dz.close();
  });
  const get = async (query: string, authorization?: string): Promise<{ status: number; text: string; headers: Headers }> => {
    const res = await fetch(`${dz.url}/json.htm?${query}`, authorization ? { headers: { authorization } } : {});
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  test('getdevices filter=all&used=true: the fixture, tab-indented JSON', async () => {
    const r = await get('type=command&param=getdevices&filter=all&used=true', ADMIN);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json;charset=UTF-8');
    assert.match(r.text, /^\{\n\t"ActTime"/);
    const body = JSON.parse(r.text) as { result: unknown[]; status: string; title: string; app_version: string };
    assert.deepEqual(body.result, fixtureDevices());
    assert.equal(body.result.length, 9);
    assert.deepEqual([body.status, body.title, body.app_version], ['OK', 'Devices', '2025.1 (build 16785)']);
  });

  test('401 with the recorded HTML body and no WWW-Authenticate without credentials', async () => {
    const r = await get('type=command&param=getdevices&rid=1');
    assert.equal(r.status, 401);
    assert.equal(r.text, '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>');
    assert.equal(r.headers.get('www-authenticate'), null);
  });

  test('404 with an empty body for the legacy type=devices', async () => {
    const r = await get('type=devices&rid=1', ADMIN);
    assert.deepEqual([r.status, r.text], [404, '']);
  });

  test('{"status":"ERR"} for udevice on a missing idx; a missing rid is OK without a result', async () => {
    const r = await get('type=command&param=udevice&idx=999&nvalue=0&svalue=1', ADMIN);
    assert.deepEqual([r.status, JSON.parse(r.text)], [200, { status: 'ERR' }]);
    const none = JSON.parse((await get('type=command&param=getdevices&rid=999', ADMIN)).text) as Record<string, unknown>;
    assert.equal(none.status, 'OK');
    assert.equal('result' in none, false);
    assert.deepEqual(dz.updates, []);
  });

  test('a Custom Sensor shows what it is sent with %g and its SensorUnit; svalue=abc shows 0', async () => {
    assert.deepEqual([1234567, 123.4, 0.00001234, 100000, 999999.5].map(formatG), ['1.23457e+06', '123.4', '1.234e-05', '100000', '1e+06']);
    for (const [svalue, data] of [
      ['12.345', '12.345 GJ'],
      ['abc', '0 GJ'],
    ]) {
      await get(`type=command&param=udevice&idx=1&nvalue=0&svalue=${svalue}`, ADMIN);
      assert.equal(dz.device(1).Data, data);
    }
  });
});
