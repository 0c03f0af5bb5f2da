import type { Engine } from '../device/engine.js';
import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { requireIndices, requireSameEngine } from '../ops/checks.js';
import type { Tensor } from '../tensor/tensor.js';
import gpuImagesSource from '../../shaders/gpu-images.wgsl';

const gatherImagesKernel = defineKernel({
  name: 'gatherImages',
  source: gpuImagesSource,
  entryPoint: 'gather_images',
  bindings: ['read', 'read', 'write'],
});

/**
 * A set of 8-bit images kept on the GPU as they are stored, four pixels to a u32: the MNIST training
 * set is 47 MB this way, but 188 MB as f32, more than one binding may hold on many adapters (lavapipe:
 * 128 MiB). Minibatches come out as f32 through `gatherImages`.
 */
export interface GpuImageSet {
  /** u32 [ceil(count * pixels / 4)]: the bytes of the images in order. */
  tensor: Tensor;
  count: number;
  pixels: number;
}

/**
 * Uploads `count` images of `pixels` bytes each (row-major, as `loadMnist` gives them). The tensor is
 * kept out of any enclosing scope: free it with `set.tensor.dispose()`.
 */
export function uploadImages(engine: Engine, images: Uint8Array, count: number, pixels = 784): GpuImageSet {
  const op = 'uploadImages';
  for (const [name, value] of [['count', count], ['pixels', pixels]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${op}: ${name} must be a positive whole number, got ${String(value)}.`);
  }
  if (images.length !== count * pixels) {
    throw new Error(`${op}: ${images.length} bytes given for ${count} images of ${pixels} pixels (${count * pixels} bytes).`);
  }
  const words = Math.ceil(images.length / 4);
  const byteLength = words * 4;
  const limit = Math.min(engine.limits.maxStorageBufferBindingSize, engine.limits.maxBufferSize);
  if (byteLength > limit) {
    const mebibytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    throw new Error(
      `${op}: ${count} images of ${pixels} pixels take ${mebibytes(byteLength)} MiB even packed as bytes, over this adapter's ` +
        `largest storage binding of ${mebibytes(limit)} MiB; upload fewer images (a training subset) or split the set.`,
    );
  }
  // The buffer gets the bytes as they are; a Uint32Array view over them is just how they are handed over.
  const aligned = images.byteOffset % 4 === 0 && images.length === byteLength;
  const bytes = aligned ? images : copyPadded(images, byteLength);
  const packed = new Uint32Array(bytes.buffer, bytes.byteOffset, words);
  const tensor = engine.keep(engine.tensor(packed, [words], 'u32'));
  tensor.name = `${count} images`;
  return { tensor, count, pixels };
}

/**
 * Images `indices` (u32 [B]) of `images` as f32 [B, pixels], each byte divided by 255. An index
 * >= count gives an image of zeros. Data, so no gradient. One dispatch.
 */
export function gatherImages(images: GpuImageSet, indices: Tensor): Tensor {
  const op = 'gatherImages';
  requireIndices(op, indices);
  requireSameEngine(op, [images.tensor, indices]);
  const engine = indices.engine;
  const output = engine.empty([indices.size, images.pixels]);
  const launch = perElementLaunch(output.size);
  engine.dispatch(gatherImagesKernel, { ...launch.constants, IMAGES: images.count, PIXELS: images.pixels }, [images.tensor, indices, output], launch.workgroups);
  return output;
}

function copyPadded(images: Uint8Array, byteLength: number): Uint8Array {
  const padded = new Uint8Array(byteLength);
  padded.set(images);
  return padded;
}
