import { PluginPage } from '@grafana/runtime';
import React from 'react';
import { EmptyState } from '../components/StateViews/StateViews';
import { testIds } from '../components/testIds';

/** Placeholder until the drills page lands (its own issue): says so, shows nothing invented. */
export function Drills() {
  return (
    <PluginPage>
      <div data-testid={testIds.drills.container}>
        <EmptyState title="Failover drills are not yet available in this version">
          Drills run through okome-controller's /api/v1/drills; this page will list scenarios, run
          them and show their reports.
        </EmptyState>
      </div>
    </PluginPage>
  );
}
