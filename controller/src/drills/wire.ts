// Builds the DrillService from the controller's configuration. Settings the controller's flags
// do not carry come from the environment:
//   OKOME_DRILLS_DIR          scenario folder (default: the package's drills/)
//   OKOME_SIMULATOR_URL       simulator control API (default http://127.0.0.1:9800 when the
//                             inventory is a simulated one; no simulator faults otherwise)
//   OKOME_GRAFANA_URL         Grafana for drill annotations (optional)
//   OKOME_GRAFANA_TOKEN_FILE  service-account token for it (first line)
import { readFileSync } from 'node:fs';
import type { Inventory } from '@okome/provisioning';
import { AlertmanagerClient } from '../alertmanager';
import type { Engine } from '../engine';
import { ConfigError } from '../errors';
import {
  alertmanagerAlertsPort,
  engineRoutingPort,
  grafanaAnnotationsPort,
  prometheusPort,
  shellExecPort,
  silencesPort,
  simulatorFaultsPort,
} from './adapters';
import { DEFAULT_DRILLS_DIR, loadScenarios } from './scenario';
import { DrillService } from './service';

export const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:9800';

export interface DrillWiring {
  inventory: Inventory;
  engine: Engine;
  stateDir: string;
  prometheus?: string;
  alertmanagers: string[];
  health?: (node: string) => string | undefined;
  env?: NodeJS.ProcessEnv;
}

export function createDrillService(w: DrillWiring): DrillService {
  const env = w.env ?? process.env;
  const scenarios = loadScenarios(env.OKOME_DRILLS_DIR || DEFAULT_DRILLS_DIR);
  const simUrl =
    env.OKOME_SIMULATOR_URL || (w.inventory.simulated ? DEFAULT_SIMULATOR_URL : undefined);
  let annotations;
  if (env.OKOME_GRAFANA_URL) {
    const file = env.OKOME_GRAFANA_TOKEN_FILE;
    if (!file)
      throw new ConfigError('OKOME_GRAFANA_URL is set but OKOME_GRAFANA_TOKEN_FILE is not');
    let token: string;
    try {
      token = readFileSync(file, 'utf8').split('\n')[0]?.trim() ?? '';
    } catch (err) {
      throw new ConfigError(
        `OKOME_GRAFANA_TOKEN_FILE: cannot read ${file}: ${(err as Error).message}`,
      );
    }
    annotations = grafanaAnnotationsPort(env.OKOME_GRAFANA_URL, token);
  }
  return new DrillService({
    inventory: w.inventory,
    stateDir: w.stateDir,
    scenarios,
    metrics: prometheusPort(w.prometheus ? [w.prometheus] : []),
    routing: engineRoutingPort(w.engine),
    alerts: w.alertmanagers.length ? alertmanagerAlertsPort(w.alertmanagers) : undefined,
    silences: w.alertmanagers.length
      ? silencesPort(new AlertmanagerClient(w.alertmanagers))
      : undefined,
    faults: simUrl ? simulatorFaultsPort(simUrl) : undefined,
    exec: w.inventory.drills.allowRealFaults ? shellExecPort() : undefined,
    annotations,
    health: w.health,
  });
}
