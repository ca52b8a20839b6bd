import { parsePromDuration, parseTopology, TopologyFormatError } from './parseTopology';

// Shape of okome-controller's GET /api/v1/topology (controller/src/http/server.ts).
const controllerPayload = {
  cluster: 'okome',
  simulated: true,
  stale: false,
  updatedAt: '2026-11-25T16:16:17.967Z',
  nodes: [
    {
      id: 'CORE',
      hostname: 'okome-core',
      address: '127.0.86.30',
      roles: ['gpu-core'],
      health: 'UNAVAILABLE',
      reasons: ['all 2 scrape target(s) down'],
      firingAlerts: ['OkomeBackendDown'],
      numbers: {
        gpuMemoryByEngine: { vllm: 40802189312 },
        tokensPerSecond: 11.05,
        ttftP95Seconds: 0.58,
      },
    },
    {
      id: 'NODE-01',
      hostname: 'okome-node-01',
      address: '127.0.86.41',
      roles: ['ingress'],
      health: 'HEALTHY',
      reasons: [],
      firingAlerts: [],
      numbers: { gpuMemoryByEngine: {} },
    },
  ],
  edges: [
    { from: 'NODE-01', to: 'CORE', kind: 'pool', pool: 'engine' },
    { from: 'NODE-01', to: 'OKOME', kind: 'path' },
  ],
  pools: [
    {
      name: 'engine',
      hop: 'engine',
      actuator: 'nginx',
      frontends: ['NODE-01'],
      minHealthy: 1,
      backends: [
        {
          node: 'CORE',
          service: 'vllm',
          weight: 10,
          backup: false,
          state: 'drain',
          why: 'OkomeBackendDown firing for CORE',
          since: '2026-11-25T16:20:00.000Z',
          actor: 'alert:3f2a',
          manual: false,
          holders: ['3f2a'],
          pendingRevertAt: null,
        },
      ],
    },
  ],
  incidents: [
    {
      pool: 'engine',
      backend: 'CORE',
      state: 'drain',
      why: 'OkomeBackendDown firing for CORE',
      since: '2026-11-25T16:20:00.000Z',
      actor: 'alert:3f2a',
      holders: ['3f2a'],
      pendingRevertAt: null,
    },
  ],
  activeDrill: null,
  killSwitch: { enabled: false },
  dryRun: false,
};

describe('parseTopology', () => {
  it("reads the controller's topology: health, reasons, numbers, routing and incidents", () => {
    const topo = parseTopology(controllerPayload);
    expect(topo.cluster).toBe('okome');
    expect(topo.nodes.map((n) => [n.id, n.health])).toEqual([
      ['CORE', 'UNAVAILABLE'],
      ['NODE-01', 'HEALTHY'],
    ]);
    expect(topo.nodes[0]?.reasons).toEqual(['all 2 scrape target(s) down']);
    expect(topo.nodes[0]?.numbers?.gpuMemoryByEngine).toEqual({ vllm: 40802189312 });
    expect(topo.edges.map((e) => e.kind)).toEqual(['pool', 'path']);
    expect(topo.pools[0]?.backends[0]).toMatchObject({
      node: 'CORE',
      state: 'drain',
      reason: 'OkomeBackendDown firing for CORE',
      actor: 'alert:3f2a',
      since: '2026-11-25T16:20:00.000Z',
    });
    expect(topo.actions).toEqual([
      expect.objectContaining({ pool: 'engine', backend: 'CORE', action: 'drain' }),
    ]);
    expect(topo.activeDrill).toBeUndefined();
    expect(topo.killSwitch).toBe(false);
  });

  it('accepts the routing state map {pool: {backend: state}}', () => {
    const topo = parseTopology({
      nodes: [],
      routing: { engine: { CORE: 'disabled', 'NODE-07': 'enabled' } },
    });
    expect(topo.pools).toEqual([
      {
        name: 'engine',
        frontends: [],
        backends: [
          { node: 'CORE', state: 'disabled' },
          { node: 'NODE-07', state: 'enabled' },
        ],
      },
    ]);
  });

  it('names the field that is wrong', () => {
    const bad = JSON.parse(JSON.stringify(controllerPayload)) as {
      nodes: Array<Record<string, unknown>>;
    };
    (bad.nodes[1] as Record<string, unknown>).health = 'SLEEPY';
    expect(() => parseTopology(bad)).toThrow(
      new TopologyFormatError(
        'nodes[1].health',
        'unknown health "SLEEPY" (expected one of HEALTHY, DEGRADED, UNAVAILABLE, MAINTENANCE, UNKNOWN)',
      ),
    );
    expect(() => parseTopology({ nodes: 'x' })).toThrow('controller topology nodes: not an array');
    expect(() => parseTopology({ nodes: [{ roles: [], health: 'HEALTHY' }] })).toThrow(
      'controller topology nodes[0].id: missing or not a string',
    );
    expect(() =>
      parseTopology({
        nodes: [],
        pools: [{ name: 'p', backends: [{ node: 'A', state: 'paused' }] }],
      }),
    ).toThrow('pools[0].backends[0].state: unknown backend state "paused"');
  });

  it('reads hop budgets when the controller sends the inventory budgets', () => {
    const topo = parseTopology({
      nodes: [],
      budgets: {
        hops: [
          { hop: 'ingress', signal: 'added', threshold: '5ms', quantile: 0.99, objective: 99 },
        ],
      },
    });
    expect(topo.budgets).toEqual([
      {
        hop: 'ingress',
        signal: 'added',
        thresholdSeconds: 0.005,
        quantile: 0.99,
        objective: 99,
        node: undefined,
      },
    ]);
  });
});

describe('parsePromDuration', () => {
  it.each([
    ['500ms', 0.5],
    ['5m', 300],
    ['1h30m', 5400],
    ['28d', 28 * 86400],
  ])('%s is %s s', (text, s) => expect(parsePromDuration(text)).toBeCloseTo(s));

  it('rejects what is not a duration', () => {
    for (const t of ['', '5', 'm5', '5x', '5m junk']) expect(parsePromDuration(t)).toBeUndefined();
  });
});
