// One local stack for the whole e2e run (DESIGN.md §9): brought up detached before the first
// e2e suite, torn down after the last. A stack the developer already runs is reused and left up.
import { stackCli, stackIsUp, STACK_OWNED_MARKER } from './stack';
import { writeFileSync } from 'node:fs';

export default async function globalSetup(): Promise<void> {
  // For working on one e2e suite that starts what it needs itself.
  if (process.env.OKOME_E2E_NO_STACK === '1') return;
  if (await stackIsUp()) {
    console.log('\n[e2e] reusing the local stack that is already up');
    return;
  }
  console.log('\n[e2e] okome-stack up --inventory okome --sim --detach');
  stackCli(['up', '--inventory', 'okome', '--sim', '--detach']);
  writeFileSync(STACK_OWNED_MARKER, String(process.pid));
}
