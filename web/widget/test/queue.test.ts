import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Api, parseRetryAfter } from '../src/api';
import { backoff, SendQueue, type QueueHooks, type QueueStatus } from '../src/queue';
import type { QueuedMessage } from '../src/storage';
import { accepted, fakeFetch, json, type Handler } from './helpers';

const contact = { name: 'Lee', email: 'lee@example.com' };
const down: Handler = () => new TypeError('Failed to fetch');

function setup(handlers: Handler[], items: QueuedMessage[] = []) {
  const fetch = fakeFetch(...handlers);
  const persisted: QueuedMessage[][] = [];
  const statuses: QueueStatus[] = [];
  const acceptedItems: string[] = [];
  let token: string | undefined;
  const hooks: QueueHooks = {
    contact: () => contact,
    token: () => token,
    persist: (i) => persisted.push([...i]),
    accepted: (item, a) => {
      acceptedItems.push(item.content);
      token = a.chat_token;
    },
    tokenRejected: () => (token = undefined),
    contactRejected: vi.fn(),
    status: (s) => statuses.push(s),
  };
  const q = new SendQueue(items, new Api('https://api.example.com', fetch), hooks, () => 0.5);
  return { q, fetch, persisted, statuses, acceptedItems, hooks, setToken: (t: string) => (token = t) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('doubles up to a ceiling, with jitter in the upper half', () => {
    expect(backoff(1, () => 0)).toBe(500);
    expect(backoff(1, () => 1)).toBe(1000);
    expect(backoff(3, () => 1)).toBe(4000);
    expect(backoff(20, () => 1)).toBe(30_000);
  });
});

describe('SendQueue', () => {
  it('sends the message with a stable external_id and the contact, then the token on later ones', async () => {
    const { q, fetch, acceptedItems, persisted } = setup([() => accepted(1), () => accepted(2)]);
    q.enqueue('first');
    q.enqueue('second');
    await vi.runAllTimersAsync();
    expect(acceptedItems).toEqual(['first', 'second']);
    expect(fetch.calls.map((c) => c.body.content)).toEqual(['first', 'second']);
    expect(fetch.calls[0].url).toBe('https://api.example.com/api/messages/receive');
    expect(fetch.calls[0].body).toMatchObject({ channel: 'chat', customer: contact, external_id: expect.stringMatching(/^w-/) });
    expect(fetch.calls[0].body.chat_token).toBeUndefined();
    expect(fetch.calls[1].body.chat_token).toBe('T'.repeat(64));
    expect(persisted.at(-1)).toEqual([]);
    expect(q.status.kind).toBe('idle');
  });

  it('retries a network failure with backoff, the same body and key each time, and keeps it queued meanwhile', async () => {
    const { q, fetch, statuses, persisted } = setup([down, down, () => json(503, { error: { code: 'service_unavailable', message: 'x' } }), () => accepted()]);
    q.enqueue('hello');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls).toHaveLength(1);
    expect(q.status).toMatchObject({ kind: 'waiting', attempt: 1 });
    expect(persisted.at(-1)?.map((i) => i.content)).toEqual(['hello']);
    await vi.advanceTimersByTimeAsync(749); // attempt 1: 1000 ms step, half jitter → 750
    expect(fetch.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1500); // attempt 2 → 1500
    expect(fetch.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(3000); // attempt 3 → 3000
    expect(fetch.calls).toHaveLength(4);
    expect(new Set(fetch.calls.map((c) => JSON.stringify(c.body))).size).toBe(1);
    expect(q.status.kind).toBe('idle');
    expect(q.pending).toHaveLength(0);
    expect(statuses.some((s) => s.kind === 'waiting')).toBe(true);
  });

  it('waits exactly as long as Retry-After says on 429 and 503', async () => {
    const { q, fetch } = setup([
      () => json(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': '12' }),
      () => json(503, { error: { code: 'service_unavailable', message: 'db' } }, { 'retry-after': '3' }),
      () => accepted(),
    ]);
    q.enqueue('hi');
    await vi.advanceTimersByTimeAsync(0);
    expect(q.status).toMatchObject({ kind: 'waiting', error: { status: 429, code: 'rate_limited' } });
    await vi.advanceTimersByTimeAsync(11_999);
    expect(fetch.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(fetch.calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.calls).toHaveLength(3);
    expect(q.pending).toHaveLength(0);
  });

  it('retries now on request, skipping the wait', async () => {
    const { q, fetch } = setup([down, () => accepted()]);
    q.enqueue('hi');
    await vi.advanceTimersByTimeAsync(0);
    expect(q.status.kind).toBe('waiting');
    q.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls).toHaveLength(2);
    expect(q.pending).toHaveLength(0);
  });

  it('keeps order: a later message waits for the earlier one', async () => {
    const { q, fetch, acceptedItems } = setup([down, () => accepted(1), () => accepted(2)]);
    q.enqueue('one');
    await vi.advanceTimersByTimeAsync(0);
    q.enqueue('two');
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch.calls).toHaveLength(1);
    await vi.runAllTimersAsync();
    expect(acceptedItems).toEqual(['one', 'two']);
  });

  it('resumes a queue restored from storage', async () => {
    const { q, fetch } = setup([() => accepted()], [{ key: 'w-saved', content: 'typed before reload', at: 1 }]);
    q.kick();
    await vi.runAllTimersAsync();
    expect(fetch.calls[0].body).toMatchObject({ external_id: 'w-saved', content: 'typed before reload' });
    expect(q.pending).toHaveLength(0);
  });

  it('stops on a refusal that a retry cannot fix, and reports a refused contact', async () => {
    const { q, fetch, hooks } = setup([
      () => json(422, { error: { code: 'validation_error', message: 'customer.phone must be a valid phone number', field: 'customer.phone' } }),
    ]);
    q.enqueue('hi');
    await vi.runAllTimersAsync();
    expect(fetch.calls).toHaveLength(1);
    expect(q.status).toMatchObject({ kind: 'failed', error: { field: 'customer.phone' } });
    expect(hooks.contactRejected).toHaveBeenCalled();
    expect(q.pending).toHaveLength(1); // still kept
    q.drop(q.pending[0].key);
    expect(q.pending).toHaveLength(0);
  });

  it('starts a new session when the token is refused', async () => {
    const { q, fetch, setToken } = setup([
      () => json(403, { error: { code: 'forbidden', message: 'chat_token is not a token this service issued', field: 'chat_token' } }),
      () => accepted(),
    ]);
    setToken('X'.repeat(64));
    q.enqueue('hi');
    await vi.runAllTimersAsync();
    expect(fetch.calls).toHaveLength(2);
    expect(fetch.calls[0].body.chat_token).toBe('X'.repeat(64));
    expect(fetch.calls[1].body.chat_token).toBeUndefined();
    expect(q.pending).toHaveLength(0);
  });

  it('forgets everything on reset, ignoring an answer that arrives afterwards', async () => {
    let release!: (r: Response) => void;
    const { q, acceptedItems } = setup([() => new Promise<Response>((r) => (release = r))]);
    q.enqueue('old session');
    await vi.advanceTimersByTimeAsync(0);
    q.reset();
    release(accepted());
    await vi.runAllTimersAsync();
    expect(acceptedItems).toEqual([]);
    expect(q.pending).toHaveLength(0);
  });

  it('gives up on a request after 20 s and treats that as retryable', async () => {
    const hang = (_url: string, init?: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))),
      );
    const api = new Api('https://api.example.com', hang);
    const r = api.receive({ channel: 'chat', content: 'x', customer: contact, external_id: 'k' });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await r).toMatchObject({ ok: false, error: { retry: true, status: 0, code: 'timeout' } });
  });
});
