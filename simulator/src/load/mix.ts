// The request mix of a load run, e.g. `chat:0.7,cached:0.3`.

export const MIX_KINDS = ['chat', 'cached', 'generate'] as const;
export type MixKind = (typeof MIX_KINDS)[number];
export type Mix = Array<{ kind: MixKind; weight: number }>;

/** Parses and normalises a mix; throws naming the bad part. */
export function parseMix(text: string): Mix {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) throw new Error('--mix: empty (expected e.g. chat:0.7,cached:0.3)');
  const mix: Mix = [];
  for (const part of parts) {
    const [kind, w = '1', extra] = part.split(':');
    if (extra !== undefined) throw new Error(`--mix: "${part}" has more than one ":"`);
    if (!(MIX_KINDS as readonly string[]).includes(kind as string))
      throw new Error(`--mix: unknown kind "${kind}" (expected ${MIX_KINDS.join(', ')})`);
    const weight = Number(w);
    if (!Number.isFinite(weight) || weight < 0)
      throw new Error(`--mix: weight of "${kind}" must be a number ≥ 0, got "${w}"`);
    if (mix.some((m) => m.kind === kind)) throw new Error(`--mix: "${kind}" given twice`);
    mix.push({ kind: kind as MixKind, weight });
  }
  const total = mix.reduce((s, m) => s + m.weight, 0);
  if (total <= 0) throw new Error('--mix: weights add up to 0');
  return mix.map((m) => ({ ...m, weight: m.weight / total }));
}

/** Picks a kind for a uniform random number in [0, 1). */
export function pickKind(mix: Mix, r: number): MixKind {
  let acc = 0;
  for (const m of mix) {
    acc += m.weight;
    if (r < acc) return m.kind;
  }
  return (mix[mix.length - 1] as Mix[number]).kind;
}

/** A small fixed set of prompts repeated by `cached` requests, so caches see repeats. */
export const CACHED_PROMPTS = [
  'What is the capital of Japan?',
  'Summarise the OKOME latency budget per hop.',
  'Explain sticky sessions in one sentence.',
  'Which node serves the first token?',
  'List three causes of GPU memory pressure.',
  'What does a failover drill check?',
  'Define time to first token.',
  'Why keep the gateway out of the token path?',
];

export function uniquePrompt(i: number, runId: string): string {
  return `Request ${i} of load run ${runId}: describe the state of the cluster in a few words.`;
}
