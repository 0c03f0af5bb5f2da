import { formatDuration } from '../cli/progress.js';
import { EXPERIMENTS, type Experiment, type PaperValue, type ReproduceScale } from './experiments.js';
import { summarise, type RunOutcome } from './outcome.js';
import { runFolder, type ReproduceState } from './run-state.js';

/** A reproduction's table: results.json holds it as data, results.md as the page people read. */

export const RESULTS_JSON = 'results.json';
export const RESULTS_MARKDOWN = 'results.md';
const RESULTS_FORMAT = 'webgpu-aae/reproduce-results-v1';

export interface ResultRow {
  experiment: string;
  title: string;
  method: Experiment['method'];
  measure: string;
  unit: Experiment['measure']['unit'];
  better: Experiment['measure']['better'];
  paper: PaperValue | null;
  /** The mean over the seeds that finished, or why there is no number: "skipped: <reason>". */
  ours: number | `skipped: ${string}`;
  /** Sample standard deviation over seeds, where more than one finished. */
  spread?: number;
  runs: RunOutcome[];
  /** The encoder's widths, input to code: "784-256-256-8". */
  network?: string;
  /** Wall time of all its runs. */
  seconds: number;
  /** Relative to the results' folder. */
  picture?: string;
  note?: string;
}

export interface ReproduceResults {
  format: typeof RESULTS_FORMAT;
  adapter: string;
  size: ReproduceScale['size'];
  hidden: number[];
  budgetSeconds: number;
  seeds: number;
  started: string;
  updated: string;
  /** Every experiment asked for has run (or failed). */
  complete: boolean;
  rows: ResultRow[];
}

/** The table as the state stands: every experiment of the paper is a row, with a number or the reason it has none. */
export function resultsOf(state: ReproduceState, scale: ReproduceScale, networks: Record<string, string>): ReproduceResults {
  const { request } = state;
  const rows = EXPERIMENTS.map((experiment): ResultRow => {
    const base = {
      experiment: experiment.name,
      title: experiment.title,
      method: experiment.method,
      measure: experiment.measure.label,
      unit: experiment.measure.unit,
      better: experiment.measure.better,
      paper: experiment.paper,
      ...(experiment.note ? { note: experiment.note } : {}),
    };
    if (!request.experiments.includes(experiment.name)) return { ...base, ours: 'skipped: not asked for (--only)', runs: [], seconds: 0 };
    const records = Array.from({ length: request.seeds }, (_, i) => state.runs[runFolder(experiment.name, i + 1)]);
    const runs = records.flatMap((record) => (record?.outcome ? [record.outcome] : []));
    const seconds = records.reduce((sum, record) => sum + (record?.seconds ?? 0), 0);
    const common = { ...base, runs, seconds, network: networks[experiment.name], picture: `${runFolder(experiment.name, 1)}/${experiment.picture}` };
    if (runs.length === 0) {
      const failure = records.find((record) => record?.failure)?.failure;
      return { ...common, ours: failure ? `skipped: ${failure}` : 'skipped: not run yet; run the same command again to continue' };
    }
    const { mean, spread } = summarise(runs.map((run) => run.value));
    return { ...common, ours: mean, ...(spread !== undefined ? { spread } : {}) };
  });
  const complete = request.experiments.every((name) =>
    Array.from({ length: request.seeds }, (_, i) => state.runs[runFolder(name, i + 1)]).every((record) => record?.status === 'done' || record?.status === 'failed'),
  );
  return {
    format: RESULTS_FORMAT,
    adapter: state.adapter,
    size: scale.size,
    hidden: scale.hidden,
    budgetSeconds: request.budgetSeconds,
    seeds: request.seeds,
    started: state.started,
    updated: new Date().toISOString(),
    complete,
    rows,
  };
}

function formatValue(value: number, unit: ResultRow['unit']): string {
  return unit === '%' ? `${value.toFixed(2)} %` : value.toFixed(1);
}

function formatPaper(row: ResultRow): string {
  if (!row.paper) return 'a picture';
  return `${formatValue(row.paper.value, row.unit)}${row.paper.spread !== undefined ? ` ± ${row.paper.spread}` : ''}`;
}

function formatOurs(row: ResultRow): string {
  if (typeof row.ours !== 'number') return row.ours;
  return `**${formatValue(row.ours, row.unit)}**${row.spread !== undefined ? ` ± ${row.spread.toFixed(row.unit === '%' ? 2 : 1)}` : ''}`;
}

/** results.md: the table, then how it was made. */
export function resultsMarkdown(results: ReproduceResults): string {
  const lines = [
    '# The AAE paper on MNIST, reproduced by webgpu-aae',
    '',
    `Adapter: ${results.adapter}. Networks: \`--size ${results.size}\` (${results.hidden.join('-')} hidden${results.size === 'paper' ? '; 3000-3000 for clustering, as the paper' : ''}). ` +
      `Each run: ${formatDuration(results.budgetSeconds)} of training and per-epoch evaluation, ${results.seeds} seed${results.seeds > 1 ? 's' : ''} (the ± over seeds is a sample standard deviation). ` +
      `Started ${results.started}, updated ${results.updated}${results.complete ? '' : '; **not finished**: run the same command again to continue'}.`,
    '',
    'Epochs are chosen on the 10,000 validation images held out of training where the measure has a validation counterpart (test error, cluster error), else the last epoch is reported; "epoch 7 of 12" means epoch 7 of the 12 trained was chosen.',
    '',
    '| experiment | method | measure | paper | ours | epochs | network | wall time | picture |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  const notes: string[] = [];
  for (const row of results.rows) {
    // Rows that share a note (the semi-supervised ones) share its number.
    if (row.note && !notes.includes(row.note)) notes.push(row.note);
    const method = row.note ? `${row.method} [${notes.indexOf(row.note) + 1}]` : row.method;
    const measured = typeof row.ours === 'number';
    const picture = row.picture && measured ? `[${row.picture.split('/').pop()}](${row.picture})` : '';
    const cells = [row.title, method, `${row.measure} (${row.better} is better)`, formatPaper(row), formatOurs(row), measured ? formatEpochs(row) : '', row.network ?? '', row.seconds > 0 ? formatDuration(row.seconds) : '', picture];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  // A note is a phrase for the table's cell; as a footnote it starts a sentence (unless it starts with a symbol: σ).
  lines.push('', ...notes.map((note, i) => `${i + 1}. ${/^[a-z]/.test(note) ? note[0].toUpperCase() + note.slice(1) : note}.`));
  lines.push('', 'Paper values: Makhzani et al., "Adversarial Autoencoders" (arXiv 1511.05644), as the project\'s models.md quotes them.', '');
  return lines.join('\n');
}

/** Each seed's chosen epoch of those it trained: "7 of 12". */
function formatEpochs(row: ResultRow): string {
  return row.runs.map((run) => (run.epoch === run.epochs ? `${run.epochs}` : `${run.epoch} of ${run.epochs}`)).join(', ');
}
