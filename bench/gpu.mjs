// GPU collector cost: okome-exporter (a real process) with 8 GPUs × 40 compute processes from
// a fake nvidia-smi that prints recorded-shape output. Reports /metrics time (p50/p99) and the
// exporter's RSS; anchor: running the fake nvidia-smi's two queries directly, the floor any
// nvidia-smi based exporter pays per scrape.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startChild, summarize, fmt, report } from './_support.mjs';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const CLI = join(ROOT, 'exporters/dist/cli.js');
const json = process.argv.includes('--json');
const GPUS = 8;
const PROCS_PER_GPU = 40;
const SCRAPES = 60;
const NAMES = [
  'VLLM::EngineCore',
  '/usr/lib/ollama/llama-server',
  '/usr/bin/tensorflow_model_server',
  'python3',
];

const dir = mkdtempSync(join(tmpdir(), 'okome-bench-gpu-'));
const uuid = (g) =>
  `GPU-${String(g).padStart(8, '0')}-0000-4000-8000-${String(g).padStart(12, '0')}`;
const gpuLines = Array.from(
  { length: GPUS },
  (_, g) =>
    `${g}, ${uuid(g)}, NVIDIA A100 80GB PCIe, 550.54.15, 00000000:${(0x17 + g).toString(16)}:00.0, 13240210455${g}, 92.00.25.00.08, 81920, ${40000 + g * 100}, ${41920 - g * 100}, ${50 + g}, ${30 + g}, ${60 + g}, ${200 + g}.5, 300.00, 1410, P0, [N/A]`,
).join('\n');
const appLines = [];
for (let g = 0; g < GPUS; g++)
  for (let p = 0; p < PROCS_PER_GPU; p++)
    appLines.push(`${100000 + g * 1000 + p}, ${NAMES[p % NAMES.length]}, ${900 + p}, ${uuid(g)}`);
writeFileSync(join(dir, 'gpu.txt'), gpuLines + '\n');
writeFileSync(join(dir, 'apps.txt'), appLines.join('\n') + '\n');
const tool = join(dir, 'nvidia-smi');
writeFileSync(
  tool,
  `#!/bin/sh\ncase "$1" in\n  --query-gpu=*) cat "${dir}/gpu.txt" ;;\n  *) cat "${dir}/apps.txt" ;;\nesac\n`,
);
chmodSync(tool, 0o755);

const budgets = [];
for (let g = 0; g < GPUS; g++)
  budgets.push(
    `--gpu.budget=${g}:vllm=40960`,
    `--gpu.budget=${g}:ollama=30720`,
    `--gpu.budget=${g}:tensorflow=8192`,
  );

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const exp = await startChild(
  CLI,
  [
    '--collector.disable-defaults',
    '--collector.gpu',
    `--gpu.nvidia-smi-path=${tool}`,
    '--gpu.procfs=',
    ...budgets,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ],
  `${base}/-/ready`,
);
try {
  const rssIdle = exp.rssBytes();
  const times = [];
  let bytes = 0;
  let series = 0;
  for (let i = 0; i < SCRAPES + 5; i++) {
    const t0 = performance.now();
    const text = await (await fetch(`${base}/metrics`)).text();
    const ms = performance.now() - t0;
    if (i >= 5) times.push(ms);
    bytes = text.length;
    series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    if (!/^gpu_arbiter_up 1$/m.test(text))
      throw new Error('gpu_arbiter_up is not 1: the fake tool failed');
  }
  const rssAfter = exp.rssBytes();
  const toolTimes = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    execFileSync(tool, ['--query-gpu=x']);
    execFileSync(tool, ['--query-compute-apps=x']);
    toolTimes.push(performance.now() - t0);
  }
  const s = summarize(times);
  const t = summarize(toolTimes);
  console.log(
    `${GPUS} GPUs × ${PROCS_PER_GPU} processes: ${series} samples, ${fmt(bytes / 1024, 1)} KiB per scrape, ${SCRAPES} scrapes`,
  );
  console.log(
    `  /metrics        p50 ${fmt(s.p50, 1)} ms  p99 ${fmt(s.p99, 1)} ms  max ${fmt(s.max, 1)} ms`,
  );
  console.log(
    `  tool floor      p50 ${fmt(t.p50, 1)} ms (two nvidia-smi queries run back to back)`,
  );
  console.log(`  ratio           /metrics p50 ÷ tool floor p50 = ${fmt(s.p50 / t.p50, 2)}`);
  console.log(
    `  exporter RSS    ${fmt(rssIdle / 1048576, 1)} MiB at start, ${fmt(rssAfter / 1048576, 1)} MiB after ${SCRAPES} scrapes`,
  );
  report(json, {
    bench: 'gpu',
    gpus: GPUS,
    processesPerGpu: PROCS_PER_GPU,
    samples: series,
    metricsMs: s,
    toolFloorMs: t,
    rssBytes: { start: rssIdle, after: rssAfter },
  });
} finally {
  await exp.stop();
  rmSync(dir, { recursive: true, force: true });
}
