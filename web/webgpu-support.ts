import type { EngineOptions } from '../src/index.js';

/**
 * What both pages say where the browser has no WebGPU: which browsers have it, and (`purpose`) what the
 * page would have done with it. Null where navigator.gpu exists.
 */
export function missingWebGpuMessage(purpose: string): string | null {
  if ('gpu' in navigator) return null;
  return (
    `This browser has no WebGPU (navigator.gpu is missing), so ${purpose}. Use Chrome or Edge 113 or newer, ` +
    'Safari 26, or Firefox 141 on Windows; on Linux, Chromium with --enable-unsafe-webgpu --enable-features=Vulkan.'
  );
}

/** Shows `message` in the page's problem box (#no-webgpu) and clears its status line. */
export function showProblem(message: string): void {
  const box = document.getElementById('no-webgpu') as HTMLParagraphElement;
  box.textContent = message;
  box.hidden = false;
  const status = document.getElementById('status');
  if (status) status.textContent = '';
}

/**
 * The engine options a page's address asks for, the same on both pages:
 * - ?adapter=compatibility: a compatibility-level adapter (Chromium offers Mesa's lavapipe only so; README);
 * - ?kind=cpu|gpu: what the adapter is where the browser does not name it (Chromium names neither lavapipe
 *   nor SwiftShader to pages), so that the engine plans kernels for it as Node would;
 * - ?tuning=measure|cached|off: kernel tuning (picks are kept in the page's localStorage).
 */
export function engineOptionsFromAddress(search = location.search): EngineOptions {
  const parameters = new URLSearchParams(search);
  const kind = parameters.get('kind');
  return {
    featureLevel: parameters.get('adapter') === 'compatibility' ? 'compatibility' : undefined,
    adapterKind: kind === 'cpu' || kind === 'gpu' ? kind : undefined,
    tuning: (parameters.get('tuning') ?? undefined) as EngineOptions['tuning'],
  };
}
