import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratioChart } from '../../bench/chart.js';
import { formatTable } from '../../bench/report.js';
import type { BenchResults } from '../../bench/results-format.js';
import { buildWebPage, serveWebPage } from '../../scripts/web.mjs';
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium, requireChromium } from '../helpers/chromium.js';

/**
 * The benchmark page (web/bench.html) in headless Chromium on SwiftShader: a quick run of the AAE step and
 * the matmuls, tiny networks, against tfjs-webgpu, jax-webgpu and jax-wasm in the page. Every row must have
 * numbers, every peer must have passed its agreement check, and the JSON the page offers must parse and feed
 * the Node chart and table. Times are reported, never asserted.
 */
requireChromium('benchmark page test');

const PEERS = ['tfjs-webgpu', 'jax-webgpu', 'jax-wasm'] as const;

describe.skipIf(!haveChromium)('the benchmark page', () => {
  let browser: Browser;
  let page: Page;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    const { outDir, benchBundleBytes } = await buildWebPage();
    console.log(`benchmark page: ${(benchBundleBytes / 1024).toFixed(0)} KiB before its peers' chunks`);
    server = await serveWebPage({ directory: outDir, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage();
    await page.goto(`${server.url}bench.html`);
    await page.waitForFunction(() => window.webgpuAaeBench?.ready || window.webgpuAaeBench?.error, null, { timeout: 120_000 });
    const error = await page.evaluate(() => window.webgpuAaeBench.error);
    if (error) throw new Error(`the benchmark page could not start: ${error}`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says that WebGPU is missing, what to use, and offers no Start, in a browser without it', async () => {
    const bare = await browser.newPage();
    await bare.addInitScript(() => delete (Navigator.prototype as { gpu?: unknown }).gpu);
    await bare.goto(`${server.url}bench.html`);
    await bare.waitForFunction(() => window.webgpuAaeBench?.error, null, { timeout: 60_000 });
    expect(await bare.isVisible('#no-webgpu')).toBe(true);
    expect(await bare.textContent('#no-webgpu')).toMatch(/no WebGPU \(navigator\.gpu is missing\), so nothing can be measured here \(in Node: npm run bench\)\. Use Chrome or Edge 113/);
    expect(await bare.isDisabled('#start')).toBe(true);
    await bare.close();
  });

  it('measures the AAE step and the matmuls against tfjs and jax-js, each checked first, and offers the JSON', async () => {
    console.log(`benchmark page ready to measure ${(await page.evaluate(() => window.webgpuAaeBench.readyMs)).toFixed(0)} ms after navigation`);
    const choose = async (fieldset: string, values: readonly string[]) => {
      for (const box of await page.locator(`#${fieldset} input[type=checkbox]`).all()) await box.setChecked(values.includes(await box.inputValue()));
    };
    await choose('workloads', ['aae-step', 'matmul']);
    await choose('peers', PEERS);
    await page.selectOption('#size', 'tiny');
    await page.setChecked('#quick', true);
    await page.click('#start');
    await page.waitForFunction(() => window.webgpuAaeBench.done, null, { timeout: 600_000, polling: 1000 });
    expect(await page.evaluate(() => window.webgpuAaeBench.error)).toBeNull();

    const results = (await page.evaluate(() => window.webgpuAaeBench.results())) as BenchResults;
    expect(results.partial).toBeUndefined();
    expect(results.peers.map((peer) => [peer.name, peer.available])).toEqual(PEERS.map((name) => [name, true]));
    expect(results.workloads.map((w) => w.group)).toEqual(['aae-step', ...Array(5).fill('matmul')]);
    for (const workload of results.workloads) {
      for (const system of ['webgpu-aae', ...PEERS] as const) {
        expect(workload.systems[system]?.status, `${workload.name}: ${system} ${workload.systems[system]?.reason ?? ''}`).toBe('ok');
        expect(Number.isFinite(workload.systems[system]!.medianMs)).toBe(true);
      }
      for (const peer of PEERS) expect(workload.agreement![peer]!.agrees, `${workload.name}: ${peer}`).toBe(true);
    }
    // The live table: a row a workload, a time in every cell.
    const rows = await page.locator('#results-body tr').all();
    expect(rows).toHaveLength(results.workloads.length);
    for (const row of rows) for (const text of (await row.locator('td').allTextContents()).slice(1)) expect(text).toMatch(/\d ms/);
    expect(await page.locator('#chart svg').count()).toBe(1);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    const downloaded = JSON.parse(readFileSync((await download.path())!, 'utf8')) as BenchResults;
    expect(downloaded).toEqual(results);
    expect(ratioChart(downloaded)).toContain('<svg');
    expect(formatTable(downloaded)).toContain('| aae-step (hidden 32-32, batch 100) |');
    const aae = results.workloads[0]!;
    console.log(`benchmark page, AAE step (tiny, quick, SwiftShader): ours ${aae.systems['webgpu-aae']!.medianMs!.toFixed(1)} ms; ${PEERS.map((p) => `${p} ${aae.systems[p]!.ratio!.toFixed(2)}x`).join(', ')}`);
  }, 600_000); // as long as the wait for the page's run: a shared machine may take minutes
});
