// Exits 0 when Dawn (the npm package `webgpu`) finds a WebGPU adapter, 1 when it finds none, and
// prints the adapter's name either way. Used by scripts/setup.sh before the tests and examples.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
process.env.XDG_RUNTIME_DIR ??= '/tmp';
let gpu = create([]);
let adapter = null;
try {
  adapter = await gpu.requestAdapter();
} catch (error) {
  console.error(`check-adapter: requestAdapter failed: ${error}`);
}
const found = Boolean(adapter);
if (adapter) {
  const info = adapter.info;
  console.log(`check-adapter: WebGPU adapter found: ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' / ')}`);
} else {
  console.log('check-adapter: no WebGPU adapter found.');
}
adapter = null;
gpu = null; // dawn.node keeps the process alive while its GPU object is referenced
process.exitCode = found ? 0 : 1;
