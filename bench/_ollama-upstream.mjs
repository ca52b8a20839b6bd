#!/usr/bin/env node
// Ollama stand-in for bench/ollama.mjs, in its own process so the client's reads never wait
// behind the upstream's writes: the fake Ollama of the exporter tests, paced or unpaced.
// usage: node bench/_ollama-upstream.mjs <tokens/s per stream | inf> [tokens per response]
// Prints the base URL on stdout once listening.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const { startFakeOllama } = require(join(root, 'exporters/dist/test-support/fake-ollama.js'));

const [rate = 'inf', tokens] = process.argv.slice(2);
const server = await startFakeOllama({
  tokensPerSecond: rate === 'inf' ? Infinity : Number(rate),
  ...(tokens ? { tokens: Number(tokens) } : {}),
  stamp: true,
});
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
