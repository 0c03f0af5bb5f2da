// Keeps the tuner's picks between runs: one JSON file per adapter under the user's cache folder in Node
// ($XDG_CACHE_HOME or ~/.cache, then webgpu-aae/tuning/), the page's localStorage in a browser. A cache
// that cannot be trusted (another adapter, another engine or kernel revision, a corrupt or hand-edited
// file) is reported in one line and measured afresh; one that cannot be written leaves tuning in memory.
import type { TuningPick } from './tuner.js';

const FORMAT = 1;

/** What a cache file must match to be used. */
export interface CacheIdentity {
  /** The adapter's description, in words. */
  adapter: string;
  /** The engine's version and a hash of the kernels the picks name. */
  revision: string;
}

/** Where the cache's text lives. */
export interface CacheStore {
  readonly location: string;
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

export class TuningCache {
  private store: CacheStore | null;

  constructor(
    store: CacheStore,
    private readonly identity: CacheIdentity,
    private readonly warn: (line: string) => void,
  ) {
    this.store = store;
  }

  get location(): string {
    return this.store?.location ?? 'memory only';
  }

  /** The picks a previous run saved for this adapter and revision; none (with one warning) when unusable. */
  async load(): Promise<Map<string, TuningPick>> {
    const store = this.store;
    if (!store) return new Map();
    let text: string | null;
    try {
      text = await store.read();
    } catch (error) {
      this.warn(`tuning cache ${store.location} could not be read (${describe(error)}); measuring again.`);
      return new Map();
    }
    if (text === null) return new Map();
    const { picks, problem } = parseCache(text, this.identity);
    if (problem) this.warn(`tuning cache ${store.location} ${problem}; measuring again.`);
    return picks;
  }

  /** Saves every pick; a store that refuses the write is dropped, once, with a warning. */
  async save(picks: ReadonlyMap<string, TuningPick>): Promise<void> {
    const store = this.store;
    if (!store) return;
    const file = { format: FORMAT, adapter: this.identity.adapter, revision: this.identity.revision, picks: Object.fromEntries(picks) };
    try {
      await store.write(JSON.stringify(file, null, 1) + '\n');
    } catch (error) {
      this.store = null;
      this.warn(`tuning cache ${store.location} cannot be written (${describe(error)}); tuning stays in memory for this run.`);
    }
  }
}

/** Reads a cache file's text; `problem` says why some or all of it was not used. */
export function parseCache(text: string, identity: CacheIdentity): { picks: Map<string, TuningPick>; problem?: string } {
  const picks = new Map<string, TuningPick>();
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    return { picks, problem: 'is not valid JSON' };
  }
  if (!isRecord(file) || file.format !== FORMAT || !isRecord(file.picks)) return { picks, problem: `is not a format-${FORMAT} tuning cache` };
  if (file.adapter !== identity.adapter) return { picks, problem: `was made on another adapter (${String(file.adapter)})` };
  if (file.revision !== identity.revision) return { picks, problem: `was made by another engine or kernel revision (${String(file.revision)}, now ${identity.revision})` };
  let skipped = 0;
  for (const [key, pick] of Object.entries(file.picks)) {
    if (isPick(pick)) picks.set(key, { variant: pick.variant, timings: { ...pick.timings } });
    else skipped++;
  }
  return skipped > 0 ? { picks, problem: `has ${skipped} malformed ${skipped === 1 ? 'entry' : 'entries'}` } : { picks };
}

function isPick(value: unknown): value is TuningPick {
  if (!isRecord(value) || typeof value.variant !== 'string' || !isRecord(value.timings)) return false;
  return Object.values(value.timings).every((ms) => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

/** A file name from the adapter's description: letters, digits and dashes, then a short hash of the whole. */
export function adapterFileName(adapter: string): string {
  const readable = adapter.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'adapter';
  return `${readable}-${hashText(adapter).toString(16).padStart(8, '0')}`;
}

/** FNV-1a: a stable 32-bit hash of text (for names and revisions, not security). */
export function hashText(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/**
 * The store for this runtime: `directory` (or, in Node, $XDG_CACHE_HOME or ~/.cache + webgpu-aae/tuning),
 * a file per adapter, written atomically; in a browser, localStorage. Null when there is none.
 */
export async function defaultCacheStore(adapter: string, directory?: string): Promise<CacheStore | null> {
  const name = adapterFileName(adapter);
  if (typeof process !== 'undefined' && process.versions?.node) return nodeFileStore(name, directory);
  const storage = (globalThis as { localStorage?: Storage }).localStorage;
  if (!storage) return null;
  const key = `webgpu-aae:tuning:${name}`;
  return {
    location: `localStorage['${key}']`,
    read: async () => storage.getItem(key),
    write: async (text) => storage.setItem(key, text),
  };
}

async function nodeFileStore(name: string, directory?: string): Promise<CacheStore> {
  // Imported here, not at the top, so that browser bundles never reach Node's modules.
  const [{ readFile, mkdir, writeFile, rename, rm }, { join }, { homedir }] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('node:os'),
  ]);
  const folder = directory ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'webgpu-aae', 'tuning');
  const path = join(folder, `${name}.json`);
  return {
    location: path,
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return null;
        throw error;
      }
    },
    async write(text) {
      // A whole new file renamed over the old one: a reader, or another run, never sees half a file.
      await mkdir(folder, { recursive: true });
      const temporary = `${path}.tmp-${process.pid}`;
      try {
        await writeFile(temporary, text);
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    },
  };
}
