import type { StoredTensor, TensorRecord } from './safetensors.js';

/**
 * Network weights in PyTorch's layout. The engine stores a Linear layer's weight as [in, out] (so that a
 * forward pass is x · W); PyTorch's `nn.Linear.weight` is [out, in] (x · Wᵀ). Names need no change: a
 * network's parameters are `<network>.<child>.weight` / `.bias`, which PyTorch modules with the same child
 * names (examples/pytorch/webgpu_aae.py) produce in their `state_dict()`. Browser-safe.
 */

/** Metadata of an exported file: `format` as PyTorch's own safetensors files have it. */
export const TORCH_EXPORT_METADATA = { format: 'pt', layout: 'webgpu-aae/torch-v1' } as const;

/** The networks' tensors with every Linear weight transposed to [out, in]; biases and the rest as they are. */
export function toTorchLayout(tensors: TensorRecord): TensorRecord {
  return mapWeights(tensors);
}

/** The inverse of `toTorchLayout`: PyTorch's [out, in] weights back to the engine's [in, out]. */
export function fromTorchLayout(tensors: TensorRecord): TensorRecord {
  return mapWeights(tensors);
}

// Transposing is its own inverse, so both directions are one mapping.
function mapWeights(tensors: TensorRecord): TensorRecord {
  const mapped: TensorRecord = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    mapped[name] = name.endsWith('.weight') && tensor.shape.length === 2 ? transpose(tensor) : { shape: [...tensor.shape], data: tensor.data.slice() };
  }
  return mapped;
}

function transpose({ shape: [rows, columns], data }: StoredTensor): StoredTensor {
  const transposed = new Float32Array(data.length);
  for (let row = 0; row < rows!; row++) {
    for (let column = 0; column < columns!; column++) transposed[column * rows! + row] = data[row * columns! + column]!;
  }
  return { shape: [columns!, rows!], data: transposed };
}
