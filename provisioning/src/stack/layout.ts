// Where the local stack keeps its state: pids, logs, data, rendered configs, secrets.
import { join, resolve } from 'node:path';

/** Repository root (provisioning/{src,dist}/stack → ../../..). */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export interface StackLayout {
  dir: string;
  stateFile: string;
  logs: string;
  data: string;
  config: string;
  rules: string;
  secrets: string;
  tokenFile: string;
  simDir: string;
}

export function stackLayout(dir = join(REPO_ROOT, '.okome', 'stack')): StackLayout {
  return {
    dir,
    stateFile: join(dir, 'state.json'),
    logs: join(dir, 'logs'),
    data: join(dir, 'data'),
    config: join(dir, 'config'),
    rules: join(dir, 'rules'),
    secrets: join(dir, 'secrets'),
    tokenFile: join(dir, 'secrets', 'controller.token'),
    simDir: join(dir, 'sim'),
  };
}
