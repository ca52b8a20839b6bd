import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Exporter } from '../../core/exporter';
import { resolveOptions } from '../../core/flags';
import { silentLogger } from '../../core/logger';
import { FIXTURES, fakeTool, sample } from '../../test-support/fixtures';
import { gpuCollector } from './collector';

const U = '5b3e1a7c-8f2d-4c9b-a1e6-3d7f9b2c4e8a';
const MIB = 1024 * 1024;
const nv = (f: string) => join(FIXTURES, 'nvidia-smi', f);

/** Fake nvidia-smi answering --query-gpu and --query-compute-apps from fixtures. */
function fakeNvidiaSmi(gpu: string, apps: string) {
  return fakeTool(`case "$1" in
  --query-gpu=*) cat "${nv(gpu)}" ;;
  --query-compute-apps=*) cat "${nv(apps)}" ;;
  *) echo "unexpected $1" >&2; exit 9 ;;
esac`);
}

async function scrapeWith(
  flags: Record<string, string | string[] | number>,
  timeoutSeconds?: number,
) {
  const options = resolveOptions(gpuCollector.flags, new Map(Object.entries(flags)));
  const exporter = new Exporter({
    collectors: [gpuCollector.create(options, { logger: silentLogger })],
    listen: { host: '127.0.0.1', port: 0 },
    logger: silentLogger,
    processMetrics: false,
    collectorTimeoutMs: 5000,
  });
  await exporter.start();
  try {
    const res = await fetch(`${exporter.url()}/metrics`, {
      headers: timeoutSeconds
        ? { 'X-Prometheus-Scrape-Timeout-Seconds': String(timeoutSeconds) }
        : {},
    });
    return { status: res.status, text: await res.text() };
  } finally {
    await exporter.stop();
  }
}

describe('gpu collector', () => {
  it('exposes nvidia_smi_* per GPU and the arbitration between engines on CORE', async () => {
    const { status, text } = await scrapeWith({
      'gpu.nvidia-smi-path': fakeNvidiaSmi('query-gpu.core30-a100.txt', 'compute-apps.core30.txt'),
      'gpu.budget': [`0:vllm=40960`, `GPU-${U.toUpperCase()}:ollama=15360`, '0:tensorflow=8192'],
      'gpu.procfs': join(FIXTURES, 'procfs'),
    });
    expect(status).toBe(200);
    expect(sample(text, 'gpu_arbiter_up')).toBe(1);
    expect(sample(text, `nvidia_smi_memory_used_bytes{uuid="${U}"}`)).toBe(62147 * MIB);
    expect(sample(text, `nvidia_smi_utilization_gpu_ratio{uuid="${U}"}`)).toBe(0.87);
    expect(sample(text, `nvidia_smi_clocks_current_sm_clock_hz{uuid="${U}"}`)).toBe(1410e6);
    expect(text).not.toContain('nvidia_smi_fan_speed_ratio{');
    expect(text).toContain(
      `nvidia_smi_gpu_info{uuid="${U}",name="NVIDIA A100 80GB PCIe",driver_version="550.54.15",pci_bus_id="00000000:17:00.0",index="0",serial="1324021045566",vbios_version="92.00.25.00.08"} 1`,
    );
    expect(sample(text, `gpu_arbiter_engine_memory_used_bytes{uuid="${U}",engine="vllm"}`)).toBe(
      38912 * MIB,
    );
    // ollama serve + its llama-server child + the python process in ollama.service's cgroup
    expect(sample(text, `gpu_arbiter_engine_memory_used_bytes{uuid="${U}",engine="ollama"}`)).toBe(
      (412 + 14986 + 1024) * MIB,
    );
    expect(sample(text, `gpu_arbiter_engine_processes{uuid="${U}",engine="ollama"}`)).toBe(3);
    expect(
      sample(text, `gpu_arbiter_engine_memory_used_bytes{uuid="${U}",engine="tensorflow"}`),
    ).toBe(6120 * MIB);
    expect(
      sample(text, `gpu_arbiter_engine_memory_budget_bytes{uuid="${U}",engine="ollama"}`),
    ).toBe(15360 * MIB);
    // Ollama holds 16422 MiB against 15360: over budget, ratio > 1.
    expect(
      sample(text, `gpu_arbiter_engine_memory_share_ratio{uuid="${U}",engine="ollama"}`),
    ).toBeCloseTo(16422 / 15360, 6);
    expect(
      sample(text, `gpu_arbiter_engine_memory_share_ratio{uuid="${U}",engine="vllm"}`),
    ).toBeCloseTo(0.95, 6);
    expect(sample(text, `gpu_arbiter_unattributed_memory_bytes{uuid="${U}"}`)).toBe(
      (62147 - 38912 - 16422 - 6120) * MIB,
    );
    expect(text).toContain(
      `gpu_arbiter_process_info{uuid="${U}",pid="7002",engine="unattributed",process_name="/opt/lab/bin/batch, eval,worker"} 1`,
    );
    expect(text).toContain(
      `gpu_arbiter_process_info{uuid="${U}",pid="3858903",engine="vllm",process_name="VLLM::EngineCore"} 1`,
    );
  });

  it('passes promtool check metrics', async () => {
    const { text } = await scrapeWith({
      'gpu.nvidia-smi-path': fakeNvidiaSmi('query-gpu.multi.txt', 'compute-apps.multi.txt'),
      'gpu.budget': ['0:vllm=14336'],
    });
    expect(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })).toBe(
      '',
    );
    expect(text.match(/^nvidia_smi_gpu_info\{/gm)).toHaveLength(3);
    expect(
      sample(
        text,
        'gpu_arbiter_engine_memory_used_bytes{uuid="9e1c2d3a-0000-4a5b-8c7d-112233445566",engine="vllm"}',
      ),
    ).toBe(13990 * MIB);
  });

  it('reports a missing nvidia-smi as gpu_arbiter_up 0 with the error, scrape still 200', async () => {
    const { status, text } = await scrapeWith({ 'gpu.nvidia-smi-path': '/nonexistent/nvidia-smi' });
    expect(status).toBe(200);
    expect(sample(text, 'gpu_arbiter_up')).toBe(0);
    expect(text).toContain(
      'okome_exporter_collector_last_error{collector="gpu",err="/nonexistent/nvidia-smi not found (install it or set --gpu.nvidia-smi-path)"} 1',
    );
    expect(text).not.toContain('nvidia_smi_memory_used_bytes{');
  });

  it('reports a failing GPU (nvidia-smi error, e.g. after an Xid) as down with its message', async () => {
    const tool = fakeTool(
      'echo "Unable to determine the device handle for GPU0000:17:00.0: Unknown Error"; exit 15',
    );
    const { status, text } = await scrapeWith({ 'gpu.nvidia-smi-path': tool });
    expect(status).toBe(200);
    expect(sample(text, 'gpu_arbiter_up')).toBe(0);
    expect(text).toMatch(/err=".*exit code 15: Unable to determine the device handle/);
  });

  it('gives up on a hanging nvidia-smi within the scrape timeout', async () => {
    const started = Date.now();
    const { status, text } = await scrapeWith(
      { 'gpu.nvidia-smi-path': fakeTool('exec sleep 30'), 'gpu.tool-timeout': 1000 },
      1,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(status).toBe(200);
    expect(sample(text, 'gpu_arbiter_up')).toBe(0);
    expect(text).toContain('err="timed out after 0.75s"');
  });

  it('serves the previous output, with its age, when nvidia-smi turns slower than the scrape', async () => {
    const dir = fakeTool('true').replace(/tool$/, '');
    const tool = fakeTool(`if [ -e "${dir}ran" ]; then exec sleep 2; fi
case "$1" in
  --query-gpu=*) cat "${nv('query-gpu.core30-a100.txt')}" ;;
  *) cat "${nv('compute-apps.core30.txt')}"; touch "${dir}ran" ;;
esac`);
    const options = resolveOptions(
      gpuCollector.flags,
      new Map<string, string | number>([
        ['gpu.nvidia-smi-path', tool],
        ['gpu.max-age', 60_000],
        ['gpu.tool-timeout', 3000],
      ]),
    );
    const exporter = new Exporter({
      collectors: [gpuCollector.create(options, { logger: silentLogger })],
      listen: { host: '127.0.0.1', port: 0 },
      logger: silentLogger,
      processMetrics: false,
    });
    await exporter.start();
    try {
      const scrape = async () =>
        (
          await fetch(`${exporter.url()}/metrics`, {
            headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '1' },
          })
        ).text();
      const fresh = await scrape();
      expect(sample(fresh, 'gpu_arbiter_collect_age_seconds')).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
      const stale = await scrape();
      expect(stale).toContain(`okome_exporter_collector_last_error{collector="gpu",err=""} 0`);
      expect(sample(stale, 'gpu_arbiter_up')).toBe(1);
      expect(sample(stale, 'gpu_arbiter_collect_age_seconds')).toBeGreaterThan(0.5);
      expect(sample(stale, `nvidia_smi_memory_used_bytes{uuid="${U}"}`)).toBe(62147 * MIB);
    } finally {
      await exporter.stop();
    }
  });

  it('keeps per-GPU metrics but marks arbitration down when compute-apps fails', async () => {
    const tool = fakeTool(`case "$1" in
  --query-gpu=*) cat "${nv('query-gpu.core30-a100.txt')}" ;;
  *) echo "Insufficient Permissions"; exit 4 ;;
esac`);
    const { text } = await scrapeWith({ 'gpu.nvidia-smi-path': tool });
    expect(sample(text, 'gpu_arbiter_up')).toBe(0);
    expect(sample(text, `nvidia_smi_memory_used_bytes{uuid="${U}"}`)).toBe(62147 * MIB);
  });

  it('reads AMD cards through rocm-smi', async () => {
    const tool = fakeTool(`cat "${join(FIXTURES, 'rocm-smi', 'meminfo-pids.mobile.txt')}"`);
    const { text } = await scrapeWith({
      'gpu.vendor': ['amd'],
      'gpu.rocm-smi-path': tool,
      'gpu.budget': ['0:ollama=6144'],
    });
    expect(sample(text, 'gpu_arbiter_up')).toBe(1);
    expect(sample(text, 'gpu_arbiter_engine_memory_used_bytes{uuid="card0",engine="ollama"}')).toBe(
      5892939776 + 302239744,
    );
    expect(sample(text, 'gpu_arbiter_gpu_memory_total_bytes{uuid="card0",vendor="amd"}')).toBe(
      8573157376,
    );
  });

  it('rejects a malformed budget naming the flag', () => {
    const options = resolveOptions(gpuCollector.flags, new Map([['gpu.budget', ['0:vllm']]]));
    expect(() => gpuCollector.create(options, { logger: silentLogger })).toThrow(
      '--gpu.budget: "0:vllm" is not <gpu index|uuid>:<engine>=<MiB>',
    );
  });
});
