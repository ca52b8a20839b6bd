import { useCallback, useEffect, useRef, useState } from 'react';

export interface PollState<T> {
  data?: T;
  error?: Error;
  loading: boolean;
  /** ms since epoch of the last successful load. */
  updatedAt?: number;
  reload: () => void;
}

/**
 * Loads on mount, whenever `key` changes and every `intervalMs` (when set). A failed refresh keeps
 * the last good data next to the error, so a blip does not blank a wall screen.
 */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
  intervalMs?: number,
): PollState<T> {
  const [state, setState] = useState<Omit<PollState<T>, 'reload'>>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(ctrl.signal).then(
      (data) => {
        if (!ctrl.signal.aborted) setState({ data, loading: false, updatedAt: Date.now() });
      },
      (error: unknown) => {
        if (ctrl.signal.aborted) return;
        setState((s) => ({
          ...s,
          loading: false,
          error: error instanceof Error ? error : new Error(String(error)),
        }));
      },
    );
    return () => ctrl.abort();
  }, [key, tick]);

  useEffect(() => {
    if (!intervalMs) return undefined;
    const id = setInterval(() => setTick((t) => t + 1), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs, key]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
