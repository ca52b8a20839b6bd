/**
 * @jest-environment node
 */
// Links from the topology must land on dashboards the plugin really bundles.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_DASHBOARDS, nodeDashboardLinks } from './constants';

const dir = join(__dirname, '..', '..', 'dashboards');
const dashboards = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map(
    (f) =>
      JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        uid: string;
        templating?: { list?: Array<{ name: string }> };
      },
  );

describe('node dashboard links', () => {
  it.each(NODE_DASHBOARDS.map((d) => [d.uid]))('%s is bundled and has a node variable', (uid) => {
    const d = dashboards.find((x) => x.uid === uid);
    expect(d).toBeDefined();
    expect(d?.templating?.list?.map((v) => v.name)).toContain('node');
  });

  it('links a cache node to the cache dashboard, not the GPU one', () => {
    const links = nodeDashboardLinks('NODE-03', ['cache', 'stream'], 'now-15m', 'now');
    expect(links.map((l) => l.title)).toContain('Redis edge cache');
    expect(links.map((l) => l.title)).not.toContain('GPU arbitration');
    expect(links[0]?.url).toBe('/d/okome-sre-overview?var-node=NODE-03&from=now-15m&to=now');
  });
});
