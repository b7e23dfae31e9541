import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatMessage } from '../src/api';
import { Conversation } from '../src/conversation';
import { FAST_MS, Poller, SLOW_MS, type PollOutcome } from '../src/poller';

const msg = (id: string, direction: 'inbound' | 'outbound', sec: number, content = id): ChatMessage => ({
  id,
  direction,
  content,
  created_at: new Date(Date.UTC(2030, 0, 1, 0, 0, sec)).toISOString(),
  delivery_status: 'delivered',
});

describe('Conversation', () => {
  it('merges overlapping pages without duplicates, in time order', () => {
    const c = new Conversation();
    expect(c.merge([msg('b', 'outbound', 2), msg('a', 'inbound', 1)])).toBe(true); // newest first, as the API gives
    expect(c.merge([msg('c', 'inbound', 3), msg('b', 'outbound', 2), msg('a', 'inbound', 1)])).toBe(true);
    expect(c.merge([msg('c', 'inbound', 3), msg('b', 'outbound', 2)])).toBe(false);
    expect(c.list().map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(c.size).toBe(3);
  });

  it('shows an accepted message until the server copy replaces it', () => {
    const c = new Conversation();
    c.addLocal('m1', 'hello', new Date(Date.UTC(2030, 0, 1, 0, 0, 5)));
    expect(c.awaitingReply()).toBe(true);
    expect(c.merge([msg('m1', 'inbound', 4, 'hello')])).toBe(true);
    expect(c.size).toBe(1);
    expect(c.list()[0].created_at).toBe(msg('m1', 'inbound', 4).created_at);
    c.merge([msg('r1', 'outbound', 6, 'reply'), msg('m1', 'inbound', 4, 'hello')]);
    expect(c.awaitingReply()).toBe(false);
  });

  it('takes a changed message (e.g. its author filled in later)', () => {
    const c = new Conversation();
    c.merge([msg('r', 'outbound', 1)]);
    expect(c.merge([{ ...msg('r', 'outbound', 1), author: { kind: 'staff', name: 'Jo' } }])).toBe(true);
    expect(c.list()[0].author?.name).toBe('Jo');
  });
});

describe('Poller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(outcomes: PollOutcome[] = [{ ok: true }]) {
    let eager = true;
    const poll = vi.fn(async () => outcomes[Math.min(poll.mock.calls.length - 1, outcomes.length - 1)]);
    const p = new Poller(poll, () => eager);
    return { p, poll, setEager: (v: boolean) => (eager = v) };
  }

  it('polls fast while a reply is awaited and slowly otherwise', async () => {
    const { p, poll, setEager } = setup();
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(FAST_MS);
    expect(poll).toHaveBeenCalledTimes(2);
    setEager(false);
    await vi.advanceTimersByTimeAsync(FAST_MS);
    expect(poll).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(SLOW_MS - 1);
    expect(poll).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(poll).toHaveBeenCalledTimes(4);
  });

  it('stops when told (panel closed, page hidden)', async () => {
    const { p, poll } = setup();
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    p.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(poll).toHaveBeenCalledTimes(1);
    expect(p.active).toBe(false);
  });

  it('backs off on failures and honours Retry-After', async () => {
    const { p, poll } = setup([{ ok: false }, { ok: false, retryAfterMs: 7000 }, { ok: true }]);
    p.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(2 * FAST_MS - 1);
    expect(poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(poll).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(6999);
    expect(poll).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(poll).toHaveBeenCalledTimes(3);
  });

  it('a poll that throws does not stop polling', async () => {
    let n = 0;
    const p = new Poller(async () => {
      n += 1;
      throw new Error('boom');
    }, () => true);
    p.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(n).toBeGreaterThan(1);
    p.stop();
  });
});
