// Deployment to real nodes over the system ssh/scp (plan → run), and its CLI command.
export { deployPlan, formatStep, selectNodes, shellQuote, REMOTE_STAGING } from './plan';
export type { DeployOptions, DeployStep, NodePlan } from './plan';
export { runDeploy, formatSummary, systemRunner } from './run';
export type { NodeOutcome, StepResult, StepRunner } from './run';
export { runDeployCommand, DEPLOY_HELP } from './command';
export type { DeployCommandIo } from './command';
