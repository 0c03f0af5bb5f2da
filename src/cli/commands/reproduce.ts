import { createEngine } from '../../device/create-engine.js';
import type { SizePreset } from '../../models/architecture.js';
import { EXPERIMENT_NAMES, EXPERIMENTS } from '../../reproduce/experiments.js';
import { BudgetTooSmall, reproduce } from '../../reproduce/reproduce.js';
import { RESULTS_JSON, RESULTS_MARKDOWN } from '../../reproduce/results.js';
import { ForeignOutput, readState, type ReproduceRequest } from '../../reproduce/run-state.js';
import { TrainingInputError } from '../../training/trainer.js';
import { parseDuration } from '../duration.js';
import { REPRODUCE_HELP } from '../help.js';
import { oneOf, parseOptions, wholeNumber } from '../options.js';
import { checkOutputFolder } from '../output-paths.js';
import { formatDuration, ProgressReporter } from '../progress.js';
import { UsageError } from '../usage-error.js';

/** `webgpu-aae reproduce`: the paper's experiments, each fitted to a time budget, into one results table. */
export async function reproduceCommand(args: string[]): Promise<number> {
  const values = parseOptions('reproduce', args, {
    only: { type: 'string' },
    budget: { type: 'string' },
    size: { type: 'string' },
    seeds: { type: 'string' },
    out: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    console.log(REPRODUCE_HELP);
    return 0;
  }
  const request: ReproduceRequest = {
    size: oneOf<SizePreset>('size', values.size as string | undefined, ['paper', 'small', 'tiny'], 'small'),
    seeds: wholeNumber('seeds', values.seeds as string | undefined, 1)!,
    budgetSeconds: parseDuration('budget', (values.budget as string | undefined) ?? '30m'),
    experiments: chosenExperiments(values.only as string | undefined),
  };
  const out = (values.out as string | undefined) ?? 'runs/reproduce';
  await checkOutputFolder('out', out);
  // Another run's folder is refused before the engine starts or anything is measured.
  await readState(out, request).catch((error: unknown) => {
    throw error instanceof ForeignOutput ? new UsageError(`reproduce --out: ${error.message}`) : error;
  });
  const runs = request.experiments.length * request.seeds;
  console.error(
    `reproduce: ${request.experiments.length} experiment${request.experiments.length > 1 ? 's' : ''} × ${request.seeds} seed${request.seeds > 1 ? 's' : ''} at --size ${request.size}, ` +
      `${formatDuration(request.budgetSeconds)} each: about ${formatDuration(runs * request.budgetSeconds)} of training and evaluation, then the results in ${out}/.`,
  );
  const engine = await createEngine({ verbose: Boolean(values.verbose) });
  const progress = new ProgressReporter();
  try {
    const results = await reproduce(engine, {
      request,
      out,
      onNews: (line) => {
        progress.finishLine();
        console.error(line);
      },
      onProgress: (run, step) => progress.update(step, run),
    });
    progress.finishLine();
    console.error(`wrote ${out}/${RESULTS_MARKDOWN} and ${out}/${RESULTS_JSON} (${results.rows.filter((row) => typeof row.ours === 'number').length} of ${results.rows.length} rows measured).`);
    return 0;
  } catch (error) {
    progress.finishLine();
    if (error instanceof BudgetTooSmall || error instanceof TrainingInputError) throw new UsageError(`reproduce: ${error.message}`);
    throw error;
  } finally {
    engine.dispose();
  }
}

/**
 * --only's comma-separated names, each an experiment or a group of them ("clustering" names every
 * clustering experiment); in the table's order, each once. Without --only, every experiment.
 */
function chosenExperiments(only: string | undefined): string[] {
  if (only === undefined) return [...EXPERIMENT_NAMES];
  const asked = only.split(',').map((name) => name.trim()).filter(Boolean);
  if (asked.length === 0) throw new UsageError(`--only: no experiment named; choose from ${EXPERIMENT_NAMES.join(', ')}.`);
  const chosen = new Set<string>();
  for (const name of asked) {
    // An exact name is that experiment alone (clustering-16 is not also clustering-16-mutual-information).
    const matches = EXPERIMENT_NAMES.includes(name) ? [name] : EXPERIMENT_NAMES.filter((candidate) => candidate.startsWith(`${name}-`));
    if (matches.length === 0) throw new UsageError(`--only: unknown experiment '${name}'; choose from ${EXPERIMENT_NAMES.join(', ')} (or a group: semi-supervised, clustering).`);
    for (const match of matches) chosen.add(match);
  }
  return EXPERIMENTS.map((experiment) => experiment.name).filter((name) => chosen.has(name));
}
