import { existsSync } from 'node:fs';

/**
 * Debian's Chromium (never a downloaded one) for the page tests, with WebGPU on its software adapter
 * (SwiftShader, about a quarter of lavapipe's speed). `npm test` installs it on Debian as root
 * (scripts/install-chromium.sh); elsewhere point CHROMIUM_PATH at a Chromium or Chrome binary. CI must
 * run the page tests: there a missing browser is a failure.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

/** Throws in CI without a Chromium; elsewhere says the test is skipped. Call at a test file's top. */
export function requireChromium(test: string): void {
  if (!haveChromium && process.env.CI) throw new Error(`${test}: no Chromium at ${CHROMIUM}; CI installs it with scripts/install-chromium.sh.`);
  if (!haveChromium) console.warn(`${test} skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH).`);
}

/** The flags measured to give headless Chromium a working WebGPU adapter on a machine without a GPU. */
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=native',
  '--use-angle=vulkan',
];
