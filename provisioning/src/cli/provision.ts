#!/usr/bin/env node
// okome-provision: validate inventories and render configs from them (see messages.ts).
import { runProvision } from './run';

try {
  process.exitCode = runProvision(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
} catch (err) {
  // A bug, not a user error: still one line, with how to get the details.
  process.stderr.write(
    `okome-provision: internal error: ${(err as Error).message}\n` +
      (process.env.OKOME_DEBUG
        ? `${(err as Error).stack}\n`
        : 'set OKOME_DEBUG=1 for the stack trace\n'),
  );
  process.exitCode = 70;
}
