/**
 * Which pushes of a run belong together, decided from the arguments alone. Two pushes that touch the same
 * device, one of them writing it, form one unit (with every push linked to either): the unit reads every
 * device it needs before it writes any, plans every push, and sends them in argument order. Pushes of
 * different units touch no device in common, so the order between units does not matter.
 *
 * Within a unit, a push whose base was read from a device and a later push that overwrites that device
 * are bound (README: `91:68:2:92 92:68:0`): sending one without the other loses or double counts the
 * usage since the last run, so they are sent both or neither.
 *
 * An alert push (`idx:99:alert`) is a unit of its own: it computes from no device, and the only device it
 * writes, a General/Alert, is one that no other push can write or compute from (plan.ts refuses it), so
 * nothing it does or fails to do can lose or double count anything another push sends.
 */
import type { ReadArgument } from './argument.js';

export interface Unit {
  /** Positions in the argument list, ascending. */
  members: number[];
  /** Every device the unit reads, in the order first needed. */
  devices: string[];
}

/** The devices a push reads: its target (name, type, current value) and its compare device. */
export function touched(a: ReadArgument): string[] {
  return a.idx2 === undefined ? [a.idx] : [a.idx, a.idx2];
}

/** The devices a push computes from: mode 1 its compare device, mode 2 also its own target. */
function bases(a: ReadArgument): string[] {
  if (a.idx2 === undefined) return [];
  return a.mode === 2 ? [a.idx, a.idx2] : [a.idx2];
}

/** `later` overwrites a device that `earlier` computed from. */
export function bound(earlier: ReadArgument, later: ReadArgument): boolean {
  return bases(earlier).includes(later.idx);
}

export function groupUnits(args: readonly ReadArgument[]): Unit[] {
  const parent = args.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  for (let j = 0; j < args.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = args[i]!;
      const b = args[j]!;
      if (a.mode === 'alert' || b.mode === 'alert') continue;
      if (touched(b).includes(a.idx) || touched(a).includes(b.idx)) parent[find(j)] = find(i);
    }
  }
  const byRoot = new Map<number, number[]>();
  args.forEach((_, i) => {
    const root = find(i);
    byRoot.set(root, [...(byRoot.get(root) ?? []), i]);
  });
  return [...byRoot.values()].map((members) => ({ members, devices: [...new Set(members.flatMap((m) => touched(args[m]!)))] }));
}

/**
 * Where a unit must stop sending when its member at position `first` (in `unit.members`) cannot be sent:
 * there, or earlier at a member bound to one from there on (and so on, through the bound ones). Every
 * member from the returned position on is not sent.
 */
export function cutAt(args: readonly ReadArgument[], unit: Unit, first: number): number {
  const m = unit.members;
  let cut = first;
  for (;;) {
    const later = m.slice(cut).map((i) => args[i]!);
    const next = m.findIndex((i, p) => p < cut && later.some((b) => bound(args[i]!, b)));
    if (next < 0) return cut;
    cut = next;
  }
}
