/**
 * While any Dawn promise is pending, dawn.node polls for its events by re-arming itself with the global
 * `setImmediate`, which spins the JS thread at 100 % of a core for as long as the adapter works. On a
 * software adapter that core is one the adapter needed: on two cores a spinning wait made a whole
 * training step about 1.5x slower. So while we wait, polls after the first half millisecond go through
 * a 1 ms timer instead: short waits stay fast, long waits leave the CPU to the adapter.
 */

const SPIN_BUDGET_MS = 0.5;
const POLL_INTERVAL_MS = 1;

type Immediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;

export class GentlePolling {
  private waits = 0;
  private waitStartedAt = 0;
  private originalSetImmediate: Immediate | null = null;
  private originalClearImmediate: ((handle: unknown) => void) | null = null;
  private readonly timers = new WeakSet<object>();

  constructor(private readonly enabled: boolean) {}

  /** Runs `promise` to its end with the gentle poll in force. */
  async wait<T>(promise: Promise<T>): Promise<T> {
    this.begin();
    try {
      return await promise;
    } finally {
      this.end();
    }
  }

  private begin(): void {
    if (!this.enabled) return;
    if (this.waits++ > 0) return;
    this.waitStartedAt = performance.now();
    const scope = globalThis as unknown as { setImmediate: Immediate; clearImmediate(handle: unknown): void };
    const originalSet = scope.setImmediate;
    const originalClear = scope.clearImmediate;
    this.originalSetImmediate = originalSet;
    this.originalClearImmediate = originalClear;
    const polling = this;
    scope.setImmediate = function gentleSetImmediate(callback, ...args) {
      if (performance.now() - polling.waitStartedAt < SPIN_BUDGET_MS) return originalSet(callback, ...args);
      const timer = setTimeout(callback, POLL_INTERVAL_MS, ...args);
      polling.timers.add(timer);
      return timer;
    };
    scope.clearImmediate = function gentleClearImmediate(handle) {
      // A handle we made with setTimeout must be cleared as a timer.
      if (handle && typeof handle === 'object' && polling.timers.has(handle)) {
        clearTimeout(handle as ReturnType<typeof setTimeout>);
      } else {
        originalClear(handle);
      }
    };
  }

  private end(): void {
    if (!this.enabled) return;
    if (--this.waits > 0) return;
    const scope = globalThis as unknown as { setImmediate: Immediate; clearImmediate(handle: unknown): void };
    if (this.originalSetImmediate) scope.setImmediate = this.originalSetImmediate;
    if (this.originalClearImmediate) scope.clearImmediate = this.originalClearImmediate;
    this.originalSetImmediate = null;
    this.originalClearImmediate = null;
  }
}
