import { Text } from '@grafana/ui';
import React, { useMemo } from 'react';
import { fetchTopology } from '../../api/controller';
import type { DrillAction, DrillRecord } from '../../api/drillTypes';
import { usePolling } from '../../hooks/usePolling';
import { withControllerNumbers } from '../../pages/Topology';
import { ErrorState, LoadingState } from '../StateViews/StateViews';
import type { NodeMark } from '../Topology/NodeCard';
import { TopologyDiagram } from '../Topology/TopologyDiagram';
import { testIds } from '../testIds';

/** Faults that cut a node off from its peers; the others degrade it in place. */
const ISOLATING = new Set(['down', 'partition']);

function faultLabel(a: DrillAction): string {
  if (a.kind === 'routing') return `drill: ${a.to ?? 'routed'} in pools`;
  if (a.kind === 'simulator' && a.fault && !ISOLATING.has(a.fault)) return `drill: ${a.fault}`;
  return 'isolated by drill';
}

/**
 * What the drill is doing to each of its targets now: the node's mark on the topology. A fault
 * journaled as an intent counts as in, since the drill may have made it already.
 */
export function drillMarks(drill: DrillRecord): Map<string, NodeMark> {
  const marks = new Map<string, NodeMark>();
  for (const node of drill.targets) {
    const actions = (drill.actions ?? []).filter((a) => a.node === node);
    const live = actions.filter((a) => a.state === 'applied' || a.state === 'intent');
    const title = actions.map((a) => `${a.description} (${a.state})`).join('\n') || undefined;
    if (live.length) marks.set(node, { label: faultLabel(live[0]!), tone: 'fault', title });
    else if (actions.length && actions.every((a) => a.state === 'rolled-back'))
      marks.set(node, { label: 'drill: rolled back', tone: 'info', title });
    else marks.set(node, { label: 'drill target', tone: 'info', title });
  }
  return marks;
}

/**
 * The cluster as the controller sees it while the drill runs (health, routing) with the drill's
 * targets marked: the Topology page's diagram, polled as fast as the drill itself.
 */
export function DrillTopology({ drill, pollMs }: { drill: DrillRecord; pollMs: number }) {
  const topo = usePolling((signal) => fetchTopology(signal), `drill-topology`, pollMs);
  const marks = useMemo(() => drillMarks(drill), [drill]);
  const metrics = useMemo(
    () => (topo.data ? withControllerNumbers(topo.data, undefined) : new Map()),
    [topo.data],
  );
  return (
    <div data-testid={testIds.drills.topology}>
      <Text element="h5">Topology during the drill</Text>
      {topo.error && (
        <ErrorState error={topo.error} title="Topology unavailable" stale={Boolean(topo.data)} />
      )}
      {!topo.data && topo.loading && <LoadingState text="Loading topology…" />}
      {topo.data && (
        <TopologyDiagram
          topology={topo.data}
          metrics={metrics}
          marks={marks}
          selected={undefined}
          onSelect={() => undefined}
        />
      )}
    </div>
  );
}
