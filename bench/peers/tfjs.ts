// TensorFlow.js as the peer: one tfjs instance, a backend per peer. tfjs's WebGPU backend gets the very
// GPU object our engine uses (as navigator.gpu, so the same Dawn instance, adapter and flags), and its
// readbacks wait through our engine's gentle polling, the same treatment as our own waits.
import type { Engine } from '../../src/device/engine.js';
import { shareAdapterAsNavigator, type PeerStatus, type TfjsPeerName } from './peer.js';

export type Tf = typeof import('@tensorflow/tfjs');

const BACKENDS: Record<TfjsPeerName, string> = {
  'tfjs-webgpu': 'webgpu',
  'tfjs-wasm': 'wasm',
  'tfjs-cpu': 'cpu',
  'tfjs-node': 'tensorflow',
};

export const TFJS_NODE_UNAVAILABLE = 'unavailable: not installed (its install downloads libtensorflow from outside npm)';

export interface TfjsPeer {
  kind: 'tfjs';
  name: TfjsPeerName;
  backend: string;
  tf: Tf;
  /** Makes this peer's backend tfjs's current one. Untimed; call before each run. */
  activate(): Promise<void>;
  /** Awaits a readback (e.g. `tensor.data()`) with the same polling our engine uses. */
  wait<T>(promise: Promise<T>): Promise<T>;
}

/** Loads tfjs and the asked-for backends. Must run before anything else imports tfjs (see webgpu below). */
export async function loadTfjsPeers(names: readonly TfjsPeerName[], engine: Engine): Promise<{ peers: TfjsPeer[]; statuses: PeerStatus[] }> {
  if (names.length === 0) return { peers: [], statuses: [] };
  if (names.includes('tfjs-webgpu')) shareAdapterAsNavigator(engine);
  const tf: Tf = await import('@tensorflow/tfjs');
  const peers: TfjsPeer[] = [];
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
        kind: 'tfjs',
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
