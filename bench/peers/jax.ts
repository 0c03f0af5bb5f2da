// jax-js as a peer: its WebGPU device on our engine's adapter, and its WebAssembly device. Its README
// says Node is unsupported; it runs on Dawn once navigator.gpu (with userAgent and hardwareConcurrency)
// is there before `init()`, which then finds the adapter. Arrays are reference-counted: every jax-js
// function takes ownership of its arguments, so code here passes `.ref` for anything used again.
import type { Engine } from '../../src/device/engine.js';
import { shareAdapterAsNavigator, type JaxPeerName, type PeerStatus } from './peer.js';

export type Jax = typeof import('@jax-js/jax');
export type JaxArray = InstanceType<Jax['Array']>;

const DEVICES: Record<JaxPeerName, 'webgpu' | 'wasm'> = { 'jax-webgpu': 'webgpu', 'jax-wasm': 'wasm' };

export interface JaxPeer {
  kind: 'jax';
  name: JaxPeerName;
  device: 'webgpu' | 'wasm';
  jax: Jax;
  /** Makes this peer's device jax-js's default one. Untimed; call before each run. */
  activate(): Promise<void>;
  /** Awaits a readback with the same polling our engine uses. */
  wait<T>(promise: Promise<T>): Promise<T>;
}

/** Loads jax-js and starts its devices; a device that did not start is reported unavailable. */
export async function loadJaxPeers(names: readonly JaxPeerName[], engine: Engine): Promise<{ peers: JaxPeer[]; statuses: PeerStatus[] }> {
  if (names.length === 0) return { peers: [], statuses: [] };
  shareAdapterAsNavigator(engine);
  let jax: Jax;
  let started: string[];
  try {
    jax = await import('@jax-js/jax');
    started = await jax.init();
  } catch (error) {
    const reason = `failed to start: ${error instanceof Error ? error.message : String(error)}`;
    return { peers: [], statuses: names.map((name) => ({ name, available: false, reason })) };
  }
  const peers: JaxPeer[] = [];
  const statuses: PeerStatus[] = [];
  for (const name of names) {
    const device = DEVICES[name];
    if (!started.includes(device)) {
      statuses.push({ name, available: false, reason: `unavailable: jax-js started ${started.join(', ')}, not ${device}` });
      continue;
    }
    statuses.push({ name, available: true, details: { device } });
    peers.push({
      kind: 'jax',
      name,
      device,
      jax,
      activate: async () => {
        jax.defaultDevice(device);
      },
      wait: (promise) => engine.waitGently(promise),
    });
  }
  return { peers, statuses };
}
