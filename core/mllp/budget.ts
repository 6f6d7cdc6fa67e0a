/**
 * The listener-wide budget of frame bytes received and not yet answered.
 * Each connection already handles one frame at a time; this bounds the sum
 * over all connections, so N pipelining senders of 1 MiB frames cannot make
 * the process parse, map and journal N large messages at once (parsing a
 * 1 MiB message of short OBX segments costs tens of MB of objects).
 */
export class ByteBudget {
  private used = 0;
  private readonly waiting: Array<{ bytes: number; grant: () => void }> = [];

  /** `limit` in bytes; a frame larger than the whole budget is let in alone, when nothing else is in flight. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`Expected \`limit\` to be an integer >= 1, got \`${String(limit)}\` (${typeof limit})`);
  }

  /** Bytes currently granted. */
  get inUse(): number {
    return this.used;
  }

  /** Frames waiting for room. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves once `bytes` fit, with the function that gives them back (call it
   * exactly once). First come, first served: a large frame is not starved by
   * a stream of small ones that would fit.
   */
  acquire(bytes: number): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.used += bytes;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.used -= bytes;
          this.wake();
        });
      };
      if (this.waiting.length === 0 && this.fits(bytes)) grant();
      else this.waiting.push({ bytes, grant });
    });
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }

  private wake(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) this.waiting.shift()!.grant();
  }
}
