// The browser scenario both browser tests run: open every page of the app in headless Chromium
// (Debian's, never a downloaded one), edit a threshold, mark a false positive, check both through
// the REST API, and screenshot each page.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Anomaly, Thresholds } from '../../src/api/types';
import { APP_URL, PLUGIN_ID } from '../../src/constants';

export const CHROMIUM = '/usr/bin/chromium';
export const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Without Chromium: skip on a developer's machine, fail under CI=true. */
export function chromiumSkip(): boolean {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI === 'true') return false;
  console.warn(`grafana-plugin browser tests skipped: ${CHROMIUM} not found (apt-get install chromium)`);
  return true;
}

export interface ScenarioTarget {
  /** The harness page's origin (the Grafana stand-in serving the app). */
  harnessUrl: string;
  /** A call straight to the logsieve REST API, not through the browser. */
  api: <T>(method: string, apiPath: string, body?: unknown) => Promise<T>;
  shotsDir: string;
  /** Stops the logsieve service only, for the "service down" state. */
  stopService: () => Promise<void>;
  stop: () => Promise<void>;
}

/** Registers the scenario's tests in the calling describe block. */
export function browserScenario(start: () => Promise<ScenarioTarget>): void {
  let target: ScenarioTarget;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is required under CI=true (Debian package chromium)`);
    target = await start();
    await mkdir(target.shotsDir, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await target?.stop();
  });

  const open = async (pagePath: string) => {
    await page.goto(`${target.harnessUrl}${pagePath}`);
  };
  const shot = (name: string) =>
    page.screenshot({ path: path.join(target.shotsDir, `${name}.png`), fullPage: true });

  it('Overview shows the score graph and the anomalies in range', async () => {
    await open(`${APP_URL}/overview?from=now-24h&to=now`);
    await page.getByRole('img', { name: 'Anomaly score over time' }).waitFor();
    expect(await page.locator('polyline').count()).toBeGreaterThan(0);
    // The scores of the last minutes in a day's range: dots, which a line of a few pixels is not.
    expect(await page.locator('svg[aria-label="Anomaly score over time"] circle').count()).toBeGreaterThan(0);
    await page.getByText(/^\d+ anomalies$/).waitFor();
    await shot('overview');
  });

  it('Anomalies lists anomalies; the detail view marks a false positive, seen through the API, and undoes it', async () => {
    await open(`${APP_URL}/anomalies`);
    const rows = page.getByRole('table', { name: 'Anomalies' }).locator('tbody tr');
    await rows.first().waitFor();
    await shot('anomalies');
    await rows.first().click();
    await page.waitForURL(/\/anomalies\/[^/]+$/);
    const id = decodeURIComponent(page.url().split('/').pop()!);
    await page.getByRole('button', { name: 'Mark as false positive' }).click();
    await page.getByText(/Marked false positive by/).waitFor();
    expect((await target.api<Anomaly>('GET', `/anomalies/${encodeURIComponent(id)}`)).feedback?.label).toBe(
      'false_positive',
    );
    await shot('anomaly-detail');
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('button', { name: 'Mark as false positive' }).waitFor();
    expect((await target.api<Anomaly>('GET', `/anomalies/${encodeURIComponent(id)}`)).feedback).toBeNull();
  });

  it('Templates lists templates with counts', async () => {
    await open(`${APP_URL}/templates`);
    await page.getByRole('table', { name: 'Templates' }).locator('tbody tr').first().waitFor();
    await shot('templates');
  });

  it('Thresholds previews and saves an edited threshold, seen through the API and the audit', async () => {
    await open(`${APP_URL}/thresholds`);
    const minScore = page.getByLabel('Minimum score');
    await minScore.waitFor();
    const before = await target.api<Thresholds>('GET', '/thresholds');
    const next = before.global.minScore === 82 ? 83 : 82;
    await minScore.fill(String(next));
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByTestId('preview').waitFor();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Threshold saved').waitFor();
    expect((await target.api<Thresholds>('GET', '/thresholds')).global.minScore).toBe(next);
    await page.getByRole('table', { name: 'Audit' }).getByText('global').first().waitFor();
    await shot('thresholds');
  });

  it('Models lists versions and asks before acting', async () => {
    await open(`${APP_URL}/models`);
    await page.getByRole('table', { name: 'Model versions' }).waitFor();
    await page.getByRole('button', { name: 'Retrain' }).click();
    await page.getByRole('dialog').waitFor();
    await shot('models-confirm');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await shot('models');
  });

  it('the configuration page tests the connection through the plugin route', async () => {
    await open(`/plugins/${PLUGIN_ID}`);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connected to logsieve').waitFor();
    await shot('configuration');
  });

  it('says clearly when the service is down', async () => {
    await target.stopService();
    await open(`${APP_URL}/anomalies`);
    await page.getByText('logsieve service is not reachable').waitFor();
    await shot('service-down');
  });

  it('raised no uncaught page errors', () => {
    expect(errors).toEqual([]);
  });
}
