import type { EpochMetrics, TrainingProgress } from '../training/trainer.js';

const BAR_WIDTH = 24;

/** Short names for the losses on the progress line. */
const SHORT: Record<string, string> = { reconstruction: 'rec', discriminator: 'disc', generator: 'gen', kl: 'kl', classification: 'cls', prior: 'kl', featureReconstruction: 'feat', decoderGan: 'dec-gan', mutualInformation: 'mi' };

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** One line: epoch, a bar, steps, speed, time left in the epoch, and the latest losses. */
export function formatProgress(progress: TrainingProgress): string {
  const done = progress.step / progress.stepsPerEpoch;
  const filled = Math.round(done * BAR_WIDTH);
  const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? (filled === BAR_WIDTH ? '=' : '>') : '') + ' '.repeat(BAR_WIDTH - filled);
  const eta = (progress.stepsPerEpoch - progress.step) / progress.stepsPerSecond;
  const losses = Object.entries(progress.losses)
    .map(([name, value]) => `${SHORT[name] ?? name} ${value.toFixed(value >= 100 ? 1 : 3)}`)
    .join('  ');
  return (
    `epoch ${progress.epoch}/${progress.epochs} [${bar}] ${progress.step}/${progress.stepsPerEpoch}  ` +
    `${progress.stepsPerSecond.toFixed(1)} steps/s  ETA ${formatDuration(eta)}  ${losses}`
  );
}

/** The line after each epoch: its time and speed, then whichever evaluation metrics the model has. */
export function formatEpoch(metrics: EpochMetrics): string {
  const parts = [`epoch ${metrics.epoch} done in ${metrics.seconds.toFixed(1)} s (${metrics.stepsPerSecond.toFixed(1)} steps/s)`];
  if (metrics.reconstructionBce !== undefined) parts.push(`test reconstruction BCE ${metrics.reconstructionBce.toFixed(2)}`);
  if (metrics.componentAccuracy !== undefined) parts.push(`codes in their own component ${(100 * metrics.componentAccuracy).toFixed(1)} %`);
  if (metrics.testError !== undefined) parts.push(`test error ${(100 * metrics.testError).toFixed(2)} %`);
  if (metrics.validationError !== undefined) parts.push(`validation error ${(100 * metrics.validationError).toFixed(2)} %`);
  if (metrics.clusterError !== undefined) parts.push(`cluster error ${(100 * metrics.clusterError).toFixed(2)} %`);
  if (metrics.validationClusterError !== undefined) parts.push(`validation cluster error ${(100 * metrics.validationClusterError).toFixed(2)} %`);
  if (metrics.styleContentAccuracy !== undefined) parts.push(`style grid cells read as their column's digit ${(100 * metrics.styleContentAccuracy).toFixed(1)} %`);
  return parts.join(', ');
}

/**
 * Shows progress on a terminal by rewriting one line; elsewhere (CI logs, pipes) it prints a line at
 * most every few seconds, so logs stay short.
 */
export class ProgressReporter {
  private lastPrinted = 0;
  private lineOpen = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly everyMs = 5000,
  ) {}

  /** `label` names the run on the line, where several are trained one after another. */
  update(progress: TrainingProgress, label?: string): void {
    const line = (label ? `${label}  ` : '') + formatProgress(progress);
    if (this.stream.isTTY) {
      const width = this.stream.columns ?? 120;
      this.stream.write(`\r${line.slice(0, width - 1).padEnd(Math.min(width - 1, line.length))}\x1b[K`);
      this.lineOpen = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPrinted >= this.everyMs || progress.step === progress.stepsPerEpoch) {
      this.stream.write(line + '\n');
      this.lastPrinted = now;
    }
  }

  /** Ends the rewritten line before other output. */
  finishLine(): void {
    if (this.lineOpen) this.stream.write('\n');
    this.lineOpen = false;
  }
}
