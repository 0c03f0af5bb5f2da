import { createEngine } from '../../device/create-engine.js';
import { uploadImages } from '../../data/gpu-images.js';
import { usesLabelledPhase } from '../../models/architecture.js';
import { CategoricalAae } from '../../models/categorical-aae.js';
import { categoryLogitsOfImages, classificationError, classifyImages, clusterError, reconstructionBce } from '../../training/evaluate.js';
import { readCheckpointForCli, restoreForCli, mnistTestImages, requireCheckpoint } from '../checkpoint-input.js';
import { checkDecodeCount } from '../count-bounds.js';
import { parzenEvaluation } from '../../evaluation/parzen-evaluation.js';
import { EVAL_HELP } from '../help.js';
import { oneOf, parseOptions, wholeNumber } from '../options.js';
import { UsageError } from '../usage-error.js';

/** `webgpu-aae eval`: one metric of a trained model on the MNIST test set, printed as JSON. */
export async function evalCommand(args: string[]): Promise<number> {
  const values = parseOptions('eval', args, {
    checkpoint: { type: 'string' },
    metric: { type: 'string' },
    'eval-size': { type: 'string' },
    samples: { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  const metric = oneOf('metric', values.metric as string | undefined, ['reconstruction', 'test-error', 'cluster-error', 'parzen'] as const, 'reconstruction');
  const sampleCount = wholeNumber('samples', values.samples as string | undefined, 10_000)!;
  const seed = wholeNumber('seed', values.seed as string | undefined, 1, 0)!;
  const evaluationSize = wholeNumber('eval-size', values['eval-size'] as string | undefined);
  const checkpoint = await requireCheckpoint('eval', values.checkpoint as string | undefined);
  const decoded = await readCheckpointForCli(checkpoint);
  const engine = await createEngine({ verbose: Boolean(values.verbose) });
  try {
    const model = await restoreForCli(engine, decoded);
    const position = decoded.position;
    if (!model.supportsEncoding && metric !== 'parzen') throw new UsageError(`eval --metric ${metric}: the ${model.config.model} has no encoder, so it cannot reconstruct.`);
    const fits = metric === 'reconstruction' || metric === 'parzen' || (metric === 'test-error' ? usesLabelledPhase(model.config.model) : model.config.model === 'clustering-aae');
    if (!fits) {
      const wants = metric === 'test-error' ? 'semi-supervised-aae or dimensionality-reduction-aae' : 'clustering-aae';
      throw new UsageError(`eval --metric ${metric} is for the ${wants}; ${checkpoint} holds a ${model.config.model}.`);
    }
    const { mnist, images, count } = await mnistTestImages(engine, model, checkpoint, 'eval', evaluationSize);
    const result: Record<string, unknown> = { checkpoint, model: model.config.model, epoch: position.epoch, metric, images: count };
    if (metric === 'parzen') {
      checkDecodeCount(engine, model.config, 'samples', sampleCount);
      Object.assign(result, await parzenEvaluation(engine, model, mnist, sampleCount, count, 10_000, seed));
    } else if (metric === 'reconstruction') {
      result.reconstructionBce = await reconstructionBce(model, images, mnist.test.labels, count);
    } else if (model instanceof CategoricalAae) {
      const labels = mnist.test.labels.subarray(0, count);
      if (metric === 'test-error') {
        result.testError = classificationError(await classifyImages(model, images, count), labels, model.config.clusters);
      } else {
        const trainImages = uploadImages(engine, mnist.train.images, mnist.train.count, mnist.train.pixels);
        const trainLogits = await categoryLogitsOfImages(model, trainImages, mnist.train.count);
        trainImages.tensor.dispose();
        const testLogits = await categoryLogitsOfImages(model, images, count);
        result.clusterError = clusterError(trainLogits, mnist.train.labels, testLogits, labels, model.config.clusters);
      }
    }
    images.tensor.dispose();
    console.log(JSON.stringify(result));
    return 0;
  } finally {
    engine.dispose();
  }
}
