// The probe collector: only an HTTP route (/probe); it has no /metrics part of its own.
import type { Collector, CollectorDefinition } from '../core/collector';
import type { Options } from '../core/flags';
import { scrapeDeadlineMs } from '../http/server';
import { parseProbeQuery, ProbeRequestError, runProbe } from './probe';
import { TargetError } from '../collectors/redis/target';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Services that Prometheus's probe jobs probe (module openai, ollama, redis). */
const PROBED_KINDS = new Set<string>(['vllm', 'ollama', 'redis']);

export const probeCollector: CollectorDefinition = {
  name: 'probe',
  help: 'Synthetic probes, blackbox_exporter style: /probe?target=&module=ollama|openai|redis',
  defaultEnabled: true,
  roles: ['observability'],
  // Probes keep first-token SLIs on an idle cluster. Prometheus's probe jobs ask the probed
  // node's own exporter (observability nodes may run none), so nodes that serve an engine or a
  // cache run it too; on observability nodes it serves ad-hoc probes.
  fromInventory: (node) =>
    node.roles.includes('observability') || node.services.some((s) => PROBED_KINDS.has(s.kind))
      ? new Map()
      : undefined,
  flags: [
    {
      name: 'probe.timeout',
      type: 'duration',
      help: 'Probe timeout without a Prometheus scrape-timeout header.',
      default: '10s',
    },
    {
      name: 'probe.timeout-offset',
      type: 'duration',
      help: 'Subtracted from X-Prometheus-Scrape-Timeout-Seconds.',
      default: '500ms',
    },
  ],
  create(options: Options): Collector {
    const fallback = options.duration('probe.timeout') ?? 10_000;
    const offset = options.duration('probe.timeout-offset') ?? 500;
    return {
      name: 'probe',
      async collect() {},
      routes: [
        {
          path: '/probe',
          help: 'synthetic LLM/Redis probe: /probe?target=URL&module=ollama|openai|redis[&model=]',
          async handle(req, res, url) {
            let params;
            try {
              params = parseProbeQuery(url.searchParams);
            } catch (err) {
              if (!(err instanceof ProbeRequestError || err instanceof TargetError)) throw err;
              const body = `${err.message}\n`;
              res.writeHead(400, {
                'Content-Type': 'text/plain; charset=utf-8',
                'Content-Length': Buffer.byteLength(body),
              });
              res.end(body);
              return;
            }
            const timeout = scrapeDeadlineMs(req, offset) ?? fallback;
            const out = await runProbe(params, timeout);
            res.writeHead(200, {
              'Content-Type': CONTENT_TYPE,
              'Content-Length': Buffer.byteLength(out.text),
            });
            res.end(out.text);
          },
        },
      ],
    };
  },
};
