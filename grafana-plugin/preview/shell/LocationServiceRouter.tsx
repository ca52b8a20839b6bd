// A react-router v6 Router driven by @grafana/runtime's locationService history, as Grafana's
// RoutesWrapper does: locationService.push() and <Link> stay in step (and Back works).
import { locationService, LocationServiceProvider } from '@grafana/runtime';
import React, { useLayoutEffect, useState } from 'react';
import { Router } from 'react-router-dom';

interface HistoryLike {
  location: { pathname: string; search: string; hash: string; state: unknown; key?: string };
  action: string;
  listen: (cb: (location: HistoryLike['location'], action: string) => void) => () => void;
}

export function LocationServiceRouter({ children }: { children: React.ReactNode }) {
  const history = locationService.getHistory() as unknown as HistoryLike;
  const [state, setState] = useState({ location: history.location, action: history.action });
  useLayoutEffect(
    () => history.listen((location, action) => setState({ location, action })),
    [history],
  );
  return (
    <LocationServiceProvider service={locationService}>
      <Router
        location={state.location}
        navigationType={state.action as never}
        navigator={history as never}
      >
        {children}
      </Router>
    </LocationServiceProvider>
  );
}
