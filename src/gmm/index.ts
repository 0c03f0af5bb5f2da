export { fitGmm, gmmLogProbabilities, type GaussianMixture, type GmmOptions } from './fit.js';
export { covarianceShape, type CovarianceType, type MixtureParameters } from './mixture.js';
export type { GmmInitialization } from './initialise.js';
