import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type SafetensorsContents } from './safetensors.js';

/**
 * Checkpoints as safetensors files (Node only). Writes are atomic: a crash or a full disk leaves the
 * previous checkpoint in place, never a half-written one.
 *
 *   await saveCheckpoint('runs/aae/model.safetensors', { tensors: await readModules({ encoder, decoder }), metadata: { epoch: '12' } });
 *   loadModules({ encoder, decoder }, (await loadCheckpoint('runs/aae/model.safetensors')).tensors);
 */

export interface CheckpointContents {
  tensors: Record<string, { shape: readonly number[]; data: Float32Array }>;
  metadata?: Record<string, string>;
}

export async function saveCheckpoint(path: string, { tensors, metadata = {} }: CheckpointContents): Promise<void> {
  const bytes = encodeSafetensors(tensors, metadata);
  try {
    await writeFileAtomic(path, bytes);
  } catch (error) {
    throw new Error(`saveCheckpoint: could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

export async function loadCheckpoint(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`no checkpoint at ${path}: the file does not exist (check the path, or train first).`, { cause: error });
    if (code === 'EISDIR') throw new Error(`no checkpoint at ${path}: it is a directory; give the .safetensors file inside it.`, { cause: error });
    throw error;
  }
  try {
    return decodeSafetensors(bytes);
  } catch (error) {
    if (error instanceof SafetensorsError) throw new Error(`${path} is not a valid safetensors file: ${error.reason}`, { cause: error });
    throw error;
  }
}
