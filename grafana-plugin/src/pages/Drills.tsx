import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Text, useStyles2 } from '@grafana/ui';
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { abortDrill, dryRunDrill, fetchDrill, fetchDrills, startDrill } from '../api/drills';
import type { DrillRecord } from '../api/drillTypes';
import { DrillHistory } from '../components/Drills/DrillHistory';
import { DrillReportView } from '../components/Drills/DrillReportView';
import { DrillTopology } from '../components/Drills/DrillTopology';
import { LiveDrill } from '../components/Drills/LiveDrill';
import { Preflight } from '../components/Drills/Preflight';
import { currentDrillPermission } from '../components/Drills/role';
import type { StartPermission } from '../components/Drills/role';
import { ScenarioList } from '../components/Drills/ScenarioList';
import { EmptyState, ErrorState, LoadingState } from '../components/StateViews/StateViews';
import { testIds } from '../components/testIds';
import { usePolling } from '../hooks/usePolling';

/** How often the watched drill is read while it runs; the list follows more slowly. */
export const LIVE_POLL_MS = 1500;
const LIST_POLL_MS = 5000;

export function Drills({ permission }: { permission?: StartPermission } = {}) {
  const styles = useStyles2(getStyles);
  const perm = permission ?? currentDrillPermission();
  const list = usePolling(fetchDrills, 'drills', LIST_POLL_MS);
  const [selected, setSelected] = useState<string>();
  const [watched, setWatched] = useState<string>();
  const [actionError, setActionError] = useState<Error>();
  const [starting, setStarting] = useState(false);
  const [aborting, setAborting] = useState(false);

  // A drill already running (started elsewhere, or before a reload) is watched at once.
  const active = list.data?.active ?? undefined;
  useEffect(() => {
    if (active) setWatched((w) => w ?? active);
  }, [active]);

  const preflight = usePolling(
    useCallback(
      (signal: AbortSignal) =>
        selected && perm.allowed ? dryRunDrill(selected, signal) : Promise.resolve(undefined),
      [selected, perm.allowed],
    ),
    `${selected ?? ''}|${active ?? ''}`,
  );

  // Polled quickly while the drill runs (and until its first answer); a finished drill stays still.
  const [finished, setFinished] = useState<string>();
  const drill = usePolling<DrillRecord | undefined>(
    useCallback(
      (signal: AbortSignal) => (watched ? fetchDrill(watched, signal) : Promise.resolve(undefined)),
      [watched],
    ),
    watched ?? '',
    watched && finished !== watched ? LIVE_POLL_MS : undefined,
  );
  const current = drill.data?.id === watched ? drill.data : undefined;
  const ended = current !== undefined && current.status !== 'running';
  const seenRunning = useRef<string>();
  useEffect(() => {
    if (!current) return;
    if (ended) {
      setFinished(current.id);
      setAborting(false);
      // The drill just ended here: last result, score, history and preflight have changed.
      if (seenRunning.current === current.id) {
        list.reload();
        preflight.reload();
      }
    } else seenRunning.current = current.id;
  }, [current?.id, ended]);

  const onStart = async () => {
    if (!selected) return;
    setStarting(true);
    setActionError(undefined);
    try {
      const started = await startDrill(selected, perm.user);
      setWatched(started.id);
      list.reload();
    } catch (err) {
      setActionError(err instanceof Error ? err : new Error(String(err)));
      preflight.reload();
    } finally {
      setStarting(false);
    }
  };

  const onAbort = async () => {
    if (!watched) return;
    setAborting(true);
    setActionError(undefined);
    try {
      await abortDrill(watched, perm.user);
      drill.reload();
    } catch (err) {
      setAborting(false);
      setActionError(err instanceof Error ? err : new Error(String(err)));
    }
  };

  const data = list.data;
  const scenario = data?.scenarios.find((s) => s.name === selected);
  return (
    <PluginPage>
      <div data-testid={testIds.drills.container} className={styles.page}>
        {list.error && (
          <ErrorState error={list.error} title="Drills unavailable" stale={Boolean(data)} />
        )}
        {actionError && <ErrorState error={actionError} title="The controller refused" />}
        {!data && list.loading && <LoadingState text="Reading drill scenarios…" />}
        {current && (
          <LiveDrill
            drill={current}
            canAbort={perm.allowed}
            abortReason={perm.reason}
            aborting={aborting}
            onAbort={onAbort}
          />
        )}
        {current?.status === 'running' && <DrillTopology drill={current} pollMs={LIVE_POLL_MS} />}
        {watched && !current && drill.loading && (
          <LoadingState text={`Reading drill ${watched}…`} />
        )}
        {drill.error && <ErrorState error={drill.error} title={`Drill ${watched} unavailable`} />}
        {current && current.status !== 'running' && <DrillReportView drill={current} />}
        {data && (
          <>
            <Text element="h3">Scenarios</Text>
            {data.scenarios.length === 0 ? (
              <EmptyState title="No drill scenarios">
                okome-controller reads them from its drills directory (OKOME_DRILLS_DIR); the
                inventory's drills.allowed lists the ones it may run.
              </EmptyState>
            ) : (
              <ScenarioList scenarios={data.scenarios} selected={selected} onSelect={setSelected} />
            )}
            {selected && preflight.loading && !preflight.data && (
              <LoadingState text={`Dry run of ${selected}…`} />
            )}
            {selected && preflight.error && (
              <ErrorState error={preflight.error} title={`Dry run of ${selected} failed`} />
            )}
            {scenario && (perm.allowed ? preflight.data?.scenario === selected : true) && (
              <Preflight
                scenario={scenario}
                dryRun={perm.allowed ? preflight.data : undefined}
                permission={perm}
                busy={starting}
                blockedBy={active}
                onStart={onStart}
              />
            )}
            <Text element="h3">History</Text>
            {data.drills.length === 0 ? (
              <EmptyState title="No drill has run yet" />
            ) : (
              <DrillHistory drills={data.drills} onOpen={setWatched} />
            )}
          </>
        )}
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2) }),
});
