import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';

/** The bordered column every drill panel (preflight, live drill, report) sits in. */
export const drillPanel = (theme: GrafanaTheme2) =>
  css({
    padding: theme.spacing(2),
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  });
