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
