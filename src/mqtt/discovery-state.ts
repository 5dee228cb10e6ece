/**
 * What discovery configs a broker holds from earlier runs, per meter (node), kept in the state directory
 * so that a register or a meter that is no longer published gets its retained config cleared. One file
 * per broker, written atomically after a successful publish only.
 */
import { createHash } from 'node:crypto';
import { readState, writeState } from '../settings/state.js';

interface StateFile {
  broker: string;
  nodes: Record<string, string[]>;
}

export class DiscoveryState {
  private readonly name: string;

  constructor(
    private readonly dir: string,
    private readonly broker: string,
  ) {
    this.name = `mqtt-discovery-${createHash('sha256').update(broker).digest('hex').slice(0, 16)}.json`;
  }

  /** Every node (meter) with the config topics it had; empty when nothing is known. */
  nodes(): Record<string, string[]> {
    const text = readState(this.dir, this.name);
    if (text === undefined) return {};
    try {
      const data = JSON.parse(text) as Partial<StateFile>;
      const nodes = data.broker === this.broker && data.nodes && typeof data.nodes === 'object' ? data.nodes : {};
      return Object.fromEntries(Object.entries(nodes).filter(([, t]) => Array.isArray(t) && t.every((x) => typeof x === 'string')));
    } catch {
      return {}; // a damaged file: start again (the worst case is a stale sensor left in Home Assistant)
    }
  }

  /** Records what `node` now has on the broker (none: the node is forgotten). */
  save(node: string, topics: readonly string[]): void {
    const nodes = this.nodes();
    if (topics.length > 0) nodes[node] = [...topics].sort();
    else delete nodes[node];
    writeState(this.dir, this.name, JSON.stringify({ broker: this.broker, nodes } satisfies StateFile) + '\n');
  }
}
