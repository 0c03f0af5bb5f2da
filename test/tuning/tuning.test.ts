// Kernel tuning: the tuner's choice from planted timings (never from real ones: tests assert no
// timings), the cache's defences against files it cannot trust, and the engine measuring for real on
// this adapter with the GPU plan, where the pick must not change results beyond float tolerance.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, TUNING_VARIABLE } from '../../src/device/create-engine.js';
import { defineKernel, type KernelLaunch } from '../../src/kernels/kernel.js';
import { linear } from '../../src/ops/matmul.js';
import { Tuner, type CandidateTiming, type TunableDispatch, type TuningPick } from '../../src/tuning/tuner.js';
import { adapterFileName, defaultCacheStore, TuningCache, type CacheStore } from '../../src/tuning/tuning-cache.js';
import { ENGINE_VERSION } from '../../src/version.js';
import { randomValues } from '../helpers/reference.js';

const kernel = defineKernel({ name: 'planted', source: '', bindings: ['read', 'write'] });
const launch = (variant: string): KernelLaunch => ({ kernel, constants: {}, workgroups: [1, 1, 1], variant });

function tunable(key: string, variants: string[]): TunableDispatch {
  const candidates = variants.map(launch);
  return { key, fallback: candidates[0], candidates, bindingBytes: [4, 4] };
}

/** A timer that reports the planted milliseconds (null: the candidate was left out, with a reason). */
function plantedTimer(timings: Record<string, number | null>, measured: string[] = []) {
  return async (t: TunableDispatch): Promise<CandidateTiming[]> => {
    measured.push(t.key);
    return t.candidates.map(({ variant }) => (timings[variant] === null ? { variant, ms: null, problem: 'planted failure' } : { variant, ms: timings[variant] ?? 1 }));
  };
}

function memoryStore(text: string | null = null): CacheStore & { text: string | null } {
  return {
    text,
    location: 'memory store',
    async read() {
      return this.text;
    },
    async write(value: string) {
      this.text = value;
    },
  };
}

const identity = { adapter: 'planted adapter', revision: 'r1' };

describe('the tuner', () => {
  it('runs the fallback until measured, then the fastest candidate; keeps nothing that failed', async () => {
    const warnings: string[] = [];
    const tuner = new Tuner('measure', plantedTimer({ a: 0.5, b: 0.2, c: 0.1, d: null }), null, new Map(), (line) => warnings.push(line));
    const problem = tunable('matmul 1x1x1 nn', ['a', 'b', 'c', 'd']);
    expect(tuner.choose(problem).variant).toBe('a');
    expect(tuner.hasPending).toBe(true);
    const before = tuner.generation;
    await tuner.measurePending();
    expect(tuner.generation).toBe(before + 1);
    expect(tuner.hasPending).toBe(false);
    expect(tuner.choose(problem).variant).toBe('c');
    const [pick] = tuner.report().picks;
    expect(pick).toMatchObject({ key: 'matmul 1x1x1 nn', variant: 'c', ms: 0.1, candidates: 3 });
    expect(warnings).toEqual(['tuning: d left out for matmul 1x1x1 nn: planted failure']);
  });

  it('keeps the fallback when no candidate could be timed, and does not measure it again', async () => {
    const measured: string[] = [];
    const tuner = new Tuner('measure', plantedTimer({ a: null, b: null }, measured), null, new Map(), () => {});
    const problem = tunable('k', ['a', 'b']);
    tuner.choose(problem);
    await tuner.measurePending();
    expect(tuner.choose(problem).variant).toBe('a');
    expect(tuner.hasPending).toBe(false);
    expect(measured).toEqual(['k']);
  });

  it("'off' always runs the fallback; 'cached' uses earlier picks and measures nothing", async () => {
    const picks = new Map<string, TuningPick>([['k', { variant: 'b', timings: { a: 2, b: 1 } }]]);
    const measured: string[] = [];
    const off = new Tuner('off', plantedTimer({}, measured), null, picks, () => {});
    const cached = new Tuner('cached', plantedTimer({}, measured), null, picks, () => {});
    expect(off.choose(tunable('k', ['a', 'b'])).variant).toBe('a');
    expect(cached.choose(tunable('k', ['a', 'b'])).variant).toBe('b');
    expect(cached.choose(tunable('new', ['a', 'b'])).variant).toBe('a');
    await off.measurePending();
    await cached.measurePending();
    expect(measured).toEqual([]);
  });

  it('measures again, with one warning, when a cached pick is no candidate here (a feature the adapter lacks)', async () => {
    const warnings: string[] = [];
    const picks = new Map<string, TuningPick>([['k', { variant: 'split-k-subgroups 4x4/128', timings: {} }]]);
    const tuner = new Tuner('measure', plantedTimer({ a: 2, b: 1 }), null, picks, (line) => warnings.push(line));
    expect(tuner.choose(tunable('k', ['a', 'b'])).variant).toBe('a');
    expect(warnings).toEqual(["tuning: the cached pick 'split-k-subgroups 4x4/128' for k is not a candidate on this adapter; measuring again."]);
    await tuner.measurePending();
    expect(tuner.choose(tunable('k', ['a', 'b'])).variant).toBe('b');
  });

  it('skips problems with a single candidate', () => {
    const tuner = new Tuner('measure', plantedTimer({}), null, new Map(), () => {});
    tuner.choose(tunable('k', ['only']));
    expect(tuner.hasPending).toBe(false);
  });

  it('saves its picks to the cache after measuring, and a new tuner starts from them', async () => {
    const store = memoryStore();
    const cache = new TuningCache(store, identity, () => {});
    const tuner = new Tuner('measure', plantedTimer({ a: 2, b: 1 }), cache, await cache.load(), () => {});
    tuner.choose(tunable('k', ['a', 'b']));
    await tuner.measurePending();
    const reloaded = await new TuningCache(store, identity, () => {}).load();
    expect(reloaded.get('k')?.variant).toBe('b');
    const next = new Tuner('cached', plantedTimer({}), null, reloaded, () => {});
    expect(next.choose(tunable('k', ['a', 'b'])).variant).toBe('b');
  });
});

describe('the tuning cache refuses what it cannot trust, in one line, and measures again', () => {
  const saved = async () => {
    const store = memoryStore();
    await new TuningCache(store, identity, () => {}).save(new Map([['k', { variant: 'b', timings: { a: 2, b: 1 } }]]));
    return store.text!;
  };
  const load = async (text: string | null, ident = identity) => {
    const warnings: string[] = [];
    const picks = await new TuningCache(memoryStore(text), ident, (line) => warnings.push(line)).load();
    return { picks, warnings };
  };

  it('reads back what it wrote, silently', async () => {
    const { picks, warnings } = await load(await saved());
    expect([...picks.keys()]).toEqual(['k']);
    expect(warnings).toEqual([]);
  });

  it('no file yet: nothing, silently', async () => {
    expect(await load(null)).toEqual({ picks: new Map(), warnings: [] });
  });

  const cases: [string, (text: string) => string, RegExp, typeof identity?][] = [
    ['a cache from another adapter', (text) => text, /was made on another adapter \(planted adapter\); measuring again/, { ...identity, adapter: 'another' }],
    ['a cache from another engine or kernel revision', (text) => text, /another engine or kernel revision \(r1, now r2\)/, { ...identity, revision: 'r2' }],
    ['a corrupt file', (text) => text.slice(0, 20), /is not valid JSON/],
    ['another format', (text) => text.replace('"format": 1', '"format": 9'), /is not a format-1 tuning cache/],
    ['a hand-edited entry', (text) => text.replace('"variant": "b"', '"variant": 7'), /has 1 malformed entry/],
    ['a negative timing', (text) => text.replace('"a": 2', '"a": -2'), /has 1 malformed entry/],
    ['an array', () => '[]', /is not a format-1 tuning cache/],
  ];
  for (const [what, edit, message, ident] of cases) {
    it(what, async () => {
      const { picks, warnings } = await load(edit(await saved()), ident);
      expect(picks.size).toBe(0);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(message);
      expect(warnings[0]).not.toContain('\n');
    });
  }

  it('a store that cannot be read', async () => {
    const warnings: string[] = [];
    const store: CacheStore = { location: 'broken', read: () => Promise.reject(Object.assign(new Error('no'), { code: 'EIO' })), write: async () => {} };
    expect((await new TuningCache(store, identity, (line) => warnings.push(line)).load()).size).toBe(0);
    expect(warnings).toEqual(['tuning cache broken could not be read (EIO); measuring again.']);
  });

  it('a store that cannot be written: one warning, then memory only', async () => {
    const warnings: string[] = [];
    let writes = 0;
    const store: CacheStore = {
      location: 'read-only',
      read: async () => null,
      write: () => {
        writes++;
        return Promise.reject(Object.assign(new Error('read-only file system'), { code: 'EROFS' }));
      },
    };
    const cache = new TuningCache(store, identity, (line) => warnings.push(line));
    await cache.save(new Map());
    await cache.save(new Map());
    expect(writes).toBe(1);
    expect(cache.location).toBe('memory only');
    expect(warnings).toEqual(['tuning cache read-only cannot be written (EROFS); tuning stays in memory for this run.']);
  });
});

describe('the cache file in Node', () => {
  const folder = mkdtempSync(join(tmpdir(), 'webgpu-aae-tuning-'));

  it('lives under $XDG_CACHE_HOME/webgpu-aae/tuning, one file per adapter', async () => {
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = folder;
    try {
      const store = (await defaultCacheStore('NVIDIA H200 / 580.159'))!;
      expect(store.location).toBe(join(folder, 'webgpu-aae', 'tuning', `${adapterFileName('NVIDIA H200 / 580.159')}.json`));
      expect(adapterFileName('NVIDIA H200 / 580.159')).toMatch(/^nvidia-h200-580-159-[0-9a-f]{8}$/);
      await store.write('{}');
      expect(await store.read()).toBe('{}');
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
  });

  it('a folder that cannot be made (a file stands in its path): tuning stays in memory, said once', async () => {
    writeFileSync(join(folder, 'a-file'), '');
    const warnings: string[] = [];
    const cache = new TuningCache((await defaultCacheStore('x', join(folder, 'a-file', 'tuning')))!, identity, (line) => warnings.push(line));
    await cache.save(new Map());
    await cache.save(new Map());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot be written \(ENOTDIR\); tuning stays in memory for this run\.$/);
  });

  // Root writes anywhere, so this one runs for other users only.
  it.skipIf(process.getuid?.() === 0)('a read-only folder: tuning stays in memory, said once', async () => {
    const readOnly = join(folder, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    const warnings: string[] = [];
    const cache = new TuningCache((await defaultCacheStore('x', readOnly))!, identity, (line) => warnings.push(line));
    await cache.save(new Map());
    expect(warnings[0]).toMatch(/cannot be written \(EACCES\); tuning stays in memory/);
  });
});

describe('the engine measuring for real (the GPU plan on this adapter)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'webgpu-aae-engine-tuning-'));
  const engines: Awaited<ReturnType<typeof createEngine>>[] = [];
  afterAll(() => engines.forEach((engine) => engine.dispose()));
  const [M, K, N] = [100, 1000, 8];
  const x = randomValues(M * K, 1);
  const w = randomValues(K * N, 2);
  const b = randomValues(N, 3);

  async function trainStepOutputs(tuning: 'measure' | 'cached' | 'off') {
    const warnings: string[] = [];
    const engine = await createEngine({ tuning, tuningCache: folder, adapterKind: 'gpu', warn: (line) => warnings.push(line) });
    engines.push(engine);
    const inputs = [engine.tensor(x, [M, K]), engine.tensor(w, [K, N]), engine.tensor(b, [N])];
    const step = engine.capture(() => linear(inputs[0], inputs[1], inputs[2], 'relu'));
    const first = await step.outputs.read(); // measures here, before the read
    step.run(); // the replay runs the pick
    const replayed = await step.outputs.read();
    return { engine, first, replayed, warnings };
  }

  it("measures the captured step's product at the first read, replays the pick, saves it, and the result holds", async () => {
    const off = await trainStepOutputs('off');
    const measured = await trainStepOutputs('measure');
    const report = measured.engine.info().tuning!;
    expect(report.mode).toBe('measure');
    expect(report.measured).toBe(1);
    expect(report.picks.map((p) => p.key)).toEqual([`matmul ${M}x${N}x${K} nn`]);
    expect(report.cache).toContain(folder);
    expect(existsSync(report.cache)).toBe(true);
    expect(JSON.parse(readFileSync(report.cache, 'utf8')).picks[`matmul ${M}x${N}x${K} nn`].variant).toBe(report.picks[0].variant);
    for (const values of [measured.first, measured.replayed]) {
      for (let i = 0; i < values.length; i++) expect(Math.abs(values[i] - off.first[i])).toBeLessThan(1e-4 * (1 + Math.abs(off.first[i])));
    }
    expect(measured.warnings).toEqual([]);

    const cached = await trainStepOutputs('cached');
    expect(cached.engine.info().tuning).toMatchObject({ mode: 'cached', measured: 0, picks: report.picks });
    expect(Array.from(cached.replayed)).toEqual(Array.from(measured.replayed));
  });

  it("'off' writes no cache and measures nothing", async () => {
    const { engine } = await trainStepOutputs('off');
    expect(engine.info().tuning).toMatchObject({ mode: 'off', cache: 'memory only', measured: 0, picks: [] });
  });

  it('a cache made by another engine version is measured again, with one warning', async () => {
    const path = (await trainStepOutputs('cached')).engine.info().tuning!.cache;
    const file = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...file, revision: '0.0.0+0' }));
    const { engine, warnings } = await trainStepOutputs('measure');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/another engine or kernel revision \(0\.0\.0\+0, now /);
    expect(engine.info().tuning!.measured).toBe(1);
  });

  it(`refuses an unknown mode, from the option or ${TUNING_VARIABLE}`, async () => {
    await expect(createEngine({ tuning: 'fast' as never })).rejects.toThrow("createEngine: tuning 'fast' is not one of measure, cached, off.");
    const previous = process.env[TUNING_VARIABLE];
    process.env[TUNING_VARIABLE] = 'always';
    try {
      await expect(createEngine()).rejects.toThrow(`${TUNING_VARIABLE}='always' is not a tuning mode; use one of measure, cached, off (or unset it for the default).`);
    } finally {
      if (previous === undefined) delete process.env[TUNING_VARIABLE];
      else process.env[TUNING_VARIABLE] = previous;
    }
  });
});

it('the engine version is the package version (tuning caches record it)', () => {
  expect(ENGINE_VERSION).toBe(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).version);
});
