// The one source of data-testid values, shared by the unit tests and the browser tests.
export const testIds = {
  appConfig: {
    container: 'okome-config',
    prometheus: 'okome-config-prometheus',
    controllerUrl: 'okome-config-controller-url',
    controllerToken: 'okome-config-controller-token',
    save: 'okome-config-save',
    saved: 'okome-config-saved',
    check: 'okome-config-check',
    checkPrometheus: 'okome-config-check-prometheus',
    checkController: 'okome-config-check-controller',
  },
  topology: {
    container: 'okome-topology',
    diagram: 'okome-topology-diagram',
    node: (id: string) => `okome-topology-node-${id}`,
    nodeHealth: (id: string) => `okome-topology-node-health-${id}`,
    pool: (name: string) => `okome-topology-pool-${name}`,
    backend: (pool: string, node: string) => `okome-topology-backend-${pool}-${node}`,
    actions: 'okome-topology-actions',
    sidePanel: 'okome-topology-side-panel',
  },
  latency: {
    container: 'okome-latency',
    table: 'okome-latency-table',
    hopRow: (hop: string) => `okome-latency-hop-${hop}`,
    stacked: 'okome-latency-stacked',
    alerts: 'okome-latency-alerts',
  },
  drills: {
    container: 'okome-drills',
  },
  state: {
    loading: 'okome-state-loading',
    empty: 'okome-state-empty',
    error: 'okome-state-error',
  },
};
