/**
 * A meter taken out of the config file's `meters:` leaves its Home Assistant device behind: its retained
 * discovery configs stay on the broker. After a run of the whole list in which every meter said who it
 * is, the configs of the meters (nodes) the list had at its last such run and no longer has are cleared
 * (an empty retained message each), and the list is remembered in the state directory, per config file
 * and broker. A meter that could not be identified this run leaves everything for the next complete run.
 */
import { randomBytes } from 'node:crypto';
import { DiscoveryState } from '../../mqtt/discovery-state.js';
import { MqttError } from '../../mqtt/errors.js';
import { clearedConfigs } from '../../mqtt/messages.js';
import type { MqttSettings } from '../../mqtt/options.js';
import { stateDir } from '../../settings/state.js';
import type { Context } from '../context.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export async function clearRemovedMeters(
  settings: MqttSettings,
  file: string,
  nodes: ReadonlyArray<string | undefined>,
  f: { json: boolean; quiet: boolean },
  ctx: Context,
): Promise<ExitCodeValue> {
  if (nodes.some((n) => n === undefined)) {
    ctx.log.verbose('mqtt: not every meter was identified: meters taken out of the list are cleared at the next complete run');
    return ExitCode.ok;
  }
  const state = new DiscoveryState(stateDir(ctx.io.env), settings.brokerText);
  const current = new Set(nodes as string[]);
  const gone = state.listed(file).filter((n) => !current.has(n));
  const known = state.nodes();
  const messages = gone.flatMap((n) => clearedConfigs(known[n] ?? [], new Set(), settings.qos));
  if (messages.length > 0) {
    try {
      const { publishMessages } = await import('../../mqtt/publisher.js');
      const clientId = `multical-${randomBytes(4).toString('hex')}`;
      await publishMessages(settings, messages, { clientId, signal: ctx.signal, log: ctx.log });
    } catch (e) {
      if (!(e instanceof MqttError) || ctx.signal.aborted) throw e;
      ctx.error(`clearing the Home Assistant devices of meters no longer in ${file}: ${e.message}`);
      return ExitCode.mqtt;
    }
  }
  state.saveList(file, [...current], gone);
  if (gone.length > 0 && !f.quiet && !f.json) {
    ctx.io.stdout(`cleared ${messages.length} discovery config(s) of ${gone.join(', ')}: no longer in ${file}\n`);
  }
  return ExitCode.ok;
}
