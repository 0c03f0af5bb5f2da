import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UsageError } from './usage-error.js';

/**
 * Where a command will write, checked before any work: a folder under a file, a file where a folder
 * should be, or a place this user cannot write would otherwise be found only when the first file is
 * written, after minutes of training. Nothing is created here; the command makes its folders later.
 */

/** `folder` exists as a writable folder, or can be made: its nearest existing ancestor is a writable folder. */
export async function checkOutputFolder(option: string, folder: string, given = folder): Promise<void> {
  const info = await stat(folder).catch(() => null);
  if (info && !info.isDirectory()) {
    throw new UsageError(given === folder ? `--${option} ${given}: it is a file, not a folder; give a folder's path.` : `--${option} ${given}: ${folder} is a file, not a folder; choose another path.`);
  }
  const existing = info ? folder : await nearestExisting(folder);
  if (!(await stat(existing)).isDirectory()) {
    throw new UsageError(`--${option} ${given}: ${existing} is a file, so no folder can be made under it; choose another path.`);
  }
  if (!(await writable(existing))) throw new UsageError(`--${option} ${given}: ${existing} is not writable by this user; choose another path.`);
}

/** `file` can be written: it is not a folder, and its folder passes checkOutputFolder (an existing file must be writable too). */
export async function checkOutputFile(option: string, file: string): Promise<void> {
  const info = await stat(file).catch(() => null);
  if (info?.isDirectory()) throw new UsageError(`--${option} ${file}: it is a folder; give a file's path inside it, such as ${file.replace(/\/+$/, '')}/samples.png.`);
  if (info && !(await writable(file))) throw new UsageError(`--${option} ${file}: the file exists and is not writable by this user; choose another path.`);
  await checkOutputFolder(option, dirname(file), file);
}

async function nearestExisting(path: string): Promise<string> {
  let current = path;
  for (;;) {
    const parent = dirname(current);
    if (await stat(parent).then(() => true, () => false)) return parent;
    if (parent === current) return parent;
    current = parent;
  }
}

function writable(path: string): Promise<boolean> {
  return access(path, constants.W_OK).then(
    () => true,
    () => false,
  );
}
