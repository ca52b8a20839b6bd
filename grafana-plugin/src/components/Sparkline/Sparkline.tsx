import { useTheme2 } from '@grafana/ui';
import React from 'react';

/** A small line of a series' shape; gaps (NaN) split the line instead of dropping to zero. */
export function Sparkline({
  points,
  height = 32,
  color,
  threshold,
}: {
  points: Array<[number, number]>;
  height?: number;
  color?: string;
  /** Drawn as a dashed line when within the plotted range. */
  threshold?: number;
}) {
  const theme = useTheme2();
  const finite = points.filter(([, v]) => Number.isFinite(v));
  if (finite.length < 2) return null;
  const width = 200;
  const t0 = finite[0]![0];
  const t1 = finite[finite.length - 1]![0];
  const values = finite.map(([, v]) => v);
  const lo = Math.min(...values, threshold ?? Infinity, 0);
  const hi = Math.max(
    ...values,
    threshold !== undefined && threshold < Math.max(...values) * 3 ? threshold : -Infinity,
  );
  const span = hi - lo || 1;
  const x = (t: number) => ((t - t0) / (t1 - t0 || 1)) * width;
  const y = (v: number) => height - 2 - ((v - lo) / span) * (height - 4);
  const segments: string[] = [];
  let current = '';
  for (const [t, v] of points) {
    if (!Number.isFinite(v)) {
      if (current) segments.push(current);
      current = '';
      continue;
    }
    current += `${current ? ' L' : 'M'} ${x(t).toFixed(1)} ${y(v).toFixed(1)}`;
  }
  if (current) segments.push(current);
  const stroke = color ?? theme.colors.primary.main;
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      height={height}
      preserveAspectRatio="none"
      role="img"
    >
      {threshold !== undefined && threshold <= hi && (
        <line
          x1={0}
          x2={width}
          y1={y(threshold)}
          y2={y(threshold)}
          stroke={theme.colors.warning.main}
          strokeDasharray="4 3"
          vectorEffect="non-scaling-stroke"
        />
      )}
      {segments.map((d, i) => (
        <path
          key={i}
          d={d}
          fill="none"
          stroke={stroke}
          strokeWidth={1.5}
          vectorEffect="non-scaling-stroke"
        />
      ))}
    </svg>
  );
}
