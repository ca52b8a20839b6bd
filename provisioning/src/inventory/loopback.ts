// The simulator's address map (DESIGN.md §8): traffic for A.B.C.D goes to 127.0.C.D, so a
// simulated cluster keeps its shape on loopback and never reaches the real network.
import type { Inventory } from './schema';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Loopback address for a node: `A.B.C.D` → `127.0.C.D`; a named node gets `127.0.250.N`. */
export function loopbackAddress(address: string, position: number): string {
  const m = IPV4.exec(address);
  if (m && m.slice(1).every((o) => Number(o) <= 255)) {
    if (m[1] === '127') return address;
    return `127.0.${m[3]}.${m[4]}`;
  }
  if (position < 0 || position > 253)
    throw new RangeError(`node position ${position} out of range for 127.0.250.N`);
  return `127.0.250.${position + 1}`;
}

export function isLoopback(address: string): boolean {
  return (
    address === 'localhost' || address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address)
  );
}

/** The same inventory with every node on its loopback address. */
export function toLoopback(inv: Inventory): Inventory {
  return {
    ...inv,
    simulated: true,
    nodes: inv.nodes.map((node, i) => ({ ...node, address: loopbackAddress(node.address, i) })),
  };
}
