import { createEngine, HIDDEN_SIZES, traceLosses, type Engine, type EngineInfo, type ModelConfig, type Mnist, type SizePreset } from '../src/index.js';
import { drawLossChart, drawRaster, type LossPoint } from './canvas.js';
import { LiveTraining } from './live-training.js';
import { loadPageMnist } from './load-mnist.js';
import { engineOptionsFromAddress, missingWebGpuMessage, showProblem } from './webgpu-support.js';

/**
 * The page: checks for WebGPU, loads the MNIST subset, and wires the controls to a LiveTraining.
 * `window.webgpuAaePage` exposes the state and a loss trace for the browser test (test/web/browser.test.ts).
 */

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const controls = {
  model: element<HTMLSelectElement>('model'),
  prior: element<HTMLSelectElement>('prior'),
  size: element<HTMLSelectElement>('size'),
  seed: element<HTMLInputElement>('seed'),
  start: element<HTMLButtonElement>('start'),
  pause: element<HTMLButtonElement>('pause'),
  reset: element<HTMLButtonElement>('reset'),
};
const canvases = {
  latent: element<HTMLCanvasElement>('latent'),
  samples: element<HTMLCanvasElement>('samples'),
  losses: element<HTMLCanvasElement>('losses'),
};
const status = element<HTMLParagraphElement>('status');

interface PageApi {
  ready: boolean;
  error: string | null;
  adapter: string;
  steps(): number;
  running(): boolean;
  points(): readonly LossPoint[];
  traceLosses(config: Partial<ModelConfig>, steps: number): Promise<Record<string, number>[]>;
  /** What kernel tuning measured and picked (?tuning=measure|cached|off chooses the mode). */
  tuning(): EngineInfo['tuning'];
}
declare global {
  interface Window {
    webgpuAaePage: PageApi;
  }
}

/** The model the controls describe. */
function chosenConfig(): Partial<ModelConfig> {
  const choice = controls.model.value;
  const seed = Number(controls.seed.value);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`The seed must be a whole number from 0 to 4294967295, got '${controls.seed.value}'.`);
  return {
    model: choice === 'aae-conditional' ? 'aae' : (choice as ModelConfig['model']),
    conditional: choice === 'aae-conditional',
    // The VAE's prior is N(0, I) whatever the menu says; the plain AE has none, and shows how its codes
    // sit against N(0, I).
    prior: choice.startsWith('aae') ? (controls.prior.value as ModelConfig['prior']) : 'gaussian',
    hidden: HIDDEN_SIZES[controls.size.value as SizePreset],
    seed,
  };
}

function syncButtons(training: LiveTraining | null): void {
  const running = training?.isRunning ?? false;
  controls.start.disabled = !training || running;
  controls.pause.disabled = !training || !running;
  controls.reset.disabled = !training;
  // Priors only shape the AAEs' codes.
  controls.prior.disabled = !controls.model.value.startsWith('aae');
}

async function main(): Promise<void> {
  const page: PageApi = {
    ready: false,
    error: null,
    adapter: '',
    steps: () => 0,
    running: () => false,
    points: () => [],
    traceLosses: () => Promise.reject(new Error('the page is not ready')),
    tuning: () => undefined,
  };
  window.webgpuAaePage = page;
  const missing = missingWebGpuMessage('the page cannot train');
  if (missing) {
    page.error = 'no navigator.gpu';
    showProblem(missing);
    return;
  }
  let engine: Engine;
  let data: Mnist;
  try {
    [engine, data] = await Promise.all([createEngine(engineOptionsFromAddress()), loadPageMnist()]);
  } catch (error) {
    page.error = (error as Error).message;
    showProblem(`WebGPU could not start: ${(error as Error).message}`);
    return;
  }
  const info = engine.info();
  page.adapter = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.replace(/\s+/g, ' ').trim();
  element('adapter').textContent = `WebGPU adapter: ${page.adapter || 'unnamed'}. Data: ${data.train.count.toLocaleString('en')} training and ${data.test.count.toLocaleString('en')} test images of MNIST.`;

  const training = new LiveTraining(engine, data, {
    losses: (points, names) => drawLossChart(canvases.losses, points, names),
    pictures: (latent, samples) => {
      drawRaster(canvases.latent, latent);
      drawRaster(canvases.samples, samples);
    },
    status: (text) => (status.textContent = text),
    stopped: (error) => {
      if (error) {
        page.error = error.message;
        status.textContent = error.message;
      }
      syncButtons(training);
    },
  });
  page.tuning = () => engine.info().tuning;
  page.steps = () => training.stepCount;
  page.running = () => training.isRunning;
  page.points = () => training.points;
  page.traceLosses = async (config, steps) => {
    let trace: Record<string, number>[] = [];
    await guard(async () => {
      await training.pause();
      trace = await traceLosses(engine, config, data.train, steps);
    });
    if (page.error) throw new Error(page.error);
    return trace;
  };

  // One action at a time: a reset must not dispose a model that another reset is still drawing.
  let queue: Promise<void> = Promise.resolve();
  const guard = (action: () => Promise<void> | void) =>
    (queue = queue.then(async () => {
      try {
        await action();
      } catch (error) {
        page.error = (error as Error).message;
        status.textContent = (error as Error).message;
      }
      syncButtons(training);
    }));
  const reset = () => guard(() => training.reset(chosenConfig()));
  controls.start.addEventListener('click', () => guard(() => training.start()));
  controls.pause.addEventListener('click', () => guard(() => training.pause()));
  controls.reset.addEventListener('click', reset);
  // A new model or seed takes effect at once, as a reset.
  for (const control of [controls.model, controls.prior, controls.size, controls.seed]) control.addEventListener('change', reset);

  await reset();
  page.ready = true;
}

void main();
