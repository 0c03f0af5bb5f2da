// The benchmark suite's correctness: the loss-agreement check that guards every reported AAE time,
// and a quick end-to-end run that must write the results file. No timing is asserted.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/device/create-engine.js';
import type { Engine } from '../../src/device/engine.js';
import { loadTfjsPeers, TFJS_NODE_UNAVAILABLE, type TfjsPeer } from '../../bench/peers/tfjs.js';
import { loadPeers } from '../../bench/peers/load-peers.js';
import type { JaxPeer } from '../../bench/peers/jax.js';
import { jaxAae } from '../../bench/workloads/aae/jax.js';
import { compareResults, repeatedOperation } from '../../bench/workloads/workload.js';
import { runSuite } from '../../bench/suite.js';
import { mulScalar } from '../../src/ops/arithmetic.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { compareLosses, trainSteps } from '../../bench/workloads/training-step/agreement.js';
import { LOSS_NAMES } from '../../bench/workloads/aae/stepper.js';
import { ourAae } from '../../bench/workloads/aae/ours.js';
import { initialState, makeBatches, type AaeArchitecture, type AaeBatch } from '../../bench/workloads/aae/setup.js';
import { tfjsAae } from '../../bench/workloads/aae/tfjs.js';
import { LOSS_NAMES as VAE_GAN_LOSS_NAMES } from '../../bench/workloads/vae-gan/hyperparameters.js';
import { ourVaeGan } from '../../bench/workloads/vae-gan/ours.js';
import * as vaeGanSetup from '../../bench/workloads/vae-gan/setup.js';
import { tfjsVaeGan } from '../../bench/workloads/vae-gan/tfjs.js';
import { runBench } from '../../bench/run.js';
import { compareBufferPlans } from '../../bench/buffer-plan.js';
import type { BenchResults } from '../../bench/results-format.js';

const TINY: AaeArchitecture = { hidden: [32, 32] };
const STEPS = 3;

describe('AAE loss agreement', () => {
  let engine: Engine;
  let cpu: TfjsPeer;
  let batches: AaeBatch[];
  beforeAll(async () => {
    engine = await createEngine();
    cpu = (await loadTfjsPeers(['tfjs-cpu'], engine)).peers[0]!;
    batches = await makeBatches(STEPS, 7);
  });
  afterAll(() => engine?.dispose());

  async function losses(theirArchitecture: AaeArchitecture) {
    const ours = ourAae(engine, TINY, initialState(TINY, 5));
    const theirs = await tfjsAae(cpu, initialState(theirArchitecture, 5));
    try {
      return compareLosses((await trainSteps(ours, batches, STEPS)).losses, (await trainSteps(theirs, batches, STEPS)).losses, LOSS_NAMES);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  }

  it('agrees with tfjs for the same architecture, weights and data', async () => {
    const agreement = await losses(TINY);
    expect(agreement.agrees, agreement.worst.loss).toBe(true);
    expect(agreement.ours).toHaveLength(STEPS);
    expect(agreement.worst.relativeDifference).toBeLessThan(1e-3);
  });

  it('refuses a tfjs side with a different hidden width', async () => {
    expect((await losses({ hidden: [32, 33] })).agrees).toBe(false);
  });

  it('refuses a tfjs side with an extra layer', async () => {
    expect((await losses({ hidden: [32, 32, 32] })).agrees).toBe(false);
  });

  it('fails on NaN or on a different number of steps', () => {
    expect(compareLosses([[1, 2, 3]], [[1, 2, NaN]], LOSS_NAMES).agrees).toBe(false);
    expect(compareLosses([[1, 2, 3]], [], LOSS_NAMES).agrees).toBe(false);
    expect(compareLosses([[1, 2, 3]], [[1.0001, 2, 3]], LOSS_NAMES).agrees).toBe(true);
    expect(compareLosses([[1, 2, 3]], [[1, 2]], LOSS_NAMES).agrees).toBe(false);
  });
});

describe('jax-js as a peer (its WebAssembly device)', () => {
  let engine: Engine;
  let jax: JaxPeer;
  let batches: AaeBatch[];
  beforeAll(async () => {
    engine = await createEngine();
    const loaded = await loadPeers(['jax-wasm'], engine);
    expect(loaded.statuses).toEqual([{ name: 'jax-wasm', available: true, details: { device: 'wasm' } }]);
    jax = loaded.peers[0] as JaxPeer;
    batches = await makeBatches(STEPS, 7);
  });
  afterAll(() => engine?.dispose());

  async function losses(theirArchitecture: AaeArchitecture) {
    const ours = ourAae(engine, TINY, initialState(TINY, 5));
    const theirs = await jaxAae(jax, initialState(theirArchitecture, 5));
    try {
      return compareLosses((await trainSteps(ours, batches, STEPS)).losses, (await trainSteps(theirs, batches, STEPS)).losses, LOSS_NAMES);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  }

  it('trains the AAE step to the same losses as ours (grad, jit, Adam in its numpy ops)', async () => {
    const agreement = await losses(TINY);
    expect(agreement.agrees, `${agreement.worst.loss} at step ${agreement.worst.step}`).toBe(true);
    expect(agreement.worst.relativeDifference).toBeLessThan(1e-3);
  });

  it('is refused when its network differs', async () => {
    expect((await losses({ hidden: [32, 33] })).agrees).toBe(false);
  });
});

describe('VAE-GAN loss agreement', () => {
  let engine: Engine;
  let cpu: TfjsPeer;
  let batches: vaeGanSetup.VaeGanBatch[];
  beforeAll(async () => {
    engine = await createEngine();
    cpu = (await loadTfjsPeers(['tfjs-cpu'], engine)).peers[0]!;
    batches = await vaeGanSetup.makeBatches(STEPS, 7);
  });
  afterAll(() => engine?.dispose());

  async function losses(theirArchitecture: vaeGanSetup.VaeGanArchitecture) {
    const ours = ourVaeGan(engine, TINY, vaeGanSetup.initialState(TINY, 5));
    const theirs = await tfjsVaeGan(cpu, vaeGanSetup.initialState(theirArchitecture, 5));
    try {
      return compareLosses((await trainSteps(ours, batches, STEPS)).losses, (await trainSteps(theirs, batches, STEPS)).losses, VAE_GAN_LOSS_NAMES);
    } finally {
      ours.dispose();
      theirs.dispose();
    }
  }

  it('agrees with tfjs for the same architecture, weights, data and noise, and every loss moves', async () => {
    const agreement = await losses(TINY);
    expect(agreement.agrees, `${agreement.worst.loss} at step ${agreement.worst.step + 1}`).toBe(true);
    expect(agreement.ours).toHaveLength(STEPS);
    expect(agreement.ours[0]).toHaveLength(VAE_GAN_LOSS_NAMES.length);
    expect(agreement.worst.relativeDifference).toBeLessThan(1e-3);
    // Each network was updated: no loss is the same at the last step as at the first.
    agreement.ours[0].forEach((first, k) => expect(agreement.ours[STEPS - 1][k], VAE_GAN_LOSS_NAMES[k]).not.toBe(first));
  });

  it('refuses a tfjs side with a different hidden width', async () => {
    expect((await losses({ hidden: [32, 33] })).agrees).toBe(false);
  });

  it('refuses a tfjs side with an extra layer', async () => {
    expect((await losses({ hidden: [32, 32, 32] })).agrees).toBe(false);
  });
});

describe('quick run', () => {
  it('completes and writes the results with their expected fields', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'bench-'));
    const { results, files, table } = await runBench({
      quick: true,
      only: ['aae-step', 'vae-gan-step', 'elementwise'],
      size: 'small',
      hidden: [16, 16],
      peers: ['tfjs-cpu', 'tfjs-node', 'jax-wasm'],
      outDir,
      seed: 1,
      log: () => {},
    });
    expect(existsSync(files.svg)).toBe(true);
    expect(readFileSync(files.svg, 'utf8')).toContain('<svg');
    const written = JSON.parse(readFileSync(files.json, 'utf8')) as BenchResults;
    expect(written).toEqual(JSON.parse(JSON.stringify(results)));
    expect(written.machine.cpus).toBeGreaterThan(0);
    expect(typeof written.adapter.description).toBe('string');
    expect(written.peers.find((p) => p.name === 'tfjs-node')).toMatchObject({ available: false, reason: TFJS_NODE_UNAVAILABLE });
    const aae = written.workloads.find((w) => w.group === 'aae-step')!;
    expect(aae.agreement!['tfjs-cpu']!.agrees).toBe(true);
    const vaeGan = written.workloads.find((w) => w.group === 'vae-gan-step')!;
    expect(vaeGan.agreement!['tfjs-cpu']!.agrees).toBe(true);
    // Times are reported, never asserted: each is a number, and each ratio is the peer's median over ours.
    expect(Number.isFinite(vaeGan.systems['webgpu-aae']!.firstStepMs)).toBe(true);
    for (const workload of written.workloads) {
      expect(workload.systems['webgpu-aae']!.status).toBe('ok');
      expect(Number.isFinite(workload.systems['webgpu-aae']!.medianMs)).toBe(true);
      const peer = workload.systems['tfjs-cpu']!;
      expect(peer.status).toBe('ok');
      expect(peer.ratio).toBeCloseTo(peer.medianMs! / workload.systems['webgpu-aae']!.medianMs!, 6);
    }
    expect(Number.isFinite(aae.systems['webgpu-aae']!.firstStepMs)).toBe(true);
    expect(aae.systems['webgpu-aae']!.peakBytes).toBeGreaterThan(0);
    expect(aae.systems['tfjs-cpu']!.peakBytes).toBeGreaterThan(0);
    expect(table).toContain('aae-step');
    expect(table).toContain('| vae-gan-step |');
    // jax-js: the AAE step and the kernels, each checked against ours before timing; no VAE-GAN step.
    expect(aae.agreement!['jax-wasm']!.agrees).toBe(true);
    expect(aae.systems['jax-wasm']!.status).toBe('ok');
    expect(vaeGan.systems['jax-wasm']).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/kernel workloads and the AAE step/) });
    for (const workload of written.workloads.filter((w) => w.group === 'elementwise')) {
      expect(workload.agreement!['tfjs-cpu']!.agrees).toBe(true);
      expect(workload.agreement!['jax-wasm']!.agrees).toBe(true);
      expect(workload.systems['jax-wasm']!.status).toBe('ok');
    }
  });

  it('reports a workload our engine cannot run (over the binding limit, as out of memory) and goes on with the next', async () => {
    const engine = await createEngine();
    try {
      const limit = engine.limits.maxStorageBufferBindingSize!;
      const common = { scale: 'quick' as const, group: 'elementwise', unit: 'GB/s' as const, ours: ([a]: Tensor[]) => mulScalar(a!, 2), theirs: () => { throw new Error('no peers here'); }, jax: () => { throw new Error('no peers here'); } };
      const huge = repeatedOperation({ ...common, name: 'too big', amountPerOperation: limit * 2, inputShapes: [[limit / 4 + 1024]] });
      const small = repeatedOperation({ ...common, name: 'small', amountPerOperation: 8 * 1024, inputShapes: [[1024]] });
      const workloads = await runSuite(engine, [], { only: ['elementwise'], hidden: [16], seed: 1, scale: 'quick', log: () => {}, kernelWorkloads: [huge, small] }, []);
      expect(workloads.map((w) => [w.name, w.systems['webgpu-aae']!.status])).toEqual([['too big', 'error'], ['small', 'ok']]);
      expect(workloads[0]!.systems['webgpu-aae']!.reason).toMatch(/over this adapter's maxStorageBufferBindingSize/);
    } finally {
      engine.dispose();
    }
  });

  it('checks a kernel result against ours before timing it', () => {
    const ours = Float32Array.of(1, -2, 3);
    expect(compareResults(ours, Float32Array.of(1, -2, 3.002)).agrees).toBe(true);
    expect(compareResults(ours, Float32Array.of(1, -2, 3.01))).toMatchObject({ agrees: false, summary: expect.stringMatching(/at element 2/) });
    expect(compareResults(ours, Float32Array.of(1, -2, Number.NaN)).agrees).toBe(false);
    expect(compareResults(ours, Float32Array.of(1, -2)).agrees).toBe(false);
  });
});

describe('buffer-plan comparison (npm run bench:plan)', () => {
  it('finds both steps bit-identical with and without planning, and the planned peak lower', async () => {
    const engine = await createEngine();
    try {
      const out = mkdtempSync(join(tmpdir(), 'webgpu-aae-plan-'));
      const { results, file } = await compareBufferPlans(engine, { hidden: [32, 32], steps: 3, rounds: 2, out, seed: 1 });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(results)));
      expect(results.partial).toBeUndefined();
      expect(results.comparisons.map((c) => c.name)).toEqual(['aae-step (hidden 32-32)', 'vae-gan-step (hidden 32-32)']);
      for (const comparison of results.comparisons) {
        expect(comparison.identicalLosses).toBe(true);
        expect(comparison.peakBytes.planned).toBeLessThan(comparison.peakBytes.unplanned);
        expect(comparison.plan.buffers).toBeLessThan(comparison.plan.intermediates);
        expect(comparison.plan.bufferBytes).toBeGreaterThanOrEqual(comparison.plan.mostBytesAlive);
        // Times are reported, never asserted.
        expect(Number.isFinite(comparison.timeRatio)).toBe(true);
      }
    } finally {
      engine.dispose();
    }
  });
});
