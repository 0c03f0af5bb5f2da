// TensorFlow.js as the peer: one tfjs instance, a backend per peer. tfjs's WebGPU backend gets the very
// GPU object our engine uses (as navigator.gpu, so the same Dawn instance, adapter and flags), and its
// readbacks wait through our engine's gentle polling, the same treatment as our own waits.
import type { Engine } from '../../src/device/engine.js';

export type Tf = typeof import('@tensorflow/tfjs');

export const PEER_NAMES = ['tfjs-webgpu', 'tfjs-wasm', 'tfjs-cpu', 'tfjs-node'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

const BACKENDS: Record<PeerName, string> = {
  'tfjs-webgpu': 'webgpu',
  'tfjs-wasm': 'wasm',
  'tfjs-cpu': 'cpu',
  'tfjs-node': 'tensorflow',
};

export const TFJS_NODE_UNAVAILABLE = 'unavailable: not installed (its install downloads libtensorflow from outside npm)';

export interface Peer {
  name: PeerName;
  backend: string;
  tf: Tf;
  /** Makes this peer's backend tfjs's current one. Untimed; call before each run. */
  activate(): Promise<void>;
  /** Awaits a readback (e.g. `tensor.data()`) with the same polling our engine uses. */
  wait<T>(promise: Promise<T>): Promise<T>;
}

export interface PeerStatus {
  name: PeerName;
  available: boolean;
  /** Why not, when unavailable. */
  reason?: string;
  /** Backend details worth knowing when reading the figures (wasm SIMD and threads). */
  details?: Record<string, unknown>;
}

/** Loads tfjs and the asked-for backends. Must run before anything else imports tfjs (see webgpu below). */
export async function loadPeers(names: readonly PeerName[], engine: Engine): Promise<{ peers: Peer[]; statuses: PeerStatus[] }> {
  // tfjs-backend-webgpu decides at import time whether WebGPU exists, from navigator.gpu.
  if (names.includes('tfjs-webgpu')) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: engine.gpu }, configurable: true, writable: true });
  }
  const tf: Tf = await import('@tensorflow/tfjs');
  const peers: Peer[] = [];
  const statuses: PeerStatus[] = [];
  for (const name of names) {
    const backend = BACKENDS[name];
    try {
      if (name === 'tfjs-webgpu') await import('@tensorflow/tfjs-backend-webgpu');
      if (name === 'tfjs-wasm') await import('@tensorflow/tfjs-backend-wasm');
      if (name === 'tfjs-node') {
        const loaded = await loadOptional('@tensorflow/tfjs-node');
        if (!loaded) {
          statuses.push({ name, available: false, reason: TFJS_NODE_UNAVAILABLE });
          continue;
        }
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
      await tf.ready();
      const details: Record<string, unknown> = { tfjs: tf.version.tfjs };
      if (name === 'tfjs-wasm') {
        details.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
        details.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      }
      statuses.push({ name, available: true, details });
      peers.push({
        name,
        backend,
        tf,
        activate: async () => {
          if (tf.getBackend() !== backend) await tf.setBackend(backend);
        },
        wait: (promise) => engine.waitGently(promise),
      });
    } catch (error) {
      statuses.push({ name, available: false, reason: `failed to start: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return { peers, statuses };
}

/** Imports a package only if the user installed it; false when it is not there. */
async function loadOptional(packageName: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ packageName);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return false;
    throw error;
  }
}
