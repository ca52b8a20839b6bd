// Latency budget page in real Grafana: a row per hop with the inventory's budget, and for each
// hop either its p50/p95/p99 or an explicit "no data in this range".
import { PLUGIN_ID, durationSeconds, expect, hopRowId, okomeInventory, test } from './fixtures';

const HOPS = ['ingress', 'cache', 'gateway', 'engine-first-token', 'engine-inter-token'];

test('shows every hop with its budget and its latencies or a no-data note', async ({
  page,
  gotoAppPage,
}) => {
  await gotoAppPage({ pluginId: PLUGIN_ID, path: 'latency-budget' });
  await expect(page.getByTestId('okome-latency-table')).toBeVisible();
  const budgets = new Map(
    (okomeInventory().budgets?.hops ?? []).map((b) => [
      hopRowId(b.hop, b.signal),
      durationSeconds(b.threshold),
    ]),
  );
  expect(budgets.size).toBeGreaterThan(0);
  for (const hop of HOPS) {
    const marker = page.getByTestId(`okome-latency-hop-${hop}`);
    await expect(marker).toBeVisible();
    const cells = page.locator('tr', { has: marker }).locator('td');
    const budget = budgets.get(hop);
    if (budget !== undefined)
      expect(durationSeconds(await cells.nth(1).innerText())).toBeCloseTo(budget, 9);
    await expect(async () => {
      if ((await marker.getAttribute('data-has-data')) === 'true') {
        for (const i of [2, 3, 4]) expect(await cells.nth(i).innerText()).toMatch(/\d (µs|ms|s)/);
      } else {
        await expect(marker).toContainText('no data in this range');
      }
    }).toPass({ timeout: 30_000 });
  }
});
