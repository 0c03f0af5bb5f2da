import {
  createModel,
  createModelPrior,
  defaultConfig,
  deriveSeed,
  RUN_DEFAULTS,
  encodeImages,
  latentPicture,
  samplesPicture,
  splitMnist,
  TrainingSteps,
  uploadImages,
  type Engine,
  type GenerativeModel,
  type GpuImageSet,
  type Mnist,
  type ModelConfig,
  type Raster,
} from '../src/index.js';
import type { LossPoint } from './canvas.js';

/** What the page shows; LiveTraining calls these as training goes. */
export interface TrainingView {
  losses(points: readonly LossPoint[], names: readonly string[]): void;
  pictures(latent: Raster, samples: Raster): void;
  status(text: string): void;
  stopped(error?: Error): void;
}

/** Test digits whose codes make the latent map. */
const MAP_IMAGES = 1000;
/** Wall time between two readbacks of the losses: short enough to feel live, long enough to keep the GPU busy. */
const READ_INTERVAL_MS = 150;
/** Wall time between two redraws of the latent map and samples. */
const PICTURE_INTERVAL_MS = 1500;

/**
 * Trains one model on the page, a few steps at a time. Steps are the library's own TrainingSteps (the
 * same minibatches, prior samples and kernels as `webgpu-aae train` in Node); between batches of steps
 * it reads the losses back, redraws now and then, and yields to the browser so the page never freezes.
 */
export class LiveTraining {
  readonly points: LossPoint[] = [];
  private model: GenerativeModel | null = null;
  private steps: TrainingSteps | null = null;
  private readonly trainImages: GpuImageSet;
  private readonly mapImages: GpuImageSet;
  /** Whether the loop should go on; the loop itself may still be finishing its last batch. */
  private wanted = false;
  private loop: Promise<void> | null = null;
  private stepsPerSecond = 0;

  constructor(
    private readonly engine: Engine,
    private readonly data: Mnist,
    private readonly view: TrainingView,
  ) {
    this.trainImages = uploadImages(engine, data.train.images, data.train.count, data.train.pixels);
    const mapCount = Math.min(MAP_IMAGES, data.test.count);
    this.mapImages = uploadImages(engine, data.test.images.subarray(0, mapCount * data.test.pixels), mapCount, data.test.pixels);
  }

  /** True from start() until the loop has finished (after a pause, once its last batch and pictures are done). */
  get isRunning(): boolean {
    return this.loop !== null;
  }

  get stepCount(): number {
    return this.steps?.steps ?? 0;
  }

  get config(): ModelConfig | null {
    return this.model?.config ?? null;
  }

  /** A fresh model (and a fresh loss history); stops a running one first. */
  async reset(config: Partial<ModelConfig>): Promise<void> {
    await this.pause();
    this.steps?.dispose();
    this.model?.dispose();
    this.points.length = 0;
    this.stepsPerSecond = 0;
    this.model = createModel(this.engine, defaultConfig({ pixels: this.data.train.pixels, latent: 2, ...config }));
    const split = splitMnist(this.data, { validation: 0, seed: this.model.config.seed });
    this.steps = new TrainingSteps(this.model, { images: this.trainImages, train: this.data.train, split, batchSize: RUN_DEFAULTS.batchSize });
    this.view.losses(this.points, this.model.lossNames);
    await this.drawPictures();
    this.view.status(`Ready: ${describe(this.model.config)}. Press Start.`);
  }

  start(): void {
    if (this.loop || !this.steps) return;
    this.wanted = true;
    this.loop = this.run().then(
      () => {
        this.loop = null;
      },
      (error: Error) => {
        this.loop = null;
        this.wanted = false;
        this.view.stopped(error);
      },
    );
  }

  /** Stops after the steps in flight; resolves once the loop has finished. */
  async pause(): Promise<void> {
    this.wanted = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const steps = this.steps!;
    const model = this.model!;
    let batch = 1;
    let lastPictures = performance.now();
    while (this.wanted) {
      const started = performance.now();
      for (let i = 0; i < batch; i++) steps.step();
      const losses = await steps.readLosses();
      const seconds = (performance.now() - started) / 1000;
      const bad = Object.entries(losses).find(([, value]) => !Number.isFinite(value));
      if (bad) throw new Error(`training stopped: the ${bad[0]} loss became ${bad[1]} at step ${steps.steps}. Reset, perhaps with another seed.`);
      // The steps per second of this batch, smoothed; the next batch is sized to last about READ_INTERVAL_MS.
      const rate = batch / seconds;
      this.stepsPerSecond = this.stepsPerSecond === 0 ? rate : 0.8 * this.stepsPerSecond + 0.2 * rate;
      batch = Math.max(1, Math.min(50, Math.round((this.stepsPerSecond * READ_INTERVAL_MS) / 1000)));
      this.points.push({ step: steps.steps, losses, stepsPerSecond: this.stepsPerSecond });
      this.view.losses(this.points, model.lossNames);
      this.view.status(
        `Step ${steps.steps} (epoch ${(steps.steps / steps.stepsPerEpoch).toFixed(2)} of ${this.data.train.count.toLocaleString('en')} images), ` +
          `${this.stepsPerSecond.toFixed(1)} steps/s.`,
      );
      if (performance.now() - lastPictures > PICTURE_INTERVAL_MS) {
        await this.drawPictures();
        lastPictures = performance.now();
      }
      // Let the browser paint and handle input before the next batch.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await this.drawPictures();
    this.view.status(`Paused at step ${steps.steps}.`);
  }

  private async drawPictures(): Promise<void> {
    const model = this.model!;
    const codes = await encodeImages(model, this.mapImages);
    const labels = this.data.test.labels.subarray(0, this.mapImages.count);
    const latent = latentPicture(codes, model.config.latent, labels, `step ${this.stepCount}`, { size: 420 });
    // The same prior samples at every redraw, so the grid shows the decoder changing, not the samples.
    const samples = await samplesPicture(model, createModelPrior(model.config, deriveSeed(model.config.seed, 20_000)), 100);
    this.view.pictures(latent, samples);
  }
}

function describe(config: ModelConfig): string {
  const network = `784-${config.hidden.join('-')}-${config.latent}`;
  if (config.model === 'aae') return `${config.conditional ? 'label-conditioned ' : ''}AAE with a ${config.prior} prior, ${network}, seed ${config.seed}`;
  return `${config.model.toUpperCase()}, ${network}, seed ${config.seed}`;
}
