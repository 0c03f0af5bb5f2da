// Timing: warm-up, then rounds in which every system runs once in turn (A B C A B C ...), so that the
// drift of a shared, noisy machine falls on all systems alike. Reports median, min and max per system.

/** One system's prepared workload: `run` is what is timed, and must end with its results on the CPU. */
export interface Runner {
  /** Untimed work before each timed run (e.g. switching tfjs to this peer's backend). */
  before?(): Promise<void>;
  run(): Promise<void>;
  dispose(): void;
  /** Kernel workloads: one operation's whole result, untimed, for the agreement check before timing. */
  result?(): Promise<Float32Array>;
}

export interface TimingStats {
  medianMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
}

export interface TimingPlan {
  warmup: number;
  /** Rounds always run, whatever the time. */
  minSamples: number;
  maxSamples: number;
  /** Stop adding rounds once this much time has gone into the timed rounds (after minSamples). */
  budgetMs: number;
}

export type TimingOutcome = { ok: true; stats: TimingStats } | { ok: false; error: string };

export function summarize(times: readonly number[]): TimingStats {
  const sorted = [...times].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const medianMs = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { medianMs, minMs: sorted[0], maxMs: sorted[sorted.length - 1], samples: sorted.length };
}

/** Times every runner, interleaved. A runner that throws is dropped from later rounds and reported. */
export async function timeInterleaved(runners: ReadonlyMap<string, Runner>, plan: TimingPlan): Promise<Map<string, TimingOutcome>> {
  const times = new Map<string, number[]>([...runners.keys()].map((name) => [name, []]));
  const errors = new Map<string, string>();
  const runOnce = async (name: string, runner: Runner): Promise<number | null> => {
    if (errors.has(name)) return null;
    try {
      await runner.before?.();
      const start = performance.now();
      await runner.run();
      return performance.now() - start;
    } catch (error) {
      errors.set(name, error instanceof Error ? error.message : String(error));
      return null;
    }
  };
  for (let round = 0; round < plan.warmup; round++) {
    for (const [name, runner] of runners) await runOnce(name, runner);
  }
  const started = performance.now();
  for (let round = 0; round < plan.maxSamples; round++) {
    if (round >= plan.minSamples && performance.now() - started > plan.budgetMs) break;
    for (const [name, runner] of runners) {
      const elapsed = await runOnce(name, runner);
      if (elapsed !== null) times.get(name)!.push(elapsed);
    }
  }
  const outcomes = new Map<string, TimingOutcome>();
  for (const name of runners.keys()) {
    const error = errors.get(name);
    const samples = times.get(name)!;
    if (error !== undefined) outcomes.set(name, { ok: false, error });
    else outcomes.set(name, { ok: true, stats: summarize(samples) });
  }
  return outcomes;
}

/** Milliseconds `fn` takes once (for one-off costs such as the first training step). */
export async function timeOnce(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
