// Fault points for crash-safety tests: with OKOME_CONTROLLER_FAULT=<point> set, the process
// kills itself with SIGKILL when it reaches that point, exactly like `kill -9` would.
// Without the env var these are no-ops; nothing outside tests sets it.

export const FAULT_POINTS = [
  'after-intent',
  'after-write',
  'after-reload',
  'after-verify',
  'after-audit',
  'after-commit',
  'after-revert-scheduled',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export const FAULT_ENV = 'OKOME_CONTROLLER_FAULT';

export function faultPoint(point: FaultPoint): void {
  if (process.env[FAULT_ENV] === point) process.kill(process.pid, 'SIGKILL');
}
