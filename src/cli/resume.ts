import { CheckpointError, type DecodedCheckpoint } from '../training/model-checkpoint.js';
import { readRunCheckpoint, type ResumedRun } from '../training/trainer.js';
import { TRAIN_OPTION_ENTRIES, type TrainRequest } from './train-options.js';
import { UsageError } from './usage-error.js';

/**
 * `train --resume`: the run folder's checkpoint, read once, with the options given checked against it
 * before any work, each by its resume rule.
 */
export async function resumedRun(out: string, given: Partial<TrainRequest>): Promise<ResumedRun> {
  let checkpoint: DecodedCheckpoint;
  try {
    checkpoint = await readRunCheckpoint(out);
  } catch (error) {
    if (error instanceof CheckpointError) throw new UsageError(`--resume: ${error.message}`);
    throw error;
  }
  const ignored = checkAgainstCheckpoint(given, checkpoint);
  if (ignored.length > 0) console.error(`webgpu-aae: --resume keeps the run's own settings; ignoring ${ignored.join(', ')}.`);
  return { resumeFrom: checkpoint };
}

/**
 * Refuses an option that must match the checkpoint and does not (another architecture is a mistake, not a
 * wish); returns the flags given whose values the run keeps its own of.
 */
export function checkAgainstCheckpoint(given: Partial<TrainRequest>, checkpoint: DecodedCheckpoint): string[] {
  const saved: Record<string, unknown> = { ...checkpoint.config, ...checkpoint.settings };
  const ignored: string[] = [];
  for (const [key, { flag, onResume }] of TRAIN_OPTION_ENTRIES) {
    if (given[key] === undefined) continue;
    if (onResume === 'keeps-its-own') ignored.push(`--${flag}`);
    if (onResume === 'must-match' && JSON.stringify(given[key]) !== JSON.stringify(saved[key])) {
      throw new UsageError(
        `--resume: ${checkpoint.path} holds a checkpoint of another architecture (${key} ${JSON.stringify(saved[key])}, but --${flag} asks for ${JSON.stringify(given[key])}). Drop --${flag}, or use another --out.`,
      );
    }
  }
  return ignored;
}
