// Topology page in real Grafana: every OKOME node is drawn with a health state, and the states
// are the controller's, read through the plugin's proxy route (which adds the token server-side).
import { HEALTH_STATES, PLUGIN_ID, expect, okomeInventory, test } from './fixtures';

interface Topology {
  nodes: Array<{ id: string; health: string }>;
}

test('shows every node with the health the controller reports', async ({ page, gotoAppPage }) => {
  const nodes = okomeInventory().nodes.map((n) => n.id);
  expect(nodes.length).toBeGreaterThan(2);
  await gotoAppPage({ pluginId: PLUGIN_ID, path: 'topology' });
  await expect(page.getByTestId('okome-topology-diagram')).toBeVisible();
  for (const id of nodes) {
    await expect(page.getByTestId(`okome-topology-node-health-${id}`)).toHaveText(HEALTH_STATES);
  }
  await expect(async () => {
    const res = await page.request.get(`/api/plugin-proxy/${PLUGIN_ID}/controller/api/v1/topology`);
    expect(res.ok()).toBe(true);
    const topo = (await res.json()) as Topology;
    const shown: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const id of nodes) {
      shown[id] = (await page.getByTestId(`okome-topology-node-health-${id}`).innerText()).trim();
      expected[id] = topo.nodes.find((n) => n.id === id)?.health ?? 'missing';
    }
    expect(shown).toEqual(expected);
  }).toPass({ timeout: 60_000, intervals: [2000] });
});
