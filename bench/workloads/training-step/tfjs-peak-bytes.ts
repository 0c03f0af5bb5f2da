// Peak tensor bytes of one tfjs training step, measured the same way for every step workload.
import type { Optimizer, Tensor, Variable } from '@tensorflow/tfjs';
import type { TfjsPeer } from '../../peers/tfjs.js';

/**
 * tfjs counts tensor bytes over all its backends, so a peer's peak is taken as its own variables and
 * optimizer state plus the most that one step (`run`, whose result `finish` reads and disposes) adds on
 * top of what was there before it.
 */
export async function tfjsStepPeakBytes<T extends Tensor>(
  peer: TfjsPeer,
  run: () => T,
  finish: (losses: T) => Promise<unknown>,
  variables: readonly Variable[],
  optimizers: readonly Optimizer[],
): Promise<number> {
  const tf = peer.tf;
  const before = tf.memory().numBytes;
  let losses: T | null = null;
  const profile = await tf.profile(() => (losses = run()));
  await finish(losses!);
  const optimizerWeights = (await Promise.all(optimizers.map((optimizer) => optimizer.getWeights()))).flat();
  const persistent = [...variables, ...optimizerWeights.map((weight) => weight.tensor)].reduce((bytes, tensor) => bytes + 4 * tensor.size, 0);
  return persistent + Math.max(0, profile.peakBytes - before);
}
