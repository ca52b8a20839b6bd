export { probeCollector } from './collector';
export { runProbe, parseProbeQuery, PROBE_MODULES, ProbeRequestError } from './probe';
export type { ProbeModule, ProbeParams, ProbeOutcome } from './probe';
