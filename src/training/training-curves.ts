import { drawLineChart, type ChartPoint, type ChartSeries } from '../image/line-chart.js';
import type { Raster } from '../image/raster.js';

/**
 * A run's curves over its steps: every loss as the trainer read it back, and the per-epoch metrics at
 * each epoch's last step. `picture()` draws them one panel a series (the CLI writes it to curves.png
 * after each epoch). A resumed run starts from its earlier epochs' metrics lines, whose losses are the
 * epochs' means: the reads themselves were not kept.
 */

/** The per-epoch figures a curve is drawn for, by the name its panel shows (EpochMetrics' fields). */
const EPOCH_FIGURES = ['reconstructionBce', 'componentAccuracy', 'testError', 'validationError', 'clusterError', 'styleContentAccuracy', 'stepsPerSecond'] as const;
type EpochFigure = (typeof EPOCH_FIGURES)[number];

/** What an epoch's metrics line holds that the curves use (EpochMetrics satisfies it). */
export type EpochFigures = { steps: number; losses: Record<string, number> } & Partial<Record<EpochFigure, number>>;

export class TrainingCurves {
  private readonly losses = new Map<string, ChartPoint[]>();
  private readonly figures = new Map<EpochFigure, ChartPoint[]>();
  private lastStep = 0;

  /** `lossNames` fixes the losses' panel order (the model's `lossNames`). */
  constructor(lossNames: readonly string[]) {
    for (const name of lossNames) this.losses.set(name, []);
  }

  /** The losses read back after step `step` (counted from 1, over the whole run). */
  addLosses(step: number, losses: Record<string, number>): void {
    for (const [name, value] of Object.entries(losses)) this.seriesOf(this.losses, name).push({ x: step, y: value });
    this.lastStep = Math.max(this.lastStep, step);
  }

  /** An epoch's metrics, at the step the epoch ended on; figures it lacks (other models') are left out. */
  addEpoch(metrics: EpochFigures): void {
    for (const name of EPOCH_FIGURES) {
      const value = metrics[name];
      if (value !== undefined) this.seriesOf(this.figures, name).push({ x: metrics.steps, y: value });
    }
    this.lastStep = Math.max(this.lastStep, metrics.steps);
  }

  /** An earlier epoch of a resumed run: its mean losses stand for its reads. */
  addEarlierEpoch(metrics: EpochFigures): void {
    this.addLosses(metrics.steps, metrics.losses);
    this.addEpoch(metrics);
  }

  /** Every curve with at least one point: the losses first, in the model's order, then the epoch figures. */
  series(): ChartSeries[] {
    const all = [...this.losses, ...this.figures].map(([name, points]) => ({ name: name === 'stepsPerSecond' ? 'steps/s' : name, points }));
    return all.filter((one) => one.points.length > 0);
  }

  /** The curves as small multiples over steps 0 to the last; null before anything was recorded. */
  picture(): Raster | null {
    const series = this.series();
    if (series.length === 0) return null;
    return drawLineChart(series, { xRange: [0, Math.max(1, this.lastStep)], xLabel: 'step' });
  }

  private seriesOf<Name extends string>(map: Map<Name, ChartPoint[]>, name: Name): ChartPoint[] {
    let points = map.get(name);
    if (!points) map.set(name, (points = []));
    return points;
  }
}
