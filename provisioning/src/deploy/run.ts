// Runs (or, with dryRun, prints) a deploy plan node by node. A failing node is reported and
// the others go on; the summary says which nodes failed at which step.
import { spawnSync } from 'node:child_process';
import type { DeployStep, NodePlan } from './plan';
import { formatStep } from './plan';

export interface StepResult {
  ok: boolean;
  /** Exit code, or undefined when the command could not start. */
  code?: number | null;
  output: string;
}

export type StepRunner = (step: DeployStep) => StepResult;

/** The system ssh/scp, output captured; a command that cannot start is a failed step. */
export const systemRunner: StepRunner = (step) => {
  const [cmd, ...args] = step.argv as [string, ...string[]];
  const res = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10 * 60_000 });
  if (res.error) return { ok: false, output: res.error.message };
  return {
    ok: res.status === 0,
    code: res.status,
    output: `${res.stdout ?? ''}${res.stderr ?? ''}`,
  };
};

export interface NodeOutcome {
  node: string;
  host: string;
  status: 'ok' | 'failed' | 'planned';
  /** The failed step, if any. */
  failedStep?: string;
  detail?: string;
  commands: string[];
}

export interface DeployIo {
  out: (text: string) => void;
}

export function runDeploy(
  plans: NodePlan[],
  opts: { dryRun: boolean; runner?: StepRunner; io: DeployIo },
): NodeOutcome[] {
  const runner = opts.runner ?? systemRunner;
  return plans.map((plan) => {
    const commands = plan.steps.map(formatStep);
    opts.io.out(`== ${plan.node} (${plan.host})\n`);
    if (opts.dryRun) {
      for (const [i, step] of plan.steps.entries())
        opts.io.out(`  # ${step.what}\n  ${commands[i]}\n`);
      return { node: plan.node, host: plan.host, status: 'planned', commands };
    }
    for (const step of plan.steps) {
      opts.io.out(`  ${step.what} ... `);
      const r = runner(step);
      if (!r.ok) {
        const detail = (r.output.trim().split('\n').pop() ?? '') || `exit ${r.code ?? 'unknown'}`;
        opts.io.out(`FAILED (${detail})\n`);
        return {
          node: plan.node,
          host: plan.host,
          status: 'failed',
          failedStep: step.what,
          detail,
          commands,
        };
      }
      opts.io.out('ok\n');
    }
    return { node: plan.node, host: plan.host, status: 'ok', commands };
  });
}

export function formatSummary(outcomes: NodeOutcome[]): string {
  const width = Math.max(4, ...outcomes.map((o) => o.node.length));
  const lines = outcomes.map(
    (o) =>
      `${o.node.padEnd(width)}  ${o.status.padEnd(7)}  ${o.status === 'failed' ? `${o.failedStep}: ${o.detail}` : o.status === 'planned' ? `${o.commands.length} commands` : 'installed, answers'}`,
  );
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  return `${lines.join('\n')}\n${outcomes.length} node${outcomes.length === 1 ? '' : 's'}, ${failed} failed\n`;
}
