import type { GrafanaTheme2 } from '@grafana/data';
import type { BackendState, HealthState } from '../../api/controllerTypes';

/** Theme colour of a health state; never a hard-coded colour, so both themes read well. */
export function healthColor(theme: GrafanaTheme2, health: HealthState): string {
  switch (health) {
    case 'HEALTHY':
      return theme.colors.success.text;
    case 'DEGRADED':
      return theme.colors.warning.text;
    case 'UNAVAILABLE':
      return theme.colors.error.text;
    case 'MAINTENANCE':
      return theme.colors.info.text;
    case 'UNKNOWN':
      return theme.colors.text.secondary;
  }
}

export function backendColor(theme: GrafanaTheme2, state: BackendState): string {
  switch (state) {
    case 'enabled':
      return theme.colors.success.text;
    case 'drain':
      return theme.colors.warning.text;
    case 'disabled':
      return theme.colors.error.text;
  }
}

export const HEALTH_ICON: Record<
  HealthState,
  'check-circle' | 'exclamation-triangle' | 'times-circle' | 'cog' | 'question-circle'
> = {
  HEALTHY: 'check-circle',
  DEGRADED: 'exclamation-triangle',
  UNAVAILABLE: 'times-circle',
  MAINTENANCE: 'cog',
  UNKNOWN: 'question-circle',
};
