// okome-sim's command line: help, exit codes and errors that name what was wrong.
import { cli } from './harness';

type Failure = { code: number; stdout: string; stderr: string };
const fail = (args: string[]) =>
  cli(args, 30_000).then(
    () => undefined,
    (e: Failure) => e,
  );

describe('okome-sim CLI', () => {
  it('prints usage for --help and exits 0', async () => {
    const { stdout } = await cli(['--help']);
    expect(stdout).toContain('okome-sim up --inventory FILE|NAME');
    expect(stdout).toContain('down | slow | latency | gpu-oom | gpu-xid | redis-down | partition');
  });

  it('exits 2 naming an unknown command or flag', async () => {
    expect(await fail(['launch'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "launch"'),
    });
    expect(await fail(['up', '--inventroy', 'okome'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--inventroy'),
    });
  });

  it('load refuses targets off loopback and bad flags, naming the flag', async () => {
    expect(
      await fail(['load', '--target', 'http://192.168.86.41:8080', '--model', 'm']),
    ).toMatchObject({ code: 2, stderr: expect.stringContaining('not on loopback') });
    expect(
      await fail([
        'load',
        '--target',
        'http://127.0.0.1:1',
        '--model',
        'm',
        '--mix',
        'chat:1,tea:1',
      ]),
    ).toMatchObject({ code: 2, stderr: expect.stringContaining('--mix: unknown kind "tea"') });
    expect(
      await fail([
        'load',
        '--target',
        'http://127.0.0.1:1',
        '--model',
        'm',
        '--duration',
        'forever',
      ]),
    ).toMatchObject({ code: 2, stderr: expect.stringContaining('--duration') });
  });

  it('up refuses a control address off loopback', async () => {
    expect(
      await fail([
        'up',
        '--inventory',
        'okome',
        '--control-listen',
        '0.0.0.0:9800',
        '--state-dir',
        '/tmp/okome-sim-cli-test',
      ]),
    ).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('--control-listen: 0.0.0.0 is not a loopback address'),
    });
  });

  it('status reports "not running" with exit 3 (and JSON)', async () => {
    expect(await fail(['status', '--state-dir', '/tmp/okome-sim-none', '--json'])).toMatchObject({
      code: 3,
      stdout: expect.stringContaining('"running":false'),
    });
  });
});
