import type { AppRootProps } from '@grafana/data';
import React from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { ROUTES } from '../../constants';
import { Drills } from '../../pages/Drills';
import { LatencyBudget } from '../../pages/LatencyBudget';
import { Topology } from '../../pages/Topology';

/** Root of the app: Grafana mounts it under /a/okome-slo-app/*, so paths are relative. */
export function App(_props: AppRootProps) {
  return (
    <Routes>
      <Route path={ROUTES.Topology} element={<Topology />} />
      <Route path={ROUTES.LatencyBudget} element={<LatencyBudget />} />
      <Route path={ROUTES.Drills} element={<Drills />} />
      <Route path="*" element={<Navigate to={ROUTES.Topology} replace />} />
    </Routes>
  );
}
