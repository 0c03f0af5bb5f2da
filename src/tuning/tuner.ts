// Picks, per adapter, the fastest of the kernels that can compute the same thing (today: matmul's
// variants), by timing them on the first use of each problem. Ops ask `choose()` while they record
// work, which never waits: an unmeasured problem runs its fallback and is queued; the engine measures
// the queue at its next asynchronous point (a read, a sync, `engine.tune()`), never inside a replayed
// step, and recorded work that has not run yet, captured steps included, switches to the picks.
import type { KernelLaunch } from '../kernels/kernel.js';
import type { TuningCache } from './tuning-cache.js';

export const TUNING_MODES = ['measure', 'cached', 'off'] as const;
/**
 * `measure`: time the candidates of every new problem and remember the fastest (in memory and in the
 * cache); `cached`: use the cache's picks, measure nothing; `off`: always the planner's fallback.
 */
export type TuningMode = (typeof TUNING_MODES)[number];

/** A dispatch whose kernel may be any of several that compute the same result. */
export interface TunableDispatch {
  /** What the choice depends on besides the adapter, e.g. `matmul 100x1000x784 nn`. */
  readonly key: string;
  /** Runs when tuning is off and until the candidates are measured. */
  readonly fallback: KernelLaunch;
  /** Every launch worth timing, the fallback first; each takes the same bindings. */
  readonly candidates: readonly KernelLaunch[];
  /** Bytes of each binding, for measuring on scratch buffers of the same sizes. */
  readonly bindingBytes: readonly number[];
}

/** One candidate's measurement: milliseconds per dispatch, or why it was left out. */
export interface CandidateTiming {
  variant: string;
  ms: number | null;
  problem?: string;
}

/**
 * Times every candidate of `tunable` (the engine's is in launch-timer.ts; tests plant their own).
 * `prepare`, if given, starts the slow part (compiling) of a measurement that will follow, so that the
 * queue's compiles can run together.
 */
export type CandidateTimer = ((tunable: TunableDispatch) => Promise<CandidateTiming[]>) & { prepare?(tunable: TunableDispatch): void };

export interface TuningPick {
  variant: string;
  /** Milliseconds per dispatch of each candidate that ran correctly. */
  timings: Record<string, number>;
}

export interface TuningReport {
  mode: TuningMode;
  /** Where picks are kept between runs ('memory only' when nowhere). */
  cache: string;
  /** Problems measured by this engine, and the wall time that took (compiling candidates included). */
  measured: number;
  tuningMs: number;
  picks: { key: string; variant: string; ms: number | undefined; candidates: number }[];
}

export class Tuner {
  private readonly picks: Map<string, TuningPick>;
  private readonly pending = new Map<string, TunableDispatch>();
  private running: Promise<void> | null = null;
  private changes = 0;
  private measured = 0;
  private tuningMs = 0;
  private readonly warned = new Set<string>();

  constructor(
    readonly mode: TuningMode,
    private readonly timer: CandidateTimer,
    private readonly cache: TuningCache | null,
    initialPicks: ReadonlyMap<string, TuningPick>,
    private readonly warn: (line: string) => void,
  ) {
    this.picks = new Map(initialPicks);
  }

  /** Bumped whenever a pick changes: recorded work made before must be resolved again. */
  get generation(): number {
    return this.changes;
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** The launch to record now. Never waits; a problem never seen is queued for measurement. */
  choose(tunable: TunableDispatch): KernelLaunch {
    if (this.mode === 'off' || tunable.candidates.length < 2) return tunable.fallback;
    const pick = this.picks.get(tunable.key);
    if (pick) {
      const launch = tunable.candidates.find((candidate) => candidate.variant === pick.variant);
      if (launch) return launch;
      this.warnOnce(`tuning: the cached pick '${pick.variant}' for ${tunable.key} is not a candidate on this adapter; ${this.mode === 'measure' ? 'measuring again' : 'using the default'}.`);
      this.picks.delete(tunable.key);
    }
    if (this.mode === 'measure') this.pending.set(tunable.key, tunable);
    return tunable.fallback;
  }

  /** Measures every queued problem, keeps the fastest candidate of each, and saves the picks. */
  async measurePending(): Promise<void> {
    while (this.pending.size > 0 || this.running) {
      this.running ??= this.measureQueue().finally(() => (this.running = null));
      await this.running;
    }
  }

  report(): TuningReport {
    return {
      mode: this.mode,
      cache: this.cache?.location ?? 'memory only',
      measured: this.measured,
      tuningMs: Math.round(this.tuningMs),
      picks: [...this.picks].map(([key, pick]) => ({ key, variant: pick.variant, ms: pick.timings[pick.variant], candidates: Object.keys(pick.timings).length })),
    };
  }

  private async measureQueue(): Promise<void> {
    const queue = [...this.pending.values()];
    this.pending.clear();
    if (queue.length === 0) return;
    const started = performance.now();
    for (const tunable of queue) this.timer.prepare?.(tunable);
    for (const tunable of queue) {
      const timings = await this.timer(tunable);
      for (const timing of timings) if (timing.problem) this.warnOnce(`tuning: ${timing.variant} left out for ${tunable.key}: ${timing.problem}`);
      const ran = timings.filter((timing): timing is CandidateTiming & { ms: number } => timing.ms !== null && Number.isFinite(timing.ms));
      // With nothing measured the fallback stays; remembering it keeps the problem from being measured again.
      const fastest = ran.reduce<(typeof ran)[number] | null>((best, timing) => (!best || timing.ms < best.ms ? timing : best), null);
      this.picks.set(tunable.key, { variant: fastest?.variant ?? tunable.fallback.variant, timings: Object.fromEntries(ran.map((t) => [t.variant, t.ms])) });
    }
    this.measured += queue.length;
    this.changes++;
    this.tuningMs += performance.now() - started;
    await this.cache?.save(this.picks);
  }

  private warnOnce(line: string): void {
    if (this.warned.has(line)) return;
    this.warned.add(line);
    this.warn(line);
  }
}
