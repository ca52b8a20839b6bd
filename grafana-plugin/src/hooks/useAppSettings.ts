import { usePluginContext } from '@grafana/data';
import type { AppJsonData } from '../types';

/** The plugin's jsonData as Grafana (or the preview shell) passes it to the app. */
export function useAppSettings(): AppJsonData {
  const ctx = usePluginContext();
  return (ctx?.meta.jsonData ?? {}) as AppJsonData;
}
