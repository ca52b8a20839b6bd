// JSON Schema of okome-slo/v1 for editors (`okome-slo schema > slo-spec.schema.json`); the
// reader in own.ts is the authority, a test keeps the shipped file in sync with this.
import { SPEC_VERSION } from '../conventions';

const labels = {
  type: 'object',
  additionalProperties: { type: 'string' },
  propertyNames: { pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$' },
};
const name = { type: 'string', pattern: '^[a-z0-9]([a-z0-9_.-]*[a-z0-9])?$' };
const duration = { type: 'string', pattern: '^(\\d+(ms|s|m|h|d|w|y))+$' };
const selector = {
  type: 'string',
  description: 'Plain vector selector, e.g. llm_requests_total{hop="engine"}',
};

export const SPEC_JSON_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://okome.local/schemas/okome-slo-v1.json',
  title: 'okome-slo SLO spec',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'cluster', 'slos'],
  properties: {
    $schema: { type: 'string' },
    version: { const: SPEC_VERSION },
    cluster: {
      ...name,
      description: 'Inventory cluster name; every SLI selector is pinned to cluster="<this>"',
    },
    service: { ...name, description: 'Default service of the SLOs below' },
    period: { ...duration, description: 'Default SLO period (28d)' },
    labels: { ...labels, description: 'Added to every series and alert' },
    runbookBaseUrl: {
      type: 'string',
      description: 'Runbook of an SLO without one: <base>/slo/<name>',
    },
    slos: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'objective', 'sli'],
        properties: {
          name,
          service: name,
          hop: {
            type: 'string',
            description: 'Hop on the token path: ingress, cache, gateway, engine',
          },
          description: { type: 'string' },
          objective: {
            type: 'number',
            exclusiveMinimum: 0,
            exclusiveMaximum: 100,
            description: 'Percent, e.g. 99.9',
          },
          period: duration,
          labels,
          runbook: { type: 'string', description: 'Runbook URL (annotation runbook_url)' },
          sli: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            maxProperties: 1,
            properties: {
              events: {
                type: 'object',
                additionalProperties: false,
                required: ['total'],
                oneOf: [{ required: ['bad'] }, { required: ['good'] }],
                properties: { bad: selector, good: selector, total: selector },
              },
              latency: {
                type: 'object',
                additionalProperties: false,
                required: ['histogram', 'threshold'],
                properties: {
                  histogram: {
                    ...selector,
                    description: 'Classic histogram base name with matchers (no le)',
                  },
                  threshold: {
                    oneOf: [{ type: 'number', exclusiveMinimum: 0 }, duration],
                    description: 'Seconds or a duration; must be a bucket boundary',
                  },
                },
              },
              threshold: {
                type: 'object',
                additionalProperties: false,
                required: ['query', 'op', 'value'],
                properties: {
                  query: {
                    type: 'string',
                    description: 'PromQL; its worst series is compared each time slice',
                  },
                  op: { enum: ['gte', 'gt', 'lte', 'lt'] },
                  value: { type: 'number' },
                },
              },
            },
          },
          alerting: {
            type: 'object',
            additionalProperties: false,
            properties: {
              pageLabels: labels,
              ticketLabels: labels,
              missingData: { type: 'boolean', default: true },
              minEvents: {
                type: 'integer',
                minimum: 0,
                description:
                  'Events a long window needs before a tier may fire; 0 = off; default derived',
              },
            },
          },
        },
      },
    },
  },
} as const;
