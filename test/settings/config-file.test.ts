// The config file's loader and resolution, as functions (src/settings/config-file.ts, resolve.ts): which
// file is read, which keys a command sees, and that the example file shows every key there is. What the
// CLI does with them is in test/cli/config.test.ts.
import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GET_REGISTERS } from '../../src/cli/commands/get.js';
import { SIMULATE_OPTIONS } from '../../src/cli/commands/simulate.js';
import { configSchema } from '../../src/cli/schema.js';
import { DOMOTICZ_OPTIONS } from '../../src/domoticz/options.js';
import { MQTT_OPTIONS } from '../../src/mqtt/options.js';
import { findConfigPath, loadConfigFile, type ConfigView } from '../../src/settings/config-file.js';
import { METER_OPTIONS } from '../../src/settings/device.js';
import { resolveSecret, resolveValue, type Sources } from '../../src/settings/resolve.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/multical.example.yaml', import.meta.url));

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'multical-config-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  chmodSync(p, 0o600);
  return p;
}

describe('config file: sections and search order', () => {
  test('a command sees its own section, the shared meter keys, and nothing of the other section', async () => {
    const cfg = write(
      tmp(),
      'c.yaml',
      'device: sim\ntimeout: 1\nregisters: [60]\ndomoticz:\n  password: dz\n  ca: dz-ca.pem\nmqtt:\n  password: mq\n  registers: [68]\n',
    );
    const loaded = await loadConfigFile(cfg, '--config', configSchema(), () => {});
    const from = (config: ConfigView): Sources => ({ cli: () => undefined, env: {}, config, warn: () => {} });
    const src = from(loaded);
    const secret = (o: typeof DOMOTICZ_OPTIONS | typeof MQTT_OPTIONS): string | undefined =>
      resolveSecret(o.password, o.passwordFile, src)?.secret;
    assert.deepEqual([secret(DOMOTICZ_OPTIONS), secret(MQTT_OPTIONS)], ['dz', 'mq']);
    assert.deepEqual([resolveValue(METER_OPTIONS.device, src), resolveValue(METER_OPTIONS.timeout, src)], ['sim', 1000]);
    assert.deepEqual([resolveValue(GET_REGISTERS, src), resolveValue(MQTT_OPTIONS.registers, src)], [['60'], ['68']]);
    assert.equal(resolveValue(DOMOTICZ_OPTIONS.ca, src), join(cfg, '..', 'dz-ca.pem'), 'relative paths are relative to the file');
    const sim = { value: (k: 'device') => resolveValue(SIMULATE_OPTIONS[k], src) };
    assert.equal(sim.value('device'), undefined, 'simulate --device is a path to serve on, never the meter from the file');
  });
  test('the search order: --config, then $MULTICAL_CONFIG, then the XDG file', () => {
    const h = tmp();
    assert.equal(findConfigPath(undefined, { HOME: h }, '/'), undefined, 'no file: no config');
    write(h, '.config/multical/config.yaml', '{}\n');
    assert.deepEqual(findConfigPath(undefined, { HOME: h }, '/'), { path: join(h, '.config/multical/config.yaml'), what: 'default' });
    assert.deepEqual(findConfigPath('rel.yaml', { HOME: h, MULTICAL_CONFIG: '/x.yaml' }, '/etc'), {
      path: '/etc/rel.yaml',
      what: '--config',
    });
    assert.deepEqual(findConfigPath(undefined, { HOME: h, MULTICAL_CONFIG: '/x.yaml' }, '/'), { path: '/x.yaml', what: 'MULTICAL_CONFIG' });
  });
});

describe('examples/multical.example.yaml', () => {
  test('is a valid config that shows every key there is', async () => {
    const warnings: string[] = [];
    const loaded = await loadConfigFile(EXAMPLE, '--config', configSchema(), (t) => warnings.push(t));
    assert.equal(loaded.data.device, '/dev/ttyUSB0');
    assert.deepEqual((loaded.data.domoticz as Record<string, unknown>).push, ['88:60:0', '89:80:1:90']);
    const text = readFileSync(EXAMPLE, 'utf8');
    const schema = configSchema();
    for (const k of [...schema.top.keys(), ...schema.sections.keys()])
      assert.match(text, new RegExp(`^#? ?${k}:`, 'm'), `the example shows ${k}`);
    for (const [name, keys] of schema.sections) {
      for (const k of keys.keys()) assert.match(text, new RegExp(`^  #? ?${k}:`, 'm'), `the example shows ${name}.${k}`);
    }
  });
});
