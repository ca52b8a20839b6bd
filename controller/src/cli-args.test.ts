import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors';
import { parseControllerArgs, parseListen, parseRateLimit } from './cli-args';
import { tempDir } from './testing/fixtures';

let tmp: ReturnType<typeof tempDir>;
let token: string;
beforeEach(() => {
  tmp = tempDir();
  token = join(tmp.dir, 'token');
  writeFileSync(token, 'a-token-of-enough-length\n', { mode: 0o600 });
});
afterEach(() => tmp.cleanup());

const base = () => ['--inventory', 'okome', '--state-dir', tmp.dir, '--token-file', token];

describe('okome-controller flags', () => {
  it('takes the stack’s command line', () => {
    const a = parseControllerArgs([
      ...base(),
      '--listen',
      '127.0.86.49:9700',
      '--prometheus',
      'http://127.0.86.49:9090/',
      '--alertmanager',
      'http://127.0.86.49:9093',
      '--alertmanager',
      'http://127.0.86.50:9093',
      '--hold-down',
      '1s',
    ]);
    expect(a).toMatchObject({
      host: '127.0.86.49',
      port: 9700,
      token: 'a-token-of-enough-length',
      prometheus: 'http://127.0.86.49:9090',
      alertmanagers: ['http://127.0.86.49:9093', 'http://127.0.86.50:9093'],
      holdDownMs: 1000,
      // The default rate limit scales with the hold-down: 10 changes per 10 hold-downs.
      rateLimitCount: 10,
      rateLimitWindowMs: 10_000,
      dryRun: false,
    });
    expect(parseControllerArgs(['--help'])).toBeUndefined();
  });

  it('names the flag that is wrong', () => {
    const cases: [string[], RegExp][] = [
      [['--state-dir', tmp.dir, '--token-file', token], /--inventory is required/],
      [[...base(), '--listen', 'nowhere'], /--listen: expected \[host\]:port/],
      [[...base(), '--hold-down', '5x'], /--hold-down: not a duration/],
      [[...base(), '--rate-limit', 'ten'], /--rate-limit: expected N\/DURATION/],
      [[...base(), '--prometheus', 'ftp://x'], /--prometheus: not an http\(s\) URL/],
      [[...base(), '--min-healthy-percent', '120'], /--min-healthy-percent: expected 0–100/],
      [[...base(), '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [argv, re] of cases) {
      expect(() => parseControllerArgs(argv)).toThrow(ConfigError);
      expect(() => parseControllerArgs(argv)).toThrow(re);
    }
    writeFileSync(token, 'short\n');
    expect(() => parseControllerArgs(base())).toThrow(/holds no token of at least 16 characters/);
  });

  it('parses listen addresses and explicit rate limits', () => {
    expect(parseListen(':9700')).toEqual({ host: '0.0.0.0', port: 9700 });
    expect(parseRateLimit('3/1m', 60_000)).toEqual({
      rateLimitCount: 3,
      rateLimitWindowMs: 60_000,
    });
    expect(parseRateLimit(undefined, 60_000)).toEqual({
      rateLimitCount: 10,
      rateLimitWindowMs: 600_000,
    });
  });
});
