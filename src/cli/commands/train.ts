import { createEngine } from '../../device/create-engine.js';
import { CheckpointError } from '../../training/model-checkpoint.js';
import { CHECKPOINT_FILE, CURVES_FILE, train, TrainingDiverged, TrainingInputError } from '../../training/trainer.js';
import { TRAIN_HELP } from '../help.js';
import { parseOptions } from '../options.js';
import { checkClusterCount, checkRunAgainstData } from '../count-bounds.js';
import { checkOutputFolder } from '../output-paths.js';
import { formatEpoch, ProgressReporter } from '../progress.js';
import { resumedRun } from '../resume.js';
import { givenOptions, newRunOf, TRAIN_PARSE_SPEC, withDefaults } from '../train-request.js';
import { UsageError } from '../usage-error.js';

/** MNIST's training set, before the validation images are held out of it. */
const MNIST_TRAINING_IMAGES = 60_000;

/** `webgpu-aae train`: its options are declared in train-options.ts. */
export async function trainCommand(args: string[]): Promise<number> {
  const values = parseOptions('train', args, TRAIN_PARSE_SPEC);
  if (values.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const given = givenOptions(values);
  const request = withDefaults(given);
  const start = request.resume ? await resumedRun(request.out, given) : newRunOf(request);
  await checkOutputFolder('out', request.out);
  if ('config' in start) checkRunAgainstData(start.config, start.settings, start.settings.trainSize ?? MNIST_TRAINING_IMAGES - start.settings.validation);
  const engine = await createEngine({ verbose: request.verbose });
  const progress = new ProgressReporter();
  try {
    if ('config' in start) checkClusterCount(engine, start.config);
    const { out } = request;
    const metrics = await train(engine, {
      ...start,
      epochs: request.epochs,
      out,
      evaluationSize: request.evaluationSize,
      onProgress: (p) => progress.update(p),
      onEpoch: (m) => {
        progress.finishLine();
        console.error(formatEpoch(m));
      },
    });
    progress.finishLine();
    console.error(metrics.length > 0 ? `wrote ${out}/: metrics.jsonl, ${CURVES_FILE}, samples.png, reconstructions.png, latent.png, ${CHECKPOINT_FILE}` : `nothing to do: ${out} has already trained the epochs asked for.`);
    return 0;
  } catch (error) {
    progress.finishLine();
    return trainingFailed(error);
  } finally {
    engine.dispose();
  }
}

/** A diverged run exits 1 with its message; a checkpoint or data the run cannot use is a usage error. */
function trainingFailed(error: unknown): number {
  if (error instanceof TrainingDiverged) {
    console.error(error.message);
    return 1;
  }
  if (error instanceof CheckpointError) throw new UsageError(`train --resume: ${error.message}`);
  if (error instanceof TrainingInputError) throw new UsageError(`train: ${error.message}`);
  throw error;
}
