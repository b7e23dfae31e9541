// Reads the conversation again and again while someone is looking at it: quickly while a
// reply is awaited, slowly otherwise, backing off while the server is unreachable, and
// not at all while the panel is closed or the page hidden.
export type PollOutcome = { ok: true } | { ok: false; retryAfterMs?: number };

export const FAST_MS = 1200;
export const SLOW_MS = 10_000;
export const MAX_ERROR_DELAY_MS = 30_000;

export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private inFlight = false;
  private again = false;
  private failures = 0;

  constructor(
    private readonly poll: () => Promise<PollOutcome>,
    /** Whether a reply is awaited now (fast polling). */
    private readonly eager: () => boolean,
  ) {}

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.now();
  }

  stop(): void {
    this.running = false;
    this.clear();
  }

  /** Polls at once (e.g. right after a message was accepted), then resumes the rhythm. */
  now(): void {
    if (!this.running) return;
    this.clear();
    if (this.inFlight) {
      this.again = true;
      return;
    }
    void this.tick();
  }

  /** Re-plans the next poll (e.g. a reply became awaited: poll sooner). */
  reschedule(): void {
    if (!this.running || this.inFlight) return;
    this.schedule();
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    this.inFlight = true;
    let outcome: PollOutcome;
    try {
      outcome = await this.poll();
    } catch {
      outcome = { ok: false };
    }
    this.inFlight = false;
    if (outcome.ok) this.failures = 0;
    else this.failures += 1;
    if (!this.running) return;
    if (this.again) {
      this.again = false;
      void this.tick();
      return;
    }
    this.schedule(outcome.ok ? undefined : outcome.retryAfterMs);
  }

  private schedule(retryAfterMs?: number): void {
    this.clear();
    let delay = this.eager() ? FAST_MS : SLOW_MS;
    if (this.failures > 0) {
      delay = Math.max(delay, Math.min(MAX_ERROR_DELAY_MS, FAST_MS * 2 ** this.failures));
      if (retryAfterMs !== undefined) delay = Math.max(FAST_MS, retryAfterMs);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) void this.tick();
    }, delay);
  }
}
