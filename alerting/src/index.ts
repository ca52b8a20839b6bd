// Public entry of @okome/alerting.
export { generate, sloGroup, MAX_TIME_SCALE } from './generate';
export type { GenerateOptions, GeneratedFile } from './generate';
export { loadSpec, parseSpec, detectFormat } from './spec/load';
export type { SpecFormat } from './spec/load';
export { parseOwnSpec } from './spec/own';
export { importSloth } from './spec/import/sloth';
export { importOpenSlo } from './spec/import/openslo';
export { hopBudgetSlos } from './spec/inventory';
export { SPEC_JSON_SCHEMA } from './spec/json-schema';
export { planWindows } from './windows';
export type { WindowPlan, BurnTier, Window } from './windows';
export { SpecError, formatSpecProblem } from './problems';
export type { SpecProblem } from './problems';
export { createSilence, expireSilence, parseMatcher, AlertmanagerError } from './silence';
export type { SilenceMatcher, SilenceRequest } from './silence';
export { runPromtool } from './promtool';
export type { PromtoolReport } from './promtool';
export { renderGenerated, writeGenerated, toYaml } from './write';
export {
  ALERT,
  LABEL,
  RECORD,
  METRIC,
  SEVERITY,
  RULES_FILE,
  ROUTING_RULES_FILE,
  TEST_FILE,
  GENERATED_HEADER,
} from './conventions';
export { ROUTING_TIMING } from './rules/routing';
export { promqlProblem } from './promql';
export type { Slo, SloSet, Sli } from './model';
