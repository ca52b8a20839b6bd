// Headless Debian chromium through playwright-core (no browser download), with the guards every
// browser test wants: requests leave only to the preview, and console errors, page errors,
// failed requests and HTTP errors are collected as problems.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../setup/stack';

export const CHROMIUM = process.env.OKOME_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-results', 'okome-slo-app');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

export interface ReceivedBody {
  url: string;
  status: number;
  headers: string;
  body: string;
}

export interface GuardedPage {
  page: Page;
  /** Everything that went wrong in the page, as sentences; a passing test expects []. */
  problems: string[];
  /** Every response the page received, headers and body as text (complete after settle()). */
  received: ReceivedBody[];
  /** Waits for the network to go quiet and for every response body to be read. */
  settle: () => Promise<void>;
}

export async function openGuardedPage(
  browser: Browser,
  baseUrl: string,
  opts: { width?: number; height?: number } = {},
): Promise<GuardedPage> {
  const page = await browser.newPage({
    viewport: { width: opts.width ?? 1600, height: opts.height ?? 1000 },
  });
  const origin = new URL(baseUrl).origin;
  const problems: string[] = [];
  const received: ReceivedBody[] = [];
  const pending: Array<Promise<void>> = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith('data:')) return route.continue();
    problems.push(`request outside the preview: ${url}`);
    return route.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A refresh that supersedes an in-flight request aborts it on purpose.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') {
      problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    pending.push(
      r
        .body()
        .then(
          (b) => b.toString('utf8'),
          () => '',
        )
        .then((body) => {
          received.push({
            url: r.url(),
            status: r.status(),
            headers: JSON.stringify(r.headers()),
            body,
          });
        }),
    );
  });
  const settle = async () => {
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await Promise.allSettled(pending);
  };
  return { page, problems, received, settle };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
