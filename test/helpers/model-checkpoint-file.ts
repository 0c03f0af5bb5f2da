import type { Engine } from '../../src/device/engine.js';
import { defaultConfig, type ModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/create-model.js';
import { saveModelCheckpoint } from '../../src/training/model-checkpoint.js';
import { RUN_DEFAULTS } from '../../src/training/run-settings.js';

/** A checkpoint of a fresh (untrained) model of MNIST's size, saved as after `epoch` epochs: for the commands that read one. */
export async function writeFreshCheckpoint(engine: Engine, path: string, overrides: Partial<ModelConfig>, epoch = 0): Promise<void> {
  const model = createModel(engine, defaultConfig({ hidden: [16], latent: 2, ...overrides }));
  try {
    await saveModelCheckpoint(path, model, { epoch, steps: 0 }, RUN_DEFAULTS);
  } finally {
    model.dispose();
  }
}
