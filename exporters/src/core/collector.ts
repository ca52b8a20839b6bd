// The contract every collector implements (README.md "Collector API"). A collector reads one
// source at scrape time into a fresh prom-client registry; the core runs all of them
// concurrently, each under its own timeout, and turns failures into `*_up 0` plus
// `okome_exporter_collector_last_error` instead of a failed scrape.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Inventory, InventoryNode, Role } from '@okome/provisioning';
import type { FlagSpec, FlagValue, Options } from './flags';
import type { Logger } from './logger';

export interface ScrapeContext {
  /** Aborted when this collector's time is up; pass it to fetch(), execFile(), sockets. */
  readonly signal: AbortSignal;
  /**
   * A registry that lives for this scrape only. Metrics registered here disappear with the
   * scrape, so label sets that vanish from the source vanish from /metrics too.
   */
  readonly registry: Registry;
  /** Milliseconds this collector has (its timeout, capped by the scrape timeout). */
  readonly timeoutMs: number;
  /**
   * Soft failure: keep what was collected, but set the collector's `*_up` to 0 and expose the
   * error. Throwing from collect() is a hard failure: everything registered is dropped.
   */
  fail(err: unknown): void;
}

/** Extra exposition text appended to /metrics, e.g. the OpenTelemetry Prometheus exporter's. */
export interface ExpositionSource {
  /** Appears as `collector` in okome_exporter_collector_* series. */
  readonly name: string;
  /** Overrides the collector timeout for this source. */
  readonly timeoutMs?: number;
  /**
   * Prometheus text format 0.0.4 (HELP/TYPE/samples). The core drops families whose name is
   * already in the exposition and converts to OpenMetrics when the scraper asks for it.
   */
  render(signal: AbortSignal): Promise<string>;
}

/** An extra HTTP endpoint served by the exporter, e.g. `/scrape` or `/probe`. */
export interface HttpRoute {
  readonly path: string;
  /** One line for the landing page. */
  readonly help?: string;
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void | Promise<void>;
}

export interface Collector {
  readonly name: string;
  /** The source's up gauge; the core emits it: 1 after a clean collect(), else 0. */
  readonly up?: { readonly name: string; readonly help: string };
  collect(ctx: ScrapeContext): Promise<void>;
  /** Long-lived instrumentation (e.g. tap counters), rendered on every scrape. */
  readonly registry?: Registry;
  /** Extra text sources rendered on every scrape, each under its own timeout. */
  readonly sources?: readonly ExpositionSource[];
  readonly routes?: readonly HttpRoute[];
  /** Called before the exporter reports ready (e.g. to open a tap listener). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Lines for the landing page (targets, tap addresses). */
  describe?(): string[];
}

export interface CollectorEnv {
  readonly logger: Logger;
  readonly inventory?: Inventory;
  readonly node?: InventoryNode;
}

/**
 * A collector kind, registered once (src/collectors/index.ts). It owns its flags; the core adds
 * `--[no-]collector.<name>` for it.
 */
export interface CollectorDefinition {
  readonly name: string;
  /** One line for --help and the landing page. */
  readonly help: string;
  /** Enabled without an inventory when no --[no-]collector.<name> is given. */
  readonly defaultEnabled: boolean;
  /** Node roles this collector usually serves (documentation; selection uses fromInventory). */
  readonly roles: readonly Role[];
  readonly flags: readonly FlagSpec[];
  /**
   * With --inventory: option values derived from the node (flag name → value), or undefined
   * when this node has nothing for the collector (then it is off unless forced by flag).
   */
  fromInventory?(node: InventoryNode, inventory: Inventory): Map<string, FlagValue> | undefined;
  create(options: Options, env: CollectorEnv): Collector;
}
