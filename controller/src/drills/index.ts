// Public surface of the drill engine (re-exported by @okome/controller).
export { DrillService, PreflightError, parseStart } from './service';
export type { DrillServiceOptions } from './service';
export { DrillRun, DrillAbort, DRILL_TAG } from './runner';
export type { DrillPorts } from './runner';
export { drillsRouter } from './routes';
export { DrillJournal, DRILLS_SUBDIR } from './journal';
export { DrillMetrics } from './metrics';
export {
  parseScenario,
  loadScenarios,
  loadScenarioFile,
  ScenarioError,
  formatProblem,
  DEFAULT_DRILLS_DIR,
} from './scenario';
export type { ScenarioProblem } from './scenario';
export { candidates, resolveTargets, planSteps, concreteActions } from './plan';
export { buildReport, drillPoints, scenarioScore } from './report';
export { ConflictError } from './errors';
export {
  prometheusPort,
  alertmanagerAlertsPort,
  silencesPort,
  simulatorFaultsPort,
  engineRoutingPort,
  shellExecPort,
  grafanaAnnotationsPort,
} from './adapters';
export { createDrillService } from './wire';
export type { DrillWiring } from './wire';
export type * from './ports';
export type * from './types';
export { DRILL_PHASES, ABORT_REASONS } from './types';
