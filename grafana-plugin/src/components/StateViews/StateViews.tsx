// Explicit loading, empty and error states, so a page never shows a blank area or a zero that is
// really "no data".
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Alert, LoadingPlaceholder, Text, useStyles2 } from '@grafana/ui';
import React from 'react';
import { ApiError } from '../../api/errors';
import { testIds } from '../testIds';

export function LoadingState({ text }: { text: string }) {
  return (
    <div data-testid={testIds.state.loading}>
      <LoadingPlaceholder text={text} />
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.empty} data-testid={testIds.state.empty}>
      <Text element="h4">{title}</Text>
      {children && <Text color="secondary">{children}</Text>}
    </div>
  );
}

export function ErrorState({
  error,
  title,
  stale,
}: {
  error: Error;
  title?: string;
  /** Set when older data is still shown below the error. */
  stale?: boolean;
}) {
  const detail = error instanceof ApiError ? error.detail : undefined;
  const heading = title ?? error.message;
  return (
    <div data-testid={testIds.state.error}>
      <Alert severity="error" title={heading}>
        {title && <div>{error.message}</div>}
        {detail && <div>{detail}</div>}
        {stale && <div>Showing the last data received before the error.</div>}
      </Alert>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  empty: css({
    padding: theme.spacing(4),
    border: `1px dashed ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    alignItems: 'center',
    textAlign: 'center',
  }),
});
