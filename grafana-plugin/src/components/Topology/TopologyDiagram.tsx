import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import React, { useMemo } from 'react';
import type { Topology } from '../../api/controllerTypes';
import { layoutTopology } from '../../domain/layout';
import type { NodeMetrics } from '../../domain/nodeMetrics';
import { testIds } from '../testIds';
import { backendColor } from './health';
import { NodeCard } from './NodeCard';
import type { NodeMark } from './NodeCard';

export interface TopologyDiagramProps {
  topology: Topology;
  metrics: Map<string, NodeMetrics>;
  selected?: string;
  onSelect: (id: string) => void;
  /** Badges on some nodes, by node id. */
  marks?: ReadonlyMap<string, NodeMark>;
}

export function TopologyDiagram({
  topology,
  metrics,
  selected,
  onSelect,
  marks,
}: TopologyDiagramProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const layout = useMemo(
    () => layoutTopology(topology.nodes, topology.edges, topology.pools),
    [topology],
  );
  return (
    <div className={styles.scroll}>
      <div
        className={styles.canvas}
        style={{ width: layout.width, height: layout.height }}
        data-testid={testIds.topology.diagram}
      >
        {layout.lanes.map((lane) => (
          <div
            key={lane.id}
            className={styles.lane}
            style={{ left: lane.box.x, top: lane.box.y, width: lane.box.w, height: lane.box.h }}
          >
            <span className={styles.laneLabel}>{lane.label}</span>
          </div>
        ))}
        <svg className={styles.edges} width={layout.width} height={layout.height} aria-hidden>
          {layout.edges.map((e) => (
            <path
              key={`${e.pool}-${e.from}-${e.to}`}
              d={e.path}
              fill="none"
              stroke={
                e.state === 'enabled' ? theme.colors.border.strong : backendColor(theme, e.state)
              }
              strokeWidth={e.state === 'enabled' ? 1.5 : 2}
              strokeDasharray={e.state === 'enabled' ? undefined : '6 4'}
              opacity={e.state === 'enabled' ? 0.8 : 1}
            >
              <title>{`${e.pool ?? 'edge'}: ${e.from} → ${e.to} (${e.state})`}</title>
            </path>
          ))}
        </svg>
        {topology.nodes.map((n) => {
          const box = layout.nodes.get(n.id);
          if (!box) return null;
          return (
            <NodeCard
              key={n.id}
              node={n}
              metrics={metrics.get(n.id)}
              selected={selected === n.id}
              onSelect={onSelect}
              mark={marks?.get(n.id)}
              style={{ left: box.x, top: box.y, width: box.w, height: box.h }}
            />
          );
        })}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  scroll: css({ overflowX: 'auto', paddingBottom: theme.spacing(1) }),
  canvas: css({ position: 'relative', minWidth: '100%' }),
  lane: css({
    position: 'absolute',
    border: `1px dashed ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.canvas,
  }),
  laneLabel: css({
    position: 'absolute',
    top: theme.spacing(0.5),
    left: theme.spacing(1),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    textTransform: 'uppercase',
    letterSpacing: '0.06em',
  }),
  edges: css({ position: 'absolute', left: 0, top: 0, pointerEvents: 'none' }),
});
