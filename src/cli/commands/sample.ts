import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createEngine } from '../../device/create-engine.js';
import { createModelPrior } from '../../models/priors.js';
import { deriveSeed } from '../../random/seeded.js';
import { renderSamples } from '../../training/run-pictures.js';
import { readCheckpointForCli, restoreForCli, requireCheckpoint } from '../checkpoint-input.js';
import { checkDecodeCount } from '../count-bounds.js';
import { SAMPLE_HELP } from '../help.js';
import { checkOutputFile } from '../output-paths.js';
import { parseOptions, wholeNumber } from '../options.js';

/** `webgpu-aae sample`: decodes prior samples of a trained model into a PNG grid. */
export async function sampleCommand(args: string[]): Promise<number> {
  const values = parseOptions('sample', args, {
    checkpoint: { type: 'string' },
    n: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    console.log(SAMPLE_HELP);
    return 0;
  }
  const count = wholeNumber('n', values.n as string | undefined, 100)!;
  const out = (values.out as string | undefined) ?? 'samples.png';
  const seed = wholeNumber('seed', values.seed as string | undefined, 1, 0)!;
  const checkpoint = await requireCheckpoint('sample', values.checkpoint as string | undefined);
  await checkOutputFile('out', out);
  const decoded = await readCheckpointForCli(checkpoint);
  const engine = await createEngine({ verbose: Boolean(values.verbose) });
  try {
    const model = await restoreForCli(engine, decoded);
    const config = model.config;
    checkDecodeCount(engine, config, 'n', count);
    const prior = createModelPrior(config, deriveSeed(seed, 30_000));
    await mkdir(dirname(out), { recursive: true });
    await renderSamples(model, prior, out, count);
    console.error(`wrote ${count} samples of the ${config.model} to ${out}`);
    return 0;
  } finally {
    engine.dispose();
  }
}
