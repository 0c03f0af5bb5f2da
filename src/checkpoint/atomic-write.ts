import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `bytes` to `path` so that a reader (or a crash) sees either the old file or the whole new one,
 * never a part: the data goes to `path.tmp-<pid>`, is flushed to disk, then renamed over `path`. On any
 * failure the temporary file is removed and the target is left as it was.
 * Two writes to the same path from one process must not overlap (they would share the temporary name).
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  let written = false;
  try {
    const handle = await open(temporary, 'w');
    written = true;
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    written = false;
  } catch (error) {
    if (written) await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename itself durable; some platforms (Windows) cannot open a directory, which is harmless. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the directory entry is best effort; the file's contents are already on disk.
  }
}
