import {
  FlagError,
  envName,
  formatFlagHelp,
  parseArgs,
  parseDuration,
  resolveOptions,
} from './flags';
import type { FlagSpec } from './flags';

const specs: FlagSpec[] = [
  { name: 'web.listen-address', type: 'string', help: 'Address.', default: ':9464' },
  { name: 'collector.gpu', type: 'bool', help: 'GPU.' },
  { name: 'collector.timeout', type: 'duration', help: 'Timeout.', default: '9s' },
  { name: 'gpu.budget', type: 'list', help: 'Budgets.' },
  { name: 'web.max-requests', type: 'number', help: 'Max.', default: 40 },
];

describe('flags', () => {
  it('reads --name=value, --name value, --no-bool and repeated lists', () => {
    const { given } = parseArgs(
      [
        '--web.listen-address',
        '127.0.0.1:1',
        '--no-collector.gpu',
        '--gpu.budget=0:vllm=1',
        '--gpu.budget',
        '0:ollama=2',
      ],
      specs,
      {},
    );
    const o = resolveOptions(specs, given);
    expect(o.string('web.listen-address')).toBe('127.0.0.1:1');
    expect(given.get('collector.gpu')).toBe(false);
    expect(o.list('gpu.budget')).toEqual(['0:vllm=1', '0:ollama=2']);
    expect(o.duration('collector.timeout')).toBe(9000);
    expect(o.number('web.max-requests')).toBe(40);
  });

  it('takes defaults from OKOME_EXPORTER_* env, and the command line wins', () => {
    expect(envName('web.listen-address')).toBe('OKOME_EXPORTER_WEB_LISTEN_ADDRESS');
    const env = {
      OKOME_EXPORTER_WEB_LISTEN_ADDRESS: ':1',
      OKOME_EXPORTER_COLLECTOR_TIMEOUT: '250ms',
    };
    const fromEnv = resolveOptions(specs, parseArgs([], specs, env).given);
    expect(fromEnv.string('web.listen-address')).toBe(':1');
    expect(fromEnv.duration('collector.timeout')).toBe(250);
    const both = resolveOptions(specs, parseArgs(['--web.listen-address=:2'], specs, env).given);
    expect(both.string('web.listen-address')).toBe(':2');
  });

  it('prefers given values over inventory-derived ones over defaults', () => {
    const derived = new Map([['web.listen-address', '127.0.86.30:9464']]);
    expect(resolveOptions(specs, new Map(), derived).string('web.listen-address')).toBe(
      '127.0.86.30:9464',
    );
    expect(
      resolveOptions(specs, new Map([['web.listen-address', ':3']]), derived).string(
        'web.listen-address',
      ),
    ).toBe(':3');
  });

  it('names the flag and the bad value', () => {
    expect(() => parseArgs(['--collector.timeout=soon'], specs, {})).toThrow(
      '--collector.timeout: not a duration: "soon"',
    );
    expect(() => parseArgs(['--web.max-requests=many'], specs, {})).toThrow(
      '--web.max-requests: expected a number, got "many"',
    );
    expect(() => parseArgs(['--colector.gpu'], specs, {})).toThrow(FlagError);
    expect(() => parseArgs(['--colector.gpu'], specs, {})).toThrow('unknown flag --colector.gpu');
    expect(() => parseArgs([], specs, { OKOME_EXPORTER_COLLECTOR_GPU: 'maybe' })).toThrow(
      'OKOME_EXPORTER_COLLECTOR_GPU: expected true or false, got "maybe"',
    );
    expect(() => parseArgs(['--web.listen-address'], specs, {})).toThrow(
      '--web.listen-address: missing value',
    );
  });

  it('parses Prometheus durations', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2')).toBe(2000);
  });

  it('documents every flag with its env var', () => {
    const help = formatFlagHelp(specs);
    expect(help).toContain('--[no-]collector.gpu');
    expect(help).toContain('--web.listen-address=STRING');
    expect(help).toContain('(default :9464) [env OKOME_EXPORTER_WEB_LISTEN_ADDRESS]');
  });
});
