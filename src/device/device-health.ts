/**
 * Whether the device still works, and what went wrong on it: validation errors Dawn reports on its own
 * time (collected here, thrown by the engine's next read or sync) and the loss of the device, which
 * fails every wait at once instead of leaving it hanging.
 */
export class DeviceHealth {
  private readonly errors: string[] = [];
  private lostReason: string | null = null;
  private readonly lost: Promise<never>;
  private disposed = false;

  constructor(device: GPUDevice) {
    device.addEventListener('uncapturederror', (event) => {
      this.errors.push((event as GPUUncapturedErrorEvent).error.message);
    });
    this.lost = device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`;
      throw new Error(`The GPU device was lost (${this.lostReason}). Create a new engine to continue.`);
    });
    this.lost.catch(() => {});
  }

  /** Rejects as soon as the device is lost instead of waiting forever. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.lost]);
  }

  /** Throws, naming `op`, when the engine was disposed or its device lost. */
  checkUsable(op: string): void {
    if (this.disposed) throw new Error(`${op}: this engine was disposed. Create a new one with createEngine().`);
    if (this.lostReason) throw new Error(`${op}: the GPU device was lost (${this.lostReason}). Create a new engine to continue.`);
  }

  markDisposed(): void {
    this.disposed = true;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Throws every error reported so far: `pendingChecks` (pipeline compilations) first, then the device's own. */
  async throwErrors(pendingChecks: Promise<string | null>[]): Promise<void> {
    const messages = (await Promise.all(pendingChecks)).filter((message): message is string => message !== null);
    messages.push(...this.errors.splice(0));
    if (messages.length > 0) throw new Error(`GPU error: ${messages.join('\n')}`);
  }
}
