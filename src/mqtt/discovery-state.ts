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
  /** Per config file with a list of meters: the nodes its meters were, so a meter taken out can be cleared. */
  lists?: Record<string, string[]>;
}

const isTopicList = (t: unknown): t is string[] => Array.isArray(t) && t.every((x) => typeof x === 'string');

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
    return this.read().nodes;
  }

  /** The nodes the meters of the list in `file` were at its last complete run. */
  listed(file: string): string[] {
    return this.read().lists?.[file] ?? [];
  }

  /** Records what `node` now has on the broker (none: the node is forgotten). */
  save(node: string, topics: readonly string[]): void {
    const state = this.read();
    if (topics.length > 0) state.nodes[node] = [...topics].sort();
    else delete state.nodes[node];
    this.write(state);
  }

  /** Records the nodes of the list in `file` now, and forgets the configs of the nodes no longer in it. */
  saveList(file: string, nodes: readonly string[], gone: readonly string[]): void {
    const state = this.read();
    for (const n of gone) delete state.nodes[n];
    state.lists = { ...state.lists, [file]: [...nodes].sort() };
    this.write(state);
  }

  private read(): StateFile {
    const text = readState(this.dir, this.name);
    const empty: StateFile = { broker: this.broker, nodes: {} };
    if (text === undefined) return empty;
    try {
      const data = JSON.parse(text) as Partial<StateFile>;
      if (data.broker !== this.broker) return empty;
      const pick = (o: unknown): Record<string, string[]> =>
        o && typeof o === 'object' ? Object.fromEntries(Object.entries(o).filter(([, t]) => isTopicList(t))) : {};
      return { broker: this.broker, nodes: pick(data.nodes), lists: pick(data.lists) };
    } catch {
      return empty; // a damaged file: start again (the worst case is a stale sensor left in Home Assistant)
    }
  }

  private write(state: StateFile): void {
    writeState(this.dir, this.name, JSON.stringify(state) + '\n');
  }
}
