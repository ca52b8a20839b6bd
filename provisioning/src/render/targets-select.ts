// `okome-provision render --target`: which renderer sets go into one output folder.
import type { Inventory } from '../inventory/schema';
import type { RenderAllOptions, RenderedFile } from './bundle';
import { renderAll } from './bundle';
import { RenderError } from './errors';
import type { GrafanaProvisioningOptions } from './grafana';
import { renderGrafanaProvisioning } from './grafana';
import type { SystemdRenderOptions } from './systemd';
import { renderSystemd } from './systemd';

export const RENDER_TARGETS = ['configs', 'grafana', 'systemd'] as const;
export type RenderTarget = (typeof RENDER_TARGETS)[number];

/** `configs`, `grafana,systemd`, `all` (repeatable); default `configs`, as before --target. */
export function parseRenderTargets(values: readonly string[] | undefined): RenderTarget[] {
  const words = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((w) => w.trim())
    .filter(Boolean);
  if (!words.length) return ['configs'];
  const out = new Set<RenderTarget>();
  for (const w of words) {
    if (w === 'all') RENDER_TARGETS.forEach((t) => out.add(t));
    else if ((RENDER_TARGETS as readonly string[]).includes(w)) out.add(w as RenderTarget);
    else
      throw new RenderError(
        `--target: unknown target "${w}" (expected ${RENDER_TARGETS.join(', ')} or all)`,
      );
  }
  return RENDER_TARGETS.filter((t) => out.has(t));
}

export type RenderTargetsOptions = RenderAllOptions &
  GrafanaProvisioningOptions &
  SystemdRenderOptions;

export function renderTargets(
  inv: Inventory,
  targets: readonly RenderTarget[],
  opts: RenderTargetsOptions,
): RenderedFile[] {
  return targets.flatMap((t) => {
    switch (t) {
      case 'configs':
        return renderAll(inv, opts);
      case 'grafana':
        return renderGrafanaProvisioning(inv, opts);
      case 'systemd':
        return renderSystemd(inv, opts);
    }
  });
}
