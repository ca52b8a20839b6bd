// Shared test inventory and webhook builders for the controller's own tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inventorySchema } from '@okome/provisioning';
import type { Inventory, InventoryInput, Pool } from '@okome/provisioning';
import type { WebhookPayload } from '../webhook/validate';

type PoolInput = NonNullable<NonNullable<InventoryInput['routing']>['pools']>[number];

/** A 6-node cluster: one ingress, CORE plus two speculative vLLM nodes, a cache, observability. */
export function testInventory(pools?: PoolInput[], tools: Record<string, object> = {}): Inventory {
  const node = (id: string, last: number, roles: string[], services: object[]): object => ({
    id,
    hostname: id.toLowerCase(),
    address: `127.0.86.${last}`,
    roles,
    services,
    ...(tools[id] ? { tools: tools[id] } : {}),
  });
  return inventorySchema.parse({
    cluster: 'test',
    nodes: [
      node('NODE-01', 21, ['ingress'], [{ name: 'nginx', kind: 'nginx', port: 80 }]),
      node('CORE', 30, ['gpu-core'], [{ name: 'vllm', kind: 'vllm', port: 8000 }]),
      node('NODE-07', 37, ['gpu-speculative'], [{ name: 'vllm', kind: 'vllm', port: 8000 }]),
      node('NODE-08', 38, ['gpu-speculative'], [{ name: 'vllm', kind: 'vllm', port: 8000 }]),
      node('NODE-05', 25, ['cache'], [{ name: 'redis', kind: 'redis', port: 6379 }]),
      node(
        'NODE-09',
        39,
        ['observability'],
        [{ name: 'prometheus', kind: 'prometheus', port: 9090 }],
      ),
    ],
    routing: {
      pools: pools ?? [
        {
          name: 'engine',
          hop: 'engine',
          frontends: ['NODE-01'],
          listenPort: 8000,
          balance: 'least_conn',
          backends: [
            { node: 'CORE', service: 'vllm', weight: 10 },
            { node: 'NODE-07', service: 'vllm', backup: true },
            { node: 'NODE-08', service: 'vllm', backup: true },
          ],
          failoverOrder: ['CORE', 'NODE-07', 'NODE-08'],
          minHealthy: 1,
          actuator: 'exec',
          execCommand: 'true',
        },
      ],
    },
  });
}

export function poolOf(inv: Inventory, name = 'engine'): Pool {
  return inv.routing.pools.find((p) => p.name === name) as Pool;
}

export function webhook(
  alerts: {
    status?: 'firing' | 'resolved';
    fingerprint?: string;
    labels?: Record<string, string>;
    startsAt?: string;
  }[],
  groupKey = '{}:{alertname="EngineDown"}',
): WebhookPayload & Record<string, unknown> {
  return {
    version: '4',
    groupKey,
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: 'okome-controller',
    truncatedAlerts: 0,
    groupLabels: { alertname: 'EngineDown' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:9093',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: Object.fromEntries(
        Object.entries({
          alertname: 'EngineDown',
          severity: 'critical',
          okome_action: 'drain',
          okome_pool: 'engine',
          okome_backend: 'CORE',
          ...a.labels,
        }).filter(([, v]) => v !== undefined),
      ),
      annotations: {},
      startsAt: a.startsAt ?? '2026-11-25T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://127.0.0.1:9090/graph',
      fingerprint: a.fingerprint ?? 'fp-core',
    })),
  };
}

export function tempDir(prefix = 'okome-controller-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
