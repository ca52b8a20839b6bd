// Which collectors run, node_exporter style: `--[no-]collector.<name>` decides when given;
// otherwise, with an inventory, the node's roles and services decide (fromInventory); without
// one, each collector's defaultEnabled. `--collector.disable-defaults` turns the last two off.
import type { Inventory, InventoryNode } from '@okome/provisioning';
import type { CollectorDefinition } from './collector';
import { resolveOptions } from './flags';
import type { FlagSpec, FlagValue, Options } from './flags';

export interface Selection {
  readonly definition: CollectorDefinition;
  readonly enabled: boolean;
  /** Why it is on or off, for --print-config and the log. */
  readonly reason: string;
  readonly options: Options;
}

export const DISABLE_DEFAULTS_FLAG = 'collector.disable-defaults';

export function enableFlag(name: string): string {
  return `collector.${name}`;
}

/** The `--[no-]collector.<name>` flags for a set of collectors. */
export function enableFlags(defs: readonly CollectorDefinition[]): FlagSpec[] {
  return defs.map((d) => ({
    name: enableFlag(d.name),
    type: 'bool' as const,
    help: `Enable the ${d.name} collector: ${d.help}${d.defaultEnabled ? '' : ' (off without an inventory)'}`,
    default: undefined,
  }));
}

export function selectCollectors(
  defs: readonly CollectorDefinition[],
  given: ReadonlyMap<string, FlagValue>,
  where: { inventory?: Inventory; node?: InventoryNode } = {},
): Selection[] {
  const disableDefaults = given.get(DISABLE_DEFAULTS_FLAG) === true;
  return defs.map((definition) => {
    const derived =
      where.inventory && where.node
        ? definition.fromInventory?.(where.node, where.inventory)
        : undefined;
    const options = resolveOptions(definition.flags, given, derived);
    const forced = given.get(enableFlag(definition.name));
    if (typeof forced === 'boolean')
      return {
        definition,
        options,
        enabled: forced,
        reason: `--${forced ? '' : 'no-'}collector.${definition.name}`,
      };
    if (disableDefaults)
      return { definition, options, enabled: false, reason: `--${DISABLE_DEFAULTS_FLAG}` };
    if (where.node) {
      const on = derived !== undefined;
      return {
        definition,
        options,
        enabled: on,
        reason: on
          ? `node ${where.node.id} has a source for it`
          : `node ${where.node.id} has no source for it`,
      };
    }
    return {
      definition,
      options,
      enabled: definition.defaultEnabled,
      reason: definition.defaultEnabled ? 'enabled by default' : 'disabled by default',
    };
  });
}
