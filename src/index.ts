/// <reference types="@webgpu/types" preserve="true" />
/**
 * webgpu-aae: hand-written WebGPU kernels with a small tape autograd.
 *
 *   const engine = await createEngine();
 *   const model = mlp(engine, [2, 64, 3]);
 *   const loss = softmaxCrossEntropy(model.forward(x), labels);
 *   backward(loss);
 */

// Device, tensors, memory
export { createEngine, TUNING_VARIABLE, type EngineOptions } from './device/create-engine.js';
export { Engine, type MemoryStats, type UniformBlock } from './device/engine.js';
export type { EngineInfo } from './device/adapter-info.js';
export { CapturedStep } from './device/captured-step.js';
export type { KernelProfile, KernelTime } from './device/profiler.js';
export { Tensor, type DType, type TensorData } from './tensor/tensor.js';
export { type Shape, formatShape, sizeOf, broadcastShapes } from './tensor/shape.js';
export { defineKernel, perElementLaunch, linearWorkgroups, linearGrid, type KernelDefinition, type KernelLaunch, type BindingAccess } from './kernels/kernel.js';

// Kernel variants and tuning
export { planMatmul, type AdapterKind, type MatmulPlan, type MatmulProblem } from './kernels/matmul-plan.js';
export { MATMUL_VARIANTS, findMatmulVariant, type MatmulVariant } from './kernels/matmul-variants.js';
export { TUNING_MODES, type TuningMode, type TuningReport, type TunableDispatch } from './tuning/tuner.js';

// Autograd
export { backward, record, type TapeNode } from './autograd/tape.js';
export { OP_NAMES, type OpName } from './autograd/op-names.js';

// Ops
export { fill, zeros, ones, copy } from './launch/fill.js';
export { add, sub, mul, div, neg, addScalar, mulScalar } from './ops/arithmetic.js';
export { exp, log, sqrt, square, relu, leakyRelu, sigmoid, tanh, softplus, clamp, activationBackward } from './ops/unary.js';
export { sum, mean, max, sumToShape } from './ops/reduce.js';
export { broadcastTo } from './ops/broadcast.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { concat } from './ops/concat.js';
export { gatherRows } from './ops/gather.js';
export { oneHot } from './ops/one-hot.js';
export { matmul, linear, type Activation, type MatmulOptions } from './ops/matmul.js';
export { reparameterize } from './ops/reparameterize.js';
export { bceWithLogits } from './ops/losses/bce-with-logits.js';
export { mse } from './ops/losses/mse.js';
export { gaussianKl } from './ops/losses/gaussian-kl.js';
export { softmaxCrossEntropy } from './ops/losses/softmax-cross-entropy.js';
export type { Reduction } from './ops/losses/reduction.js';

// Random numbers
export { Random } from './random/philox.js';
export { deriveSeed } from './random/seeded.js';

// Optimizers
export { Optimizer } from './optim/optimizer.js';
export { Adam, type AdamOptions } from './optim/adam.js';
export { Sgd, type SgdOptions } from './optim/sgd.js';

// Networks
export { Module, type StateDict } from './nn/module.js';
export { Linear, type LinearOptions } from './nn/linear.js';
export { Mlp, mlp, type MlpOptions } from './nn/mlp.js';
export { initWeights, type InitScheme } from './nn/init.js';

// Data helpers
export { spirals, type ToyDataset } from './data/spirals.js';
export { accuracy } from './data/accuracy.js';
export { gaussianBlobs, syntheticImages, SYNTHETIC_SHAPES } from './data/toy2d.js';
export { parseIdx, encodeIdx, isGzip } from './data/idx.js';
export { loadMnist, MnistNotInstalledError, mnistFromIdx, MNIST_FILES, splitMnist, selectImages, type IdxFile, type LabelledImages, type Mnist, type MnistSplit } from './data/mnist.js';
export { Batcher, pickLabels, type BatcherOptions } from './data/batcher.js';
export { uploadImages, gatherImages, type GpuImageSet } from './data/gpu-images.js';

// Pictures and checkpoints (browser-safe parts; file writing lives in the CLI)
export { encodePng, decodePng, crc32, type PngImage } from './image/png.js';
export { createRaster, drawText, type Raster } from './image/raster.js';
export { imageGrid, sideBySide, styleContentGrid } from './image/grid.js';
export { latentScatter } from './image/scatter.js';
export { drawLineChart, type ChartSeries, type ChartPoint, type LineChartOptions } from './image/line-chart.js';
export { project2d } from './image/principal-components.js';
export { encodeSafetensors, decodeSafetensors, SafetensorsError } from './checkpoint/safetensors.js';
export { readStateDict, readModules, loadIntoModule, loadModules } from './checkpoint/module-state.js';

// Models
export { defaultConfig, DEFAULT_MODEL, MODEL_DEFAULTS, type ModelConfig } from './models/config.js';
export { HIDDEN_SIZES, MODEL_KINDS, type ModelArchitecture, type ModelKind, type Posterior, type SizePreset } from './models/architecture.js';
export type { TrainingSettings } from './models/training-settings.js';
export { createPrior, type Prior, type PriorName } from './models/priors.js';
export { createModel } from './models/create-model.js';
export { GenerativeModel, type TrainingBatch } from './models/model.js';
export { Autoencoder } from './models/autoencoder.js';
export { Gan } from './models/gan.js';
export { AdversarialAutoencoder } from './models/aae.js';
export { Encoder, type Encoding } from './models/encoder.js';
export { CategoricalAae, ClusterHeads } from './models/categorical-aae.js';
export { VaeGan } from './models/vae-gan.js';
export { headSeparation } from './ops/losses/head-separation.js';

// Evaluation: Gaussian mixtures by EM, Parzen-window log-likelihood
export * from './gmm/index.js';
export { parzenLogLikelihood, parzenLogLikelihoods, parzenLogDensities, chooseSigma, type ParzenOptions, type SigmaScore } from './evaluation/parzen.js';
export { DigitClassifier, trainDigitClassifier, digitClassifierFor, accuracyOf, DIGIT_CLASSIFIER_DEFAULTS, type DigitClassifierOptions } from './evaluation/digit-classifier.js';
export { styleContentAccuracy, columnAccuracy, styleGrid, decoderCategories, type StyleContentOptions } from './evaluation/style-content.js';

// Training without files (the CLI's trainer and the browser page share these)
export { TrainingSteps, type TrainingStepsOptions } from './training/training-steps.js';
export { RUN_DEFAULTS, type RunSettings } from './training/run-settings.js';
export { traceLosses } from './training/loss-trace.js';
export { samplesPicture, reconstructionsPicture, latentPicture } from './training/pictures.js';
export { TrainingCurves } from './training/training-curves.js';
export { encodeImages, reconstructionBce, componentAccuracy } from './training/evaluate.js';
export { createModelPrior } from './models/priors.js';
