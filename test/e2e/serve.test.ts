// `multical serve` end to end: the built CLI, real loopback HTTP, the simulator as the meter (in-process,
// or `multical simulate --listen` so a test can count what reaches the meter and kill it).
import * as assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import parsePrometheus from 'parse-prometheus-text-format';
import { startCli } from '../support/cli.js';

type Family = ReturnType<typeof parsePrometheus>[number];

const dir = mkdtempSync(join(tmpdir(), 'multical-serve-'));
const home = join(dir, 'home');
mkdirSync(home);
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_STATE_HOME: join(home, '.state') };

type Served = Awaited<ReturnType<typeof startCli>> & { base: string };

async function serve(args: string[], extraEnv: Record<string, string> = {}): Promise<Served> {
  const s = await startCli(['serve', '--listen', '127.0.0.1:0', ...args], /listening on (http:\/\/127\.0\.0\.1:\d+)/, {
    env: { ...env, ...extraEnv },
  });
  return Object.assign(s, { base: s.match[1]! });
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function get(url: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: o.method ?? 'GET', headers: o.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

const json = (r: Reply): Record<string, unknown> => JSON.parse(r.text) as Record<string, unknown>;

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`${what} did not happen in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the HTTP API', () => {
  test('GET /: the REST container flat object, with the same keys and units, stamped with the time of the read', async () => {
    const s = await serve(['-d', 'sim', '--interval', '60']);
    try {
      await until('a first read', async () => (await get(s.base + '/')).status === 200);
      const r = await get(s.base + '/');
      assert.match(String(r.headers['content-type']), /^application\/json/);
      const body = json(r);
      assert.deepEqual(Object.keys(body).sort(), [
        'energy_wh',
        'fabrication_no',
        'flow_temperature_c',
        'on_time_seconds',
        'power_w',
        'return_temperature_c',
        'temperature_difference_k',
        'timestamp',
        'volume_flow_m3_h',
        'volume_m3',
      ]);
      // The simulator's energy is MWh with 3 decimals: energy_wh is a whole number of Wh, exactly 10⁶ times it.
      const meters = json(await get(s.base + '/api/meters/meter'));
      const readings = meters.readings as Array<{ register: number; value: number; unit: string }>;
      const e1 = /"register":60[^}]*|"value":([0-9.]+),"unit":"MWh","register":60/.exec(JSON.stringify(meters))!;
      assert.ok(e1);
      const mwh = readings.find((x) => x.register === 60)!;
      assert.equal(mwh.unit, 'MWh');
      assert.match(r.text, /"energy_wh":\d+,/, 'a whole number of Wh, not 1.5432E8');
      assert.equal(Math.round(Number(body.energy_wh) / 1000), Math.round(mwh.value * 1000));
      assert.equal(body.fabrication_no, 19088743);
      assert.equal(body.on_time_seconds, Number(readings.find((x) => x.register === 1004)!.value) * 3600);
      assert.equal(body.timestamp, meters.readAt, 'the time of the read, not of the request');
    } finally {
      await s.stop();
    }
  });

  test('/api/meters, /healthz, /metrics (parsed by a Prometheus text parser), 404 and 405 in JSON', async () => {
    const s = await serve(['-d', 'sim:info=260', '--model', '603', '--interval', '60']);
    try {
      await until('a first read', async () => (await get(s.base + '/healthz')).status === 200);
      const list = json(await get(s.base + '/api/meters')).meters as Array<{ name: string; fresh: boolean; readings: unknown[] }>;
      assert.deepEqual(
        list.map((m) => [m.name, m.fresh]),
        [['meter', true]],
      );
      assert.ok(list[0]!.readings.length >= 8);
      const families = parsePrometheus((await get(s.base + '/metrics')).text);
      const by = (n: string): Family | undefined => families.find((f) => f.name === n);
      assert.equal(by('multical_reads_total')!.type, 'COUNTER');
      assert.equal(by('multical_energy')!.metrics[0]!.labels!.unit, 'MWh');
      assert.equal(by('multical_energy')!.metrics[0]!.labels!.meter, 'meter');
      const flags = Object.fromEntries<string | undefined>(by('multical_info_flag')!.metrics.map((m) => [m.labels!.flag ?? '', m.value]));
      assert.equal(flags.FLOW_SENSOR_WEAK_OR_AIR, '1');
      assert.equal(flags.LOW_BATTERY_LEVEL, '0');
      const missing = await get(s.base + '/nope');
      assert.equal(missing.status, 404);
      assert.match(json(missing).error as string, /no such endpoint/);
      const post = await get(s.base + '/api/meters', { method: 'POST' });
      assert.equal(post.status, 405);
      assert.equal(json(post).error, 'POST is not allowed: this API only reads');
      assert.equal((await get(s.base + '/api/meters/nobody')).status, 404);
    } finally {
      await s.stop();
    }
  });

  test('no reading yet, and a stale one: 503 with an error, never an old value as new; healthz names the meter', async () => {
    const mute = await serve(['-d', 'sim:no-answer', '--timeout', '0.2', '--retries', '0', '--interval', '60']);
    try {
      await until('a failed read', () => /read failed/.test(mute.output().stderr));
      const r = await get(mute.base + '/');
      assert.equal(r.status, 503);
      assert.match(json(r).error as string, /meter meter: no reading yet \(last error: .*no reply/);
      const h = await get(mute.base + '/healthz');
      assert.equal(h.status, 503);
      assert.deepEqual(json(h).stale, ['meter']);
    } finally {
      await mute.stop();
    }
    // The meter answers, then falls silent for good: after 2.5 intervals the value is stale.
    const once = await serve(['-d', 'sim:outage=2-600', '--timeout', '0.2', '--retries', '0', '--interval', '1']);
    try {
      await until('a first read', async () => (await get(once.base + '/')).status === 200);
      await until('the reading to go stale', async () => (await get(once.base + '/')).status === 503, 8000);
      assert.match(json(await get(once.base + '/')).error as string, /too old to be shown as current/);
      assert.equal((await get(once.base + '/healthz')).status, 503);
    } finally {
      await once.stop();
    }
  });

  test('a bearer token guards every endpoint; bodies and oversized headers are refused', async () => {
    const s = await serve(['-d', 'sim', '--interval', '60'], { MULTICAL_HTTP_TOKEN: 's3cret-token' });
    try {
      for (const path of ['/', '/api/meters', '/metrics', '/healthz']) {
        const r = await get(s.base + path);
        assert.equal(r.status, 401, path);
        assert.equal(r.headers['www-authenticate'], 'Bearer');
        assert.doesNotMatch(r.text, /s3cret/);
      }
      assert.equal((await get(s.base + '/healthz', { headers: { authorization: 'Bearer wrong' } })).status, 401);
      await until(
        'a first read',
        async () => (await get(s.base + '/healthz', { headers: { authorization: 'Bearer s3cret-token' } })).status === 200,
      );
      const withBody = await get(s.base + '/', {
        method: 'GET',
        headers: { authorization: 'Bearer s3cret-token', 'content-length': '5' },
        body: 'hello',
      });
      assert.equal(withBody.status, 413);
      const big = await get(s.base + '/', { headers: { authorization: 'Bearer s3cret-token', 'x-filler': 'x'.repeat(20_000) } });
      assert.equal(big.status, 431);
    } finally {
      await s.stop();
    }
  });
});

describe('the service', () => {
  test('HTTP requests never reach the meter: 1000 requests between two reads cost it nothing', async () => {
    const sim = await startCli(['simulate', '--listen', '127.0.0.1:0', '--debug'], /tcp:\/\/(127\.0\.0\.1:\d+)/, { env });
    const s = await serve(['-d', `tcp://${sim.match[1]}`, '--interval', '60']);
    try {
      await until('a first read', async () => (await get(s.base + '/')).status === 200);
      const seen = (): number => (sim.output().stderr.match(/^sim rx /gm) ?? []).length;
      const before = seen();
      for (let i = 0; i < 1000; i += 50)
        await Promise.all(Array.from({ length: 50 }, () => get(s.base + (i % 100 === 0 ? '/metrics' : '/'))));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(seen(), before, 'no byte reached the meter');
    } finally {
      await s.stop();
      await sim.stop();
    }
  });

  test('a meter that dies and comes back: the error is said, the service goes on, fresh values return', async () => {
    // The simulated meter answers, is silent from 2 s to 4 s after start, then answers again.
    const s = await serve(['-d', 'sim:outage=2-4', '--timeout', '0.3', '--retries', '0', '--interval', '1']);
    try {
      await until('a first read', async () => (await get(s.base + '/')).status === 200);
      await until('a failed read', () => /read failed: .*no reply/.test(s.output().stderr), 8000);
      const failed = (json(await get(s.base + '/api/meters/meter')).reads as { failed: number }).failed;
      assert.ok(failed >= 1);
      const readsOk = async (): Promise<number> => (json(await get(s.base + '/api/meters/meter')).reads as { ok: number }).ok;
      const ok = await readsOk();
      await until('a good read again', async () => (await readsOk()) > ok, 8000);
      assert.equal((await get(s.base + '/')).status, 200);
      assert.match(JSON.stringify(json(await get(s.base + '/api/meters/meter')).lastError), /no reply/, 'the last error stays visible');
    } finally {
      await s.stop();
    }
  });

  test('SIGTERM: exit 0 within its bound; SIGHUP reloads the config, and a bad one is reported and ignored', async () => {
    const cfg = join(dir, 'serve.yaml');
    writeFileSync(cfg, 'interval: 60\nmeters:\n  - name: heat\n    device: sim\n', { mode: 0o600 });
    const s = await serve(['--config', cfg]);
    try {
      await until('heat read', async () => (await get(s.base + '/api/meters/heat')).status === 200);
      writeFileSync(cfg, 'interval: 60\nmeters:\n  - name: heat\n    device: sim\n  - name: cold\n    device: "sim:energy=kWh"\n');
      s.child.kill('SIGHUP');
      await until('the new meter', async () => (await get(s.base + '/api/meters/cold')).status === 200);
      writeFileSync(cfg, 'interval: 60\nmeters: [oops\n');
      s.child.kill('SIGHUP');
      await until('the refusal', () => /the config was not reloaded, the running one is kept: .*YAML syntax error/.test(s.output().stderr));
      assert.deepEqual(
        (json(await get(s.base + '/api/meters')).meters as Array<{ name: string }>).map((m) => m.name),
        ['heat', 'cold'],
      );
      const t0 = Date.now();
      assert.equal(await s.stop(), 0);
      assert.ok(Date.now() - t0 < 25_000, 'within the stop bound');
      const refused = await new Promise<boolean>((resolve) => {
        const c = connect(Number(s.base.split(':').pop()), '127.0.0.1');
        c.on('error', () => resolve(true));
        c.on('connect', () => (c.destroy(), resolve(false)));
      });
      assert.ok(refused, 'the port is closed');
    } finally {
      await s.stop();
    }
  });
});
