// Deterministic generated text: the same model and prompt give the same answer, so a cached
// answer and a fresh one are comparable and tests can assert on content.
import { createRandom, hashString } from '../util/prng';

const WORDS = (
  'the a of to and in is that for it as with on be by this are from at or an which not have ' +
  'cluster token stream cache latency budget node engine model request gateway ingress route ' +
  'replica shard queue batch prompt answer context memory bandwidth throughput failover drill ' +
  'signal window error rate alert page probe backend upstream sticky session edge core draft ' +
  'speculative decode prefill kernel tensor weight layer attention head vector index search ' +
  'result first next last fast slow stable healthy degraded ready warm cold load save restore ' +
  'because when while after before during between across within without under over into onto'
).split(' ');

/** Rough token count the way engines count prompts: about four characters per token. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

export interface Answer {
  tokens: string[];
  /** Natural length was cut by max_tokens. */
  truncated: boolean;
}

/** The answer a model gives to a prompt: 20–60 tokens, unless maxTokens cuts it. */
export function answerFor(model: string, prompt: string, maxTokens?: number): Answer {
  const random = createRandom(hashString(`${model}\u0000${prompt}`));
  const natural = 20 + Math.floor(random() * 41);
  const limit = maxTokens !== undefined && maxTokens > 0 ? Math.min(natural, maxTokens) : natural;
  const tokens: string[] = [];
  for (let i = 0; i < limit; i++) {
    const word = WORDS[Math.floor(random() * WORDS.length)] as string;
    const end = i === natural - 1 ? '.' : random() < 0.08 ? ',' : '';
    tokens.push(`${i === 0 ? word[0]?.toUpperCase() + word.slice(1) : ` ${word}`}${end}`);
  }
  return { tokens, truncated: limit < natural };
}
