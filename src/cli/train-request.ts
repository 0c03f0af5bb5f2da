import { defaultConfig } from '../models/config.js';
import { RUN_DEFAULTS } from '../training/run-settings.js';
import type { NewRun } from '../training/trainer.js';
import type { OptionSpec } from './options.js';
import { TRAIN_OPTION_ENTRIES, type Chosen, type TrainRequest } from './train-options.js';
import { UsageError } from './usage-error.js';

/** The train options as parseArgs takes them. */
export const TRAIN_PARSE_SPEC: OptionSpec = Object.fromEntries(
  TRAIN_OPTION_ENTRIES.map(([, option]) => [option.flag, { type: option.kind.takesValue ? 'string' : 'boolean' } as const]),
);

/** The options on the command line, each parsed by its kind: a usage error names a bad one. */
export function givenOptions(values: Readonly<Record<string, unknown>>): Partial<TrainRequest> {
  const given: Record<string, unknown> = {};
  for (const [key, option] of TRAIN_OPTION_ENTRIES) {
    const value = values[option.flag];
    if (value !== undefined) given[key] = option.kind.parse(option.flag, String(value));
  }
  return given as Partial<TrainRequest>;
}

/**
 * Every option not given at its default. The defaults are taken in the table's order, each seeing the
 * values before it: the model and the prior come first, and the others may depend on them.
 */
export function withDefaults(given: Partial<TrainRequest>): TrainRequest {
  const request: Record<string, unknown> = {};
  for (const [key, option] of TRAIN_OPTION_ENTRIES) request[key] = given[key] ?? option.default(request as unknown as Chosen);
  return request as TrainRequest;
}

/** A new run: the model's config, checked here once (a combination the models do not support is a usage error), and the run's settings. */
export function newRunOf(request: TrainRequest): NewRun {
  const { epochs, evaluationSize, out, resume, verbose, batchSize, labels, trainSize, ...model } = request;
  try {
    return { config: defaultConfig(model), settings: { ...RUN_DEFAULTS, batchSize, labels, trainSize } };
  } catch (error) {
    throw new UsageError(`train: ${(error as Error).message}`);
  }
}
