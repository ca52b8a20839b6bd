// Config page in real Grafana: the datasource, the controller URL and the token save through
// Grafana's plugin settings API, both connection checks pass, and the token is never sent back.
import { PLUGIN_ID, controllerToken, expect, recordResponses, test } from './fixtures';

interface Settings {
  jsonData?: { prometheusUid?: string; controllerUrl?: string };
  secureJsonFields?: Record<string, boolean>;
  secureJsonData?: unknown;
}

test('saves datasource, controller URL and token; the token never reaches the browser', async ({
  page,
  gotoAppConfigPage,
}) => {
  const token = controllerToken();
  expect(token.length).toBeGreaterThanOrEqual(16);
  const received = recordResponses(page);
  // What the stack was provisioned with; saved back unchanged, so the stack keeps working.
  const before = (await (
    await page.request.get(`/api/plugins/${PLUGIN_ID}/settings`)
  ).json()) as Settings;
  const uid = before.jsonData?.prometheusUid;
  const url = before.jsonData?.controllerUrl;
  expect([uid, url].every(Boolean)).toBe(true);
  const datasources = (await (await page.request.get('/api/datasources')).json()) as Array<{
    uid: string;
    name: string;
  }>;
  const dsName = datasources.find((d) => d.uid === uid)?.name;
  expect(dsName, `provisioned datasource ${uid} exists`).toBeTruthy();

  const configPage = await gotoAppConfigPage({ pluginId: PLUGIN_ID });
  const form = page.getByTestId('okome-config');
  await expect(form).toBeVisible();
  // Pick the datasource through the Combobox, as a user would.
  await page.getByTestId('okome-config-prometheus').click();
  await page.getByRole('option', { name: dsName! }).first().click();
  await page.getByTestId('okome-config-controller-url').fill(url!);
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.getByTestId('okome-config-controller-token').fill(token);
  const saved = configPage.waitForSettingsResponse();
  await page.getByTestId('okome-config-save').click();
  await expect(saved).toBeOK();
  await expect(page.getByTestId('okome-config-saved')).toBeVisible();
  await expect(page.locator('[data-testid="okome-config-check-controller"]')).toHaveAttribute(
    'data-state',
    'ok',
  );
  await expect(page.locator('[data-testid="okome-config-check-prometheus"]')).toHaveAttribute(
    'data-state',
    'ok',
  );

  // After a reload the page knows a token is set, without having it.
  const reread = configPage.waitForSettingsResponse();
  await page.reload();
  const settings = (await (await reread).json()) as Settings;
  expect(settings.secureJsonData).toBeUndefined();
  expect(settings.secureJsonFields?.controllerToken).toBe(true);
  expect(settings.jsonData).toMatchObject({ prometheusUid: uid, controllerUrl: url });
  await expect(page.getByRole('button', { name: 'Reset' })).toBeVisible();
  expect(await page.getByTestId('okome-config-controller-token').inputValue()).not.toContain(token);

  const leaks = (await received()).filter(
    (r) => r.body.includes(token) || r.headers.includes(token),
  );
  expect(leaks.map((r) => r.url)).toEqual([]);
});
