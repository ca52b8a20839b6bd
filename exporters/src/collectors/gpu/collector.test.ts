import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Exporter } from '../../core/exporter';
import { resolveOptions } from '../../core/flags';
import { silentLogger } from '../../core/logger';
import { FIXTURES, fakeTool, fixture, sample } from '../../test-support/fixtures';
import { gpuCollector } from './collector';

const U = '5b3e1a7c-8f2d-4c9b-a1e6-3d7f9b2c4e8a';
const MIB = 1024 * 1024;
const nv = (f: string) => join(FIXTURES, 'nvidia-smi', f);

/**
 * Fake nvidia-smi answering --query-gpu and --query-compute-apps from fixtures (recorded ones
 * without their `#` provenance lines).
 */
function fakeNvidiaSmi(gpu: string, apps: string) {
  return fakeTool(`case "$1" in
  --query-gpu=*) grep -v '^#' "${nv(gpu)}" ;;
  --query-compute-apps=*) grep -v '^#' "${nv(apps)}" ;;
  *) echo "unexpected $1" >&2; exit 9 ;;
esac`);
}

/** A file holding `text`, for a fake tool to print. */
function textFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'okome-gpu-out-')), 'out');
  writeFileSync(path, text);
  return path;
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

  describe('on a real 8 x H200 recording', () => {
    const H = {
      g0: 'a44622e3-2296-6285-0a86-84d0f6c67900',
      g2: '4e9e74b7-4977-f04d-3af3-ccfe5f570e90',
      g3: '02dbe542-8a6f-11a4-7c2a-486b7d4e9092',
      g4: 'cb449822-5571-be90-8303-e7558da3ea66',
      g7: '28780eb0-24d5-1f13-59b8-ae5c23617a72',
    };
    // The python3.10 processes are the engine here (an inventory processMatch); the python3 ones
    // match nothing and [Not Found] (a pid from another namespace) has no name at all.
    const flags = (state: 'busy' | 'released') => ({
      'gpu.nvidia-smi-path': fakeNvidiaSmi(
        `query-gpu.h200x8-${state}.recorded.txt`,
        `compute-apps.h200x8-${state}.recorded.txt`,
      ),
      'gpu.engine-match': ['vllm=/usr/local/bin/python3.10'],
      'gpu.budget': [`GPU-${H.g0}:vllm=131072`],
      'gpu.procfs': '',
    });

    it('counts each process on its own GPU, per engine', async () => {
      const { text } = await scrapeWith(flags('busy'));
      expect(
        execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' }),
      ).toBe('');
      expect(sample(text, 'gpu_arbiter_up')).toBe(1);
      expect(text.match(/^nvidia_smi_gpu_info\{/gm)).toHaveLength(8);
      expect(sample(text, `nvidia_smi_memory_used_bytes{uuid="${H.g0}"}`)).toBe(130013 * MIB);
      expect(sample(text, `nvidia_smi_memory_total_bytes{uuid="${H.g0}"}`)).toBe(143771 * MIB);
      expect(sample(text, `nvidia_smi_utilization_gpu_ratio{uuid="${H.g7}"}`)).toBe(0);
      const used = (uuid: string) =>
        sample(text, `gpu_arbiter_engine_memory_used_bytes{uuid="${uuid}",engine="vllm"}`);
      expect(used(H.g0)).toBe(130004 * MIB);
      expect(used(H.g3)).toBe(129984 * MIB);
      expect(used(H.g2)).toBeUndefined();
      expect(
        sample(text, `gpu_arbiter_engine_memory_share_ratio{uuid="${H.g0}",engine="vllm"}`),
      ).toBeCloseTo(130004 / 131072, 6);
      expect(sample(text, `gpu_arbiter_unattributed_memory_bytes{uuid="${H.g0}"}`)).toBe(9 * MIB);
      expect(sample(text, `gpu_arbiter_unattributed_memory_bytes{uuid="${H.g2}"}`)).toBe(
        105851 * MIB,
      );
      expect(text).toContain(
        `gpu_arbiter_process_info{uuid="${H.g2}",pid="1425258",engine="unattributed",process_name="python3"} 1`,
      );
      expect(text).toContain(
        `gpu_arbiter_process_info{uuid="${H.g7}",pid="1758887",engine="unattributed",process_name=""} 1`,
      );
      expect(text.match(/^gpu_arbiter_process_info\{/gm)).toHaveLength(8);
    });

    it('after the python3 jobs ended, their GPUs hold only unattributed memory', async () => {
      const { text } = await scrapeWith(flags('released'));
      expect(sample(text, `nvidia_smi_memory_used_bytes{uuid="${H.g4}"}`)).toBe(244 * MIB);
      expect(sample(text, `gpu_arbiter_unattributed_memory_bytes{uuid="${H.g4}"}`)).toBe(244 * MIB);
      expect(text).not.toContain(`gpu_arbiter_process_info{uuid="${H.g4}"`);
      expect(text.match(/^gpu_arbiter_process_info\{/gm)).toHaveLength(4);
    });
  });

  it('keeps Windows process paths with spaces and parentheses, memory unknown under WDDM', async () => {
    const { text } = await scrapeWith({
      'gpu.nvidia-smi-path': fakeNvidiaSmi(
        'query-gpu.h100-load.recorded.txt',
        'compute-apps.rtx2080s-windows-load.recorded.txt',
      ),
      'gpu.procfs': '',
    });
    // Both recordings come from masked captures: the same all-zero UUID, so the apps land on it.
    const Z = '00000000-0000-0000-0000-000000000000';
    expect(text).toContain(
      `gpu_arbiter_process_info{uuid="${Z}",pid="23988",engine="unattributed",process_name="C:\\\\Program Files (x86)\\\\Microsoft\\\\Edge\\\\Application\\\\msedge.exe"} 1`,
    );
    expect(text.match(/^gpu_arbiter_process_info\{/gm)).toHaveLength(21);
    // [N/A] per-process memory: everything the GPU uses stays unattributed.
    expect(sample(text, `gpu_arbiter_unattributed_memory_bytes{uuid="${Z}"}`)).toBe(19818 * MIB);
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

  it('reads a real MI300X: card memory and the llama-server process as Ollama', async () => {
    const doc = JSON.stringify({
      ...JSON.parse(fixture('rocm-smi', 'meminfo-vram.mi300x.recorded.json')),
      ...JSON.parse(fixture('rocm-smi', 'showpids.mi300x-llama-server.recorded.json')),
    });
    const { text } = await scrapeWith({
      'gpu.vendor': ['amd'],
      'gpu.rocm-smi-path': fakeTool(`cat "${textFile(doc)}"`),
      'gpu.procfs': '',
    });
    expect(sample(text, 'gpu_arbiter_up')).toBe(1);
    expect(sample(text, 'gpu_arbiter_gpu_memory_total_bytes{uuid="card0",vendor="amd"}')).toBe(
      205822885888,
    );
    expect(sample(text, 'gpu_arbiter_gpu_memory_used_bytes{uuid="card0",vendor="amd"}')).toBe(
      2654650368,
    );
    expect(sample(text, 'gpu_arbiter_engine_memory_used_bytes{uuid="card0",engine="ollama"}')).toBe(
      2353860608,
    );
    expect(sample(text, 'gpu_arbiter_unattributed_memory_bytes{uuid="card0"}')).toBe(
      2654650368 - 2353860608,
    );
    expect(text).toContain(
      'gpu_arbiter_process_info{uuid="card0",pid="28389",engine="ollama",process_name="llama-server"} 1',
    );
  });

  it('uses the JSON an old rocm-smi prints before exiting non-zero, not a bare failure', async () => {
    const rx = join(FIXTURES, 'rocm-smi', 'productname-use-meminfo-vram.rx7900xt.recorded.json');
    const ok = await scrapeWith({
      'gpu.vendor': ['amd'],
      'gpu.rocm-smi-path': fakeTool(`cat "${rx}"; exit 2`),
    });
    expect(sample(ok.text, 'gpu_arbiter_up')).toBe(1);
    expect(sample(ok.text, 'gpu_arbiter_gpu_memory_total_bytes{uuid="card0",vendor="amd"}')).toBe(
      21458059264,
    );
    const failed = await scrapeWith({
      'gpu.vendor': ['amd'],
      'gpu.rocm-smi-path': fakeTool('echo "ERROR: No DRM devices available. Exiting"; exit 1'),
    });
    expect(sample(failed.text, 'gpu_arbiter_up')).toBe(0);
    expect(failed.text).toMatch(/err=".*exit code 1: ERROR: No DRM devices available/);
  });

  it('rejects a malformed budget naming the flag', () => {
    const options = resolveOptions(gpuCollector.flags, new Map([['gpu.budget', ['0:vllm']]]));
    expect(() => gpuCollector.create(options, { logger: silentLogger })).toThrow(
      '--gpu.budget: "0:vllm" is not <gpu index|uuid>:<engine>=<MiB>',
    );
  });
});
