import { existsSync, unlinkSync } from 'node:fs';
import { stackCli, STACK_OWNED_MARKER } from './stack';

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(STACK_OWNED_MARKER)) return;
  stackCli(['down']);
  unlinkSync(STACK_OWNED_MARKER);
}
