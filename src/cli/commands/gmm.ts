import { createEngine } from '../../device/create-engine.js';
import { readCheckpointForCli, restoreForCli, mnistTestImages, requireCheckpoint } from '../checkpoint-input.js';
import { checkComponentCount } from '../count-bounds.js';
import { gmmOfCodes } from '../../evaluation/codes-mixture.js';
import { GMM_HELP } from '../help.js';
import { oneOf, parseOptions, wholeNumber } from '../options.js';
import { UsageError } from '../usage-error.js';

/** `webgpu-aae gmm`: a Gaussian mixture fitted by EM to a trained model's codes of the test images, printed as JSON. */
export async function gmmCommand(args: string[]): Promise<number> {
  const values = parseOptions('gmm', args, {
    checkpoint: { type: 'string' },
    k: { type: 'string' },
    covariance: { type: 'string' },
    'eval-size': { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    console.log(GMM_HELP);
    return 0;
  }
  const k = wholeNumber('k', values.k as string | undefined, 10)!;
  const covariance = oneOf('covariance', values.covariance as string | undefined, ['diagonal', 'full'] as const, 'full');
  const evaluationSize = wholeNumber('eval-size', values['eval-size'] as string | undefined);
  const seed = wholeNumber('seed', values.seed as string | undefined, 1, 0)!;
  const checkpoint = await requireCheckpoint('gmm', values.checkpoint as string | undefined);
  const decoded = await readCheckpointForCli(checkpoint);
  const engine = await createEngine({ verbose: Boolean(values.verbose) });
  try {
    const model = await restoreForCli(engine, decoded);
    if (!model.supportsEncoding) throw new UsageError(`gmm: the ${model.config.model} has no encoder, so it has no codes to fit.`);
    const { images, count } = await mnistTestImages(engine, model, checkpoint, 'gmm', evaluationSize);
    checkComponentCount(engine, k, count);
    const result = await gmmOfCodes(engine, model, images, k, covariance, seed);
    images.tensor.dispose();
    console.log(JSON.stringify({ checkpoint, model: model.config.model, codes: 'test set', ...result }));
    return 0;
  } finally {
    engine.dispose();
  }
}
