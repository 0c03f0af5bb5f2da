// `npm run bench:profile`: where the GPU time of our paper-sized training steps goes, kernel by kernel,
// measured with timestamp queries (engine.profile). The benchmark's own AAE and VAE-GAN steps, batch 100,
// hidden 1000-1000 (`--hidden 256` for smaller); 3 warm-up steps, then 3 profiled ones.
import { createEngine } from '../src/device/create-engine.js';
import type { KernelProfile } from '../src/device/profiler.js';
import { ourAae } from './workloads/aae/ours.js';
import * as aae from './workloads/aae/setup.js';
import { ourVaeGan } from './workloads/vae-gan/ours.js';
import * as vaeGan from './workloads/vae-gan/setup.js';

const WARM_UP = 3;
const PROFILED = 3;

interface Stepper<B> {
  step(batch: B): Promise<unknown>;
  dispose(): void;
}

async function profileSteps<B>(engine: Awaited<ReturnType<typeof createEngine>>, name: string, stepper: Stepper<B>, batches: B[]): Promise<void> {
  for (let i = 0; i < WARM_UP; i++) await stepper.step(batches[i % batches.length]);
  const started = performance.now();
  const profile = await engine.profile(async () => {
    for (let i = 0; i < PROFILED; i++) await stepper.step(batches[i % batches.length]);
  });
  const wall = (performance.now() - started) / PROFILED;
  stepper.dispose();
  report(name, profile, wall);
}

function report(name: string, profile: KernelProfile, wallMs: number): void {
  const perStep = (ms: number) => (ms / PROFILED).toFixed(1);
  const family = (kernel: string) => kernel.split(' ')[0];
  const families = new Map<string, number>();
  for (const kernel of profile.kernels) families.set(family(kernel.name), (families.get(family(kernel.name)) ?? 0) + kernel.milliseconds);
  console.log(`\n${name}: ${profile.dispatches / PROFILED} dispatches per step; GPU time ${perStep(profile.milliseconds)} ms per step, wall time ${wallMs.toFixed(1)} ms per step (profiled: one pass per dispatch)`);
  console.log('| kernel family | ms per step | share |\n|---|---|---|');
  for (const [kernel, ms] of [...families.entries()].sort((a, b) => b[1] - a[1])) {
    console.log(`| ${kernel} | ${perStep(ms)} | ${((100 * ms) / profile.milliseconds).toFixed(1)} % |`);
  }
  console.log('\n| kernel [workgroup grid] | dispatches per step | ms per step | share |\n|---|---|---|---|');
  for (const kernel of profile.kernels.slice(0, 12)) {
    console.log(`| ${kernel.name} | ${kernel.dispatches / PROFILED} | ${perStep(kernel.milliseconds)} | ${(100 * kernel.share).toFixed(1)} % |`);
  }
  if (profile.untimed > 0) console.log(`(${profile.untimed} dispatches past the query capacity were not timed)`);
}

const hiddenAt = process.argv.indexOf('--hidden');
const width = hiddenAt >= 0 ? Number(process.argv[hiddenAt + 1]) : 1000;
if (!Number.isInteger(width) || width < 1) {
  console.error(`bench:profile: --hidden must be a positive whole number, got '${process.argv[hiddenAt + 1]}'.`);
  process.exit(2);
}
const hidden = [width, width];
const engine = await createEngine();
try {
  console.log(`adapter: ${engine.info().description || engine.info().device}`);
  await profileSteps(engine, `aae-step (hidden ${hidden.join('-')}, batch ${aae.BATCH})`, ourAae(engine, { hidden }, aae.initialState({ hidden }, 1)), await aae.makeBatches(4, 1));
  engine.trimMemory();
  await profileSteps(engine, `vae-gan-step (hidden ${hidden.join('-')}, batch ${aae.BATCH})`, ourVaeGan(engine, { hidden }, vaeGan.initialState({ hidden }, 1)), await vaeGan.makeBatches(4, 1));
} finally {
  engine.dispose();
}
