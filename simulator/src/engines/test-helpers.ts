// Test helpers: run a handler on an ephemeral loopback port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Handler } from '../cluster/server';
import { NO_EFFECTS } from './context';
import type { NodeEffects, ServiceContext } from './context';

/**
 * A node context for engine tests: the given faults, no partition, and random() = 0.5, which
 * makes every jitter factor exactly 1 so the timing is the model profile's.
 */
export function fixedContext(nodeId: string, effects: Partial<NodeEffects> = {}): ServiceContext {
  return {
    nodeId,
    effects: () => ({ ...NO_EFFECTS, ...effects }),
    gate: () => Promise.resolve(),
    random: () => 0.5,
  };
}

export async function serve(
  handler: Handler,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
