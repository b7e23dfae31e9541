// The outbox: what the visitor typed, kept (and persisted) until the server accepts it,
// sent one at a time in order. Each message keeps one `external_id` for all its attempts:
// the server answers a repeat with the first result, so a retry after a lost response
// never stores the message twice.
import type { Accepted, Api, ApiFailure } from './api';
import type { QueuedMessage } from './storage';
import type { Contact } from './validate';

export type QueueStatus =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'waiting'; nextAt: number; error: ApiFailure; attempt: number }
  | { kind: 'failed'; error: ApiFailure };

export interface QueueHooks {
  contact(): Contact | undefined;
  token(): string | undefined;
  persist(items: QueuedMessage[]): void;
  accepted(item: QueuedMessage, a: Accepted): void;
  /** The server refused the chat token (403): forget it, the next attempt starts a new session. */
  tokenRejected(): void;
  /** The server refused the contact (422 on `customer.*`): ask the visitor again. */
  contactRejected(error: ApiFailure): void;
  status(s: QueueStatus): void;
}

export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 30_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export function backoff(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  // Equal jitter: never less than half the step, so a crowd of widgets spreads out.
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function newKey(): string {
  try {
    if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return `w-${crypto.randomUUID()}`;
  } catch {
    /* insecure context */
  }
  const rnd = () => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return `w-${Date.now().toString(16)}-${rnd()}${rnd()}${rnd()}`;
}

export class SendQueue {
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private stopped = false;
  private current: QueueStatus = { kind: 'idle' };

  constructor(
    private items: QueuedMessage[],
    private readonly api: Api,
    private readonly hooks: QueueHooks,
    private readonly random: () => number = Math.random,
  ) {}

  get pending(): readonly QueuedMessage[] {
    return this.items;
  }

  get status(): QueueStatus {
    return this.current;
  }

  enqueue(content: string, now = Date.now()): QueuedMessage {
    const item = { key: newKey(), content, at: now };
    this.items = [...this.items, item];
    this.hooks.persist(this.items);
    this.kick();
    return item;
  }

  /** Removes a message that cannot be sent (the visitor chose to discard it). */
  drop(key: string): void {
    this.items = this.items.filter((i) => i.key !== key);
    this.hooks.persist(this.items);
    if (this.current.kind === 'failed') this.set({ kind: 'idle' });
    this.kick();
  }

  /** Sends now, skipping any wait (the visitor's "Retry now", the browser coming online). */
  retryNow(): void {
    this.clearTimer();
    if (this.current.kind === 'waiting' || this.current.kind === 'failed') this.set({ kind: 'idle' });
    this.kick();
  }

  kick(): void {
    if (this.stopped || this.busy || this.timer !== undefined) return;
    if (this.current.kind === 'failed') return;
    void this.pump().catch(() => {
      this.busy = false;
    });
  }

  /** Forgets everything (start over). */
  reset(): void {
    this.clearTimer();
    this.items = [];
    this.attempt = 0;
    this.hooks.persist(this.items);
    this.set({ kind: 'idle' });
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private set(s: QueueStatus): void {
    this.current = s;
    try {
      this.hooks.status(s);
    } catch {
      /* a listener's failure is not the queue's */
    }
  }

  private async pump(): Promise<void> {
    this.busy = true;
    let rekeyed = 0;
    try {
      while (!this.stopped && this.items.length) {
        const item = this.items[0];
        const contact = this.hooks.contact();
        if (!contact) {
          this.set({ kind: 'idle' });
          return;
        }
        this.set({ kind: 'sending' });
        const token = this.hooks.token();
        const r = await this.api.receive({
          channel: 'chat',
          content: item.content,
          customer: contact,
          external_id: item.key,
          ...(token ? { chat_token: token } : {}),
        });
        if (this.stopped) return;
        // A reset while the request was out: its answer belongs to the old session.
        if (this.items[0] !== item) continue;
        if (r.ok) {
          this.attempt = 0;
          this.items = this.items.slice(1);
          this.hooks.persist(this.items);
          this.hooks.accepted(item, r.value);
          continue;
        }
        const e = r.error;
        if (e.retry) {
          this.attempt += 1;
          const delay = e.retryAfterMs !== undefined ? Math.min(e.retryAfterMs, MAX_RETRY_AFTER_MS) : backoff(this.attempt, this.random);
          this.set({ kind: 'waiting', nextAt: Date.now() + delay, error: e, attempt: this.attempt });
          this.timer = setTimeout(() => {
            this.timer = undefined;
            this.kick();
          }, delay);
          return;
        }
        this.attempt = 0;
        if (e.field === 'chat_token' && token) {
          this.hooks.tokenRejected();
          continue;
        }
        if (e.field === 'external_id' && rekeyed++ < 1) {
          // The key was used for another body (the contact changed under it): a new key.
          const fresh = { ...item, key: newKey() };
          this.items = [fresh, ...this.items.slice(1)];
          this.hooks.persist(this.items);
          continue;
        }
        if (e.field && e.field.startsWith('customer')) this.hooks.contactRejected(e);
        this.set({ kind: 'failed', error: e });
        return;
      }
      if (!this.stopped) this.set({ kind: 'idle' });
    } finally {
      this.busy = false;
    }
  }
}
