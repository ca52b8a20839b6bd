import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, useStyles2, useTheme2 } from '@grafana/ui';
import React from 'react';
import type { TopologyNode } from '../../api/controllerTypes';
import {
  formatBytes,
  formatLatency,
  formatPercent,
  formatTokensPerSecond,
} from '../../domain/format';
import type { NodeMetrics } from '../../domain/nodeMetrics';
import { testIds } from '../testIds';
import { HEALTH_ICON, healthColor } from './health';

const ENGINE_ROLES = ['gpu-core', 'gpu-speculative', 'gpu-worker', 'cpu-worker'];

/** A badge another page puts on a node (the Failover drills page marks the drill's target). */
export interface NodeMark {
  label: string;
  /** fault: something is being done to the node now; info: it is involved, nothing done. */
  tone: 'fault' | 'info';
  title?: string;
}

export interface NodeCardProps {
  node: TopologyNode;
  metrics?: NodeMetrics;
  selected?: boolean;
  onSelect?: (id: string) => void;
  style?: React.CSSProperties;
  mark?: NodeMark;
}

/** One node: name, roles, health and the numbers that matter for its roles. */
export function NodeCard({ node, metrics, selected, onSelect, style, mark }: NodeCardProps) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const color = healthColor(theme, node.health);
  const isEngine = node.roles.some((r) => ENGINE_ROLES.includes(r));
  const isCache = node.roles.includes('cache');
  const rows: Array<[string, string]> = [];
  if (isEngine) {
    rows.push(['tokens/s', formatTokensPerSecond(metrics?.tokensPerSecond).replace(' tok/s', '')]);
    rows.push(['TTFT p95', formatLatency(metrics?.ttftP95)]);
  }
  if (isCache) rows.push(['cache hits', formatPercent(metrics?.cacheHitRatio, 1)]);

  return (
    <button
      type="button"
      className={cx(
        styles.card,
        selected && styles.selected,
        mark && (mark.tone === 'fault' ? styles.markFault : styles.markInfo),
      )}
      style={{ ...style, borderLeftColor: color }}
      onClick={() => onSelect?.(node.id)}
      data-testid={testIds.topology.node(node.id)}
      aria-label={`${node.id} ${node.health}`}
    >
      <div className={styles.header}>
        <span className={styles.name}>{node.id}</span>
        {mark && (
          <span
            className={cx(styles.markBadge, mark.tone === 'fault' && styles.markBadgeFault)}
            title={mark.title}
            data-testid={testIds.topology.nodeMark(node.id)}
          >
            {mark.label}
          </span>
        )}
        <span
          className={styles.health}
          style={{ color }}
          data-testid={testIds.topology.nodeHealth(node.id)}
        >
          <Icon name={HEALTH_ICON[node.health]} size="sm" /> {node.health}
        </span>
      </div>
      <div className={styles.sub}>
        {node.hostname !== node.id ? `${node.hostname} · ` : ''}
        {node.roles.join(', ')}
      </div>
      {isEngine &&
        (metrics?.gpu.length ? (
          metrics.gpu.map((g) => <MemoryBar key={g.engine} {...g} />)
        ) : (
          <div className={styles.muted}>no GPU memory series</div>
        ))}
      {rows.length > 0 && (
        <dl className={styles.numbers}>
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {node.health !== 'HEALTHY' && node.reasons[0] && (
        <div className={styles.reason} title={node.reasons.join('\n')}>
          {node.reasons[0]}
        </div>
      )}
    </button>
  );
}

function MemoryBar({
  engine,
  usedBytes,
  budgetBytes,
}: {
  engine: string;
  usedBytes?: number;
  budgetBytes?: number;
}) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const ratio = usedBytes !== undefined && budgetBytes ? usedBytes / budgetBytes : undefined;
  const fill =
    ratio === undefined
      ? theme.colors.text.disabled
      : ratio > 1
        ? theme.colors.error.main
        : ratio > 0.9
          ? theme.colors.warning.main
          : theme.colors.primary.main;
  return (
    <div
      className={styles.mem}
      title={`${engine}: ${formatBytes(usedBytes)} of ${formatBytes(budgetBytes)} budget`}
    >
      <div className={styles.memLabel}>
        <span>{engine}</span>
        <span>
          {formatBytes(usedBytes)} / {formatBytes(budgetBytes)}
        </span>
      </div>
      <div className={styles.memTrack}>
        <div
          className={styles.memFill}
          style={{ width: `${Math.min(100, (ratio ?? 0) * 100)}%`, background: fill }}
        />
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  card: css({
    all: 'unset',
    boxSizing: 'border-box',
    position: 'absolute',
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
    padding: theme.spacing(1, 1.5),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderLeftWidth: 4,
    borderRadius: theme.shape.radius.default,
    cursor: 'pointer',
    overflow: 'hidden',
    color: theme.colors.text.primary,
    fontSize: theme.typography.bodySmall.fontSize,
    '&:hover': { borderColor: theme.colors.border.strong },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` },
  }),
  selected: css({ boxShadow: `0 0 0 2px ${theme.colors.primary.main}` }),
  markFault: css({ outline: `2px dashed ${theme.colors.error.main}`, outlineOffset: 2 }),
  markInfo: css({ outline: `2px dashed ${theme.colors.info.main}`, outlineOffset: 2 }),
  markBadge: css({
    padding: theme.spacing(0, 0.5),
    borderRadius: theme.shape.radius.default,
    background: theme.colors.info.main,
    color: theme.colors.info.contrastText,
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
  }),
  markBadgeFault: css({
    background: theme.colors.error.main,
    color: theme.colors.error.contrastText,
  }),
  header: css({ display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: 8 }),
  name: css({
    fontSize: theme.typography.h5.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
  }),
  health: css({ fontWeight: theme.typography.fontWeightMedium, whiteSpace: 'nowrap' }),
  sub: css({
    color: theme.colors.text.secondary,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  muted: css({ color: theme.colors.text.disabled }),
  numbers: css({
    display: 'flex',
    gap: theme.spacing(2),
    margin: 0,
    dt: { color: theme.colors.text.secondary, fontWeight: 'normal' },
    dd: {
      margin: 0,
      fontSize: theme.typography.h5.fontSize,
      fontVariantNumeric: 'tabular-nums',
    },
  }),
  reason: css({
    color: theme.colors.text.secondary,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  }),
  mem: css({ display: 'flex', flexDirection: 'column', gap: 2 }),
  memLabel: css({
    display: 'flex',
    justifyContent: 'space-between',
    color: theme.colors.text.secondary,
    fontVariantNumeric: 'tabular-nums',
  }),
  memTrack: css({
    height: 6,
    background: theme.colors.background.canvas,
    borderRadius: theme.shape.radius.pill,
    overflow: 'hidden',
  }),
  memFill: css({ height: '100%' }),
});
