import { dateTime } from '@grafana/data';
import { RefreshPicker, Stack, TimeRangePicker } from '@grafana/ui';
import React from 'react';
import { REFRESH_INTERVALS } from '../../constants';
import type { TimeRangeState } from '../../hooks/useTimeRangeState';

/** Grafana's time range and refresh pickers, bound to the URL state of the page. */
export function TimeControls({
  state,
  onRefresh,
}: {
  state: TimeRangeState;
  onRefresh: () => void;
}) {
  const shift = (direction: -1 | 1) => {
    const { from, to } = state.range;
    const span = to.valueOf() - from.valueOf();
    const d = (span / 2) * direction;
    const next = { from: dateTime(from.valueOf() + d), to: dateTime(to.valueOf() + d) };
    state.setRange({ ...next, raw: next });
  };
  return (
    <Stack gap={1} alignItems="center">
      <TimeRangePicker
        value={state.range}
        onChange={state.setRange}
        timeZone="browser"
        onMoveBackward={() => shift(-1)}
        onMoveForward={() => shift(1)}
        onChangeTimeZone={() => undefined}
        onZoom={() => {
          // Zoom out: twice the span around the same centre, as Grafana's Ctrl+Z does.
          const { from, to } = state.range;
          const span = to.valueOf() - from.valueOf();
          const next = {
            from: dateTime(from.valueOf() - span / 2),
            to: dateTime(to.valueOf() + span / 2),
          };
          state.setRange({ ...next, raw: next });
        }}
      />
      <RefreshPicker
        value={state.refresh}
        intervals={REFRESH_INTERVALS}
        onRefresh={onRefresh}
        onIntervalChanged={state.setRefresh}
        isLive={false}
      />
    </Stack>
  );
}
