// Plugin settings and datasources through Grafana's own HTTP API.
import { PLUGIN_ID } from '../constants';
import type { AppJsonData, AppSecureJsonData } from '../types';
import { requestJson } from './backend';

export interface DatasourceSummary {
  uid: string;
  name: string;
  type: string;
  isDefault?: boolean;
}

export async function listPrometheusDatasources(): Promise<DatasourceSummary[]> {
  const all = await requestJson<DatasourceSummary[]>('grafana', '/api/datasources');
  return all.filter((d) => d.type === 'prometheus');
}

export interface SettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Leave undefined to keep the stored secret: any value, even '', replaces it. */
  secureJsonData?: AppSecureJsonData;
}

export async function saveSettings(update: SettingsUpdate): Promise<void> {
  await requestJson('grafana', `/api/plugins/${PLUGIN_ID}/settings`, {
    method: 'POST',
    data: update,
  });
}
