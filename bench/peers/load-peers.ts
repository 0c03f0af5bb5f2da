import type { Engine } from '../../src/device/engine.js';
import { loadJaxPeers } from './jax.js';
import { JAX_PEER_NAMES, TFJS_PEER_NAMES, type JaxPeerName, type Peer, type PeerName, type PeerStatus, type TfjsPeerName } from './peer.js';
import { loadTfjsPeers } from './tfjs.js';

/** Loads the peers asked for, tfjs's and jax-js's, in the order asked; statuses say why any is missing. */
export async function loadPeers(names: readonly PeerName[], engine: Engine): Promise<{ peers: Peer[]; statuses: PeerStatus[] }> {
  const tfjs = await loadTfjsPeers(names.filter((name): name is TfjsPeerName => (TFJS_PEER_NAMES as readonly string[]).includes(name)), engine);
  const jax = await loadJaxPeers(names.filter((name): name is JaxPeerName => (JAX_PEER_NAMES as readonly string[]).includes(name)), engine);
  const order = (name: PeerName) => names.indexOf(name);
  return {
    peers: [...tfjs.peers, ...jax.peers].sort((a, b) => order(a.name) - order(b.name)),
    statuses: [...tfjs.statuses, ...jax.statuses].sort((a, b) => order(a.name) - order(b.name)),
  };
}
