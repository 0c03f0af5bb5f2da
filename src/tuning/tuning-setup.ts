// How an engine's tuner is set up: the mode (option, environment variable, or the adapter kind's default)
// and the cache its picks live in, read before the engine starts; then the tuner itself.
import type { AdapterKind } from '../kernels/matmul-plan.js';
import { MATMUL_SOURCES } from '../kernels/matmul-variants.js';
import { ENGINE_VERSION } from '../version.js';
import type { EngineInfo } from '../device/adapter-info.js';
import { launchTimer, type LaunchTimerOptions } from './launch-timer.js';
import { Tuner, TUNING_MODES, type TuningMode, type TuningPick } from './tuner.js';
import { defaultCacheStore, hashText, TuningCache } from './tuning-cache.js';

/** The environment variable that sets the tuning mode when createEngine is not given one. */
export const TUNING_VARIABLE = 'WEBGPU_AAE_TUNING';

/** The engine's version and its matmul kernels' text: a tuning cache made by others is not used. */
const KERNEL_REVISION = `${ENGINE_VERSION}+${hashText(MATMUL_SOURCES.join('\n')).toString(16)}`;

/**
 * The option if given, else the environment variable, else 'measure' on a GPU and 'cached' on a CPU
 * adapter (where compiling each candidate costs 0.3-2 s). An unknown value is an error naming its source.
 */
export function tuningMode(option: TuningMode | undefined, kind: AdapterKind): TuningMode {
  if (option !== undefined) {
    if (!(TUNING_MODES as readonly string[]).includes(option)) throw new Error(`createEngine: tuning '${option}' is not one of ${TUNING_MODES.join(', ')}.`);
    return option;
  }
  const variable = typeof process !== 'undefined' ? process.env?.[TUNING_VARIABLE] : undefined;
  if (variable === undefined || variable === '') return kind === 'gpu' ? 'measure' : 'cached';
  if (!(TUNING_MODES as readonly string[]).includes(variable)) {
    throw new Error(`${TUNING_VARIABLE}='${variable}' is not a tuning mode; use one of ${TUNING_MODES.join(', ')} (or unset it for the default).`);
  }
  return variable as TuningMode;
}

/**
 * The cache for `adapter` (`folder`, or the runtime's default; none when tuning is off or `folder` is
 * false) and the picks it holds.
 */
export async function openTuningCache(
  mode: TuningMode,
  adapter: string,
  folder: string | false | undefined,
  warn: (line: string) => void,
): Promise<{ cache: TuningCache | null; picks: Map<string, TuningPick> }> {
  const store = mode === 'off' || folder === false ? null : await defaultCacheStore(adapter, folder || undefined);
  const cache = store ? new TuningCache(store, { adapter, revision: KERNEL_REVISION }, warn) : null;
  return { cache, picks: cache ? await cache.load() : new Map() };
}

/** What createEngine resolved for tuning: the mode, the cache and its picks, where warnings go. */
export interface TuningSetup {
  mode: TuningMode;
  cache: TuningCache | null;
  picks: ReadonlyMap<string, TuningPick>;
  warn: (line: string) => void;
}

/**
 * The engine's tuner. It times candidates with timestamp queries in Node; browsers round timestamps
 * coarsely (Dawn's default), so there the wall clock over longer samples is better.
 */
export function createTuner(
  device: GPUDevice,
  adapter: Pick<EngineInfo, 'kind' | 'runtime'>,
  setup: TuningSetup,
  compile: LaunchTimerOptions['compile'],
  wait: <T>(promise: Promise<T>) => Promise<T>,
): Tuner {
  const timestamps = device.features.has('timestamp-query') && adapter.runtime === 'node';
  const timer = launchTimer({ device, kind: adapter.kind, timestamps, compile, wait });
  return new Tuner(setup.mode, timer, setup.cache, setup.picks, setup.warn);
}
