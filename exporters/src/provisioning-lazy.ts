// @okome/provisioning brings zod and yaml (~11 MiB of RSS) for the inventory schema and the
// renderers. A Redis-only exporter without --inventory needs none of it, so the exporter's
// runtime code reaches provisioning through this getter and loads it on first use (an
// --inventory, a --tap spec, a GPU flag to validate). Type-only imports stay ordinary imports.
import type * as Provisioning from '@okome/provisioning';

let loaded: typeof Provisioning | undefined;

export function provisioning(): typeof Provisioning {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load, see above
  return (loaded ??= require('@okome/provisioning') as typeof Provisioning);
}
