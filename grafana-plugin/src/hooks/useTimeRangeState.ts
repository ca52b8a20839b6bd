import { dateMath, dateTime, rangeUtil } from '@grafana/data';
import type { TimeRange } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { useMemo } from 'react';
import { useLocation } from 'react-router-dom';
import { DEFAULT_FROM, DEFAULT_REFRESH, DEFAULT_TO } from '../constants';

export interface TimeRangeState {
  range: TimeRange;
  /** Raw URL values, e.g. now-15m / now. */
  from: string;
  to: string;
  /** Refresh interval ('' = off) and in ms. */
  refresh: string;
  refreshMs?: number;
  /** Changes whenever the absolute range or the refresh changes: a key for reloads. */
  key: string;
  setRange: (range: TimeRange) => void;
  setRefresh: (interval: string) => void;
}

function parseTime(value: string, roundUp: boolean) {
  return /^\d+$/.test(value) ? dateTime(Number(value)) : dateMath.parse(value, roundUp);
}

function toRange(from: string, to: string): TimeRange {
  const f = parseTime(from, false);
  const t = parseTime(to, true);
  return {
    from: f?.isValid() ? f : dateTime().subtract(15, 'minutes'),
    to: t?.isValid() ? t : dateTime(),
    raw: { from, to },
  };
}

/** Time range and refresh in the URL (`from`, `to`, `refresh`), as Grafana keeps them. */
export function useTimeRangeState(): TimeRangeState {
  const { search } = useLocation();
  return useMemo(() => {
    const q = new URLSearchParams(search);
    const from = q.get('from') ?? DEFAULT_FROM;
    const to = q.get('to') ?? DEFAULT_TO;
    const refresh = q.has('refresh') ? (q.get('refresh') ?? '') : DEFAULT_REFRESH;
    const range = toRange(from, to);
    let refreshMs: number | undefined;
    try {
      refreshMs = refresh ? rangeUtil.intervalToMs(refresh) : undefined;
    } catch {
      refreshMs = undefined;
    }
    return {
      range,
      from,
      to,
      refresh,
      refreshMs,
      key: `${from}|${to}|${refresh}`,
      setRange: (r: TimeRange) => {
        const raw = (v: TimeRange['raw']['from']) =>
          typeof v === 'string' ? v : String(v.valueOf());
        locationService.partial({ from: raw(r.raw.from), to: raw(r.raw.to) }, true);
      },
      setRefresh: (interval: string) => locationService.partial({ refresh: interval }, true),
    };
  }, [search]);
}

/** The absolute range now, evaluated at load time (relative ranges move with the clock). */
export function evaluateRange(from: string, to: string): { start: number; end: number } {
  const r = toRange(from, to);
  return { start: r.from.valueOf() / 1000, end: r.to.valueOf() / 1000 };
}
