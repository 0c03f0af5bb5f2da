// The soak (npm run soak): a long run's memory must hold flat. Here 1,000 steps of a tiny AAE; the
// check itself must see a leak. No timing is asserted.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryGrowth, parseSoakArguments, runSoak, SOAK_DEFAULTS, type SoakReport } from '../../bench/soak.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const tiny = { ...SOAK_DEFAULTS, hidden: [32, 32], batchSize: 50 };

describe('soak', () => {
  it('keeps live tensors and live bytes flat over 1,000 training steps', async () => {
    const { reports, growth } = await runSoak(gpu.engine, { ...tiny, steps: 1_000, every: 100 });
    expect(reports.map((report) => report.step)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(growth).toEqual([]);
    const [first] = reports;
    expect(first.liveTensors).toBeGreaterThan(0);
    expect(first.liveBytes).toBeGreaterThan(0);
    for (const report of reports) {
      expect(report.liveTensors, `step ${report.step}`).toBe(first.liveTensors);
      expect(report.liveBytes, `step ${report.step}`).toBe(first.liveBytes);
      expect(report.rssBytes).toBeGreaterThan(0);
      expect(Number.isFinite(report.reconstructionBce)).toBe(true);
    }
    // Everything the soak made is gone afterwards.
    expect(gpu.engine.memory().liveTensors).toBeLessThanOrEqual(first.liveTensors);
  });

  it('sees a leak: a tensor kept at every report shows as growth from the second report on', async () => {
    const leaked: { dispose(): void }[] = [];
    const { growth } = await runSoak(gpu.engine, { ...tiny, steps: 30, every: 10, readEvery: 10 }, () => {
      leaked.push(gpu.engine.keep(gpu.engine.empty([1000])));
    });
    for (const tensor of leaked) tensor.dispose();
    expect(growth).toEqual([
      { step: 20, what: expect.stringMatching(/^live tensors (\d+) -> \d+$/) },
      { step: 20, what: expect.stringMatching(/^live bytes \d+ -> \d+$/) },
      { step: 30, what: expect.stringMatching(/^live tensors/) },
      { step: 30, what: expect.stringMatching(/^live bytes/) },
    ]);
  });

  it('judges growth against the first report only, and ignores pooled bytes and RSS', () => {
    const report = (step: number, liveTensors: number, liveBytes: number, pooledBytes = 0, rssBytes = 0): SoakReport => ({
      step, liveTensors, liveBytes, pooledBytes, peakBytes: 0, rssBytes, heapUsedBytes: 0, stepsPerSecond: 1, reconstructionBce: 1,
    });
    expect(memoryGrowth([report(1, 10, 100), report(2, 9, 100, 5000, 1e9), report(3, 10, 100)])).toEqual([]);
    expect(memoryGrowth([report(1, 10, 100), report(2, 10, 164)])).toEqual([{ step: 2, what: 'live bytes 100 -> 164' }]);
  });

  it('parses its options and refuses bad ones, naming the option', () => {
    expect(parseSoakArguments(['--steps', '2000', '--every=500', '--hidden', '64,64'])).toMatchObject({ steps: 2000, every: 500, hidden: [64, 64] });
    expect(parseSoakArguments([])).toEqual(SOAK_DEFAULTS);
    expect(() => parseSoakArguments(['--steps', '1e4'])).toThrow("--steps: '1e4' is not a whole number >= 1.");
    expect(() => parseSoakArguments(['--steps'])).toThrow("--steps: '' is not a whole number >= 1.");
    expect(() => parseSoakArguments(['--hidden', '64,x'])).toThrow("--hidden: 'x' is not a whole number >= 1.");
    expect(() => parseSoakArguments(['--steps', '100'])).toThrow('--every 1000 is more than --steps 100');
    expect(() => parseSoakArguments(['--fast'])).toThrow("unknown option '--fast'. Usage: npm run soak -- [--steps 10000]");
  });

  describe('as a script', () => {
    // Inside the project, like npm's bundle, so that its imports of packages resolve to node_modules.
    const bundle = join(process.cwd(), 'node_modules', '.cache', 'webgpu-aae-test', 'soak.mjs');
    beforeAll(async () => {
      await build({ entryPoints: ['bench/soak.ts'], bundle: true, platform: 'node', format: 'esm', packages: 'external', loader: { '.wgsl': 'text' }, outfile: bundle, logLevel: 'silent' });
    });

    it('exits 2 on bad command-line input, before starting the GPU', async () => {
      const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(process.execPath, [bundle, '--steps', 'many'], { encoding: 'utf8' }, (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stderr }));
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^soak: --steps: 'many' is not a whole number >= 1\. Usage: npm run soak/);
    });
  });
});
