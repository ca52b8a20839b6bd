/** Plugin settings kept in Grafana (`jsonData`); the controller token is in secureJsonData. */
export interface AppJsonData {
  /** uid of the Prometheus datasource that scrapes the cluster. */
  prometheusUid?: string;
  /** Base URL of okome-controller, used by the plugin.json routes. */
  controllerUrl?: string;
}

export interface AppSecureJsonData {
  controllerToken?: string;
}
