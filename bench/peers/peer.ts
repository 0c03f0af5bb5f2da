// The engines the suite measures ours against: TensorFlow.js on its backends (tfjs.ts) and jax-js on
// its devices (jax.ts). Each peer shares our engine's adapter where it uses WebGPU.
import type { Engine } from '../../src/device/engine.js';
import type { JaxPeer } from './jax.js';
import type { TfjsPeer } from './tfjs.js';

export const TFJS_PEER_NAMES = ['tfjs-webgpu', 'tfjs-wasm', 'tfjs-cpu', 'tfjs-node'] as const;
export const JAX_PEER_NAMES = ['jax-webgpu', 'jax-wasm'] as const;
export const PEER_NAMES = [...TFJS_PEER_NAMES, ...JAX_PEER_NAMES] as const;

export type TfjsPeerName = (typeof TFJS_PEER_NAMES)[number];
export type JaxPeerName = (typeof JAX_PEER_NAMES)[number];
export type PeerName = (typeof PEER_NAMES)[number];
export type Peer = TfjsPeer | JaxPeer;

export interface PeerStatus {
  name: PeerName;
  available: boolean;
  /** Why not, when unavailable. */
  reason?: string;
  /** Backend details worth knowing when reading the figures (wasm SIMD and threads, versions). */
  details?: Record<string, unknown>;
}

/** Thrown by a workload that has no version for a peer: reported as unavailable, with the reason, never timed. */
export class PeerUnavailable extends Error {}

/**
 * Gives the peers our engine's `GPU` object as `navigator.gpu` (the same Dawn instance, adapter and flags),
 * before they load: tfjs-backend-webgpu decides at import time whether WebGPU exists, and jax-js's `init`
 * looks there too (it also reads `userAgent` and `hardwareConcurrency`, which Node's global lacks).
 */
export function shareAdapterAsNavigator(engine: Engine): void {
  const current = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (current?.gpu === engine.gpu) return;
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu: engine.gpu, userAgent: `Node.js/${process.version}`, hardwareConcurrency: 1 },
    configurable: true,
    writable: true,
  });
}
