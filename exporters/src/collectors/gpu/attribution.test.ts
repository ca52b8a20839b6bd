import { join } from 'node:path';
import { FIXTURES } from '../../test-support/fixtures';
import { attribute, readProc } from './attribution';

const procfs = join(FIXTURES, 'procfs');

describe('attribute', () => {
  it('recognizes engines by process name', () => {
    const o = { overrides: [] };
    expect(attribute(1, 'VLLM::EngineCore', o)).toEqual({ engine: 'vllm', via: 'name' });
    expect(attribute(1, 'python3 -m vllm.entrypoints.openai.api_server', o).engine).toBe('vllm');
    expect(attribute(1, '/usr/lib/ollama/llama-server', o).engine).toBe('ollama');
    expect(attribute(1, 'ollama runner', o).engine).toBe('ollama');
    expect(attribute(1, 'tensorflow_model_server', o).engine).toBe('tensorflow');
    expect(attribute(1, 'python3', o)).toEqual({});
  });

  it('recognizes the names rocm-smi prints: lower-cased comm cut to 15 characters', () => {
    const o = { overrides: [] };
    // VLLM::EngineCore's comm, as rocm-smi --json prints it
    expect(attribute(1, 'vllm::enginecor', o).engine).toBe('vllm');
    // a name cut to 15 characters, as recorded in ROCm/rocm-systems#4405
    expect(attribute(1, 'llama-server-du', o).engine).toBe('ollama');
    expect(attribute(1, 'pt_main_thread', o)).toEqual({});
  });

  it('lets inventory overrides win over the built-in rules', () => {
    const overrides = [{ engine: 'tensorflow' as const, patterns: ['VLLM::'] }];
    expect(attribute(1, 'VLLM::EngineCore', { overrides })).toEqual({
      engine: 'tensorflow',
      via: 'override',
    });
  });

  it('walks to the parent and the cgroup when the name says nothing', () => {
    expect(attribute(5120, 'python3', { overrides: [], procfs })).toEqual({
      engine: 'tensorflow',
      via: 'parent',
    });
    expect(attribute(6002, 'python3', { overrides: [], procfs })).toEqual({
      engine: 'ollama',
      via: 'cgroup',
    });
    expect(attribute(9999, 'python3', { overrides: [], procfs })).toEqual({});
  });

  it('reads comm with spaces and parentheses from stat', () => {
    expect(readProc(procfs, 6002)).toMatchObject({
      comm: 'python3 (x)',
      ppid: 1,
      cmdline: 'python3 embed.py',
    });
  });
});
