import { describe, expect, it, vi } from 'vitest';
import { REFRESH_KEY, Session, type TokenResponse } from './session';

const ORIGIN = 'http://app.test';
const user = { id: 'u1', email: 'a@example.com', name: 'Ada', role: 'admin' as const };

function tokens(n: number, now: number, ttl = 900): TokenResponse {
  return {
    access_token: `access-${n}`,
    token_type: 'Bearer',
    expires_in: ttl,
    expires_at: new Date(now + ttl * 1000).toISOString(),
    refresh_token: `refresh-${n}`,
    refresh_expires_at: new Date(now + 30 * 86400_000).toISOString(),
    user,
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A fake API: /api/data answers 200 only for the current access token. */
function fakeApi(start = 1) {
  let n = start;
  let valid = `access-${n}`;
  const used = new Set<string>();
  const refreshBodies: string[] = [];
  const seen: { path: string; auth: string | null }[] = [];
  let release: (() => void) | null = null;
  let gate: Promise<void> | null = null;
  const fetch = vi.fn(async (req: Request) => {
    const path = new URL(req.url).pathname;
    seen.push({ path, auth: req.headers.get('authorization') });
    if (path === '/api/auth/refresh') {
      const { refresh_token } = (await req.json()) as { refresh_token: string };
      refreshBodies.push(refresh_token);
      if (gate) await gate;
      if (used.has(refresh_token) || refresh_token !== `refresh-${n}`) {
        return json({ error: { code: 'unauthorized', message: 'refresh token already used' } }, 401);
      }
      used.add(refresh_token);
      n += 1;
      valid = `access-${n}`;
      return json(tokens(n, Date.now()));
    }
    if (path === '/api/data') {
      const body = req.method === 'POST' ? await req.text() : '';
      if (req.headers.get('authorization') !== `Bearer ${valid}`) {
        return json({ error: { code: 'unauthorized', message: 'expired' } }, 401);
      }
      return json({ ok: true, body });
    }
    return json({ error: { code: 'not_found', message: 'no' } }, 404);
  });
  return {
    fetch,
    refreshBodies,
    seen,
    expire() {
      valid = 'nobody';
    },
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release() {
      release?.();
      gate = null;
    },
  };
}

function signedIn(api: ReturnType<typeof fakeApi>, n = 1) {
  const s = new Session({ storage: localStorage, fetch: api.fetch, origin: ORIGIN, locks: null });
  // A signed-in state as login leaves it.
  (s as unknown as { accept(t: TokenResponse): void }).accept(tokens(n, Date.now()));
  return s;
}

describe('Session', () => {
  it('shares ONE refresh among concurrent 401s and retries each request with the new token', async () => {
    const api = fakeApi();
    const s = signedIn(api);
    api.expire(); // the server no longer takes access-1
    api.hold(); // keep the refresh in flight while the other requests fail

    const reqs = [1, 2, 3, 4].map((i) =>
      s.fetch(new Request(`${ORIGIN}/api/data`, { method: 'POST', body: `payload-${i}`, headers: { 'content-type': 'text/plain' } })),
    );
    await vi.waitFor(() => expect(api.refreshBodies.length).toBe(1));
    api.release();
    const results = await Promise.all(reqs);

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // The retried requests carry their bodies again.
    const bodies = await Promise.all(results.map(async (r) => ((await r.json()) as { body: string }).body));
    expect(bodies.sort()).toEqual(['payload-1', 'payload-2', 'payload-3', 'payload-4']);
    // One refresh, with the original token; everything retried with access-2.
    expect(api.refreshBodies).toEqual(['refresh-1']);
    const retried = api.seen.filter((x) => x.path === '/api/data' && x.auth === 'Bearer access-2');
    expect(retried).toHaveLength(4);
    s.clear();
  });

  it('rotates the refresh token: the next refresh presents the new one', async () => {
    const api = fakeApi();
    const s = signedIn(api);
    expect(localStorage.getItem(REFRESH_KEY)).toBe('refresh-1');

    expect(await s.refresh()).toBe('access-2');
    expect(localStorage.getItem(REFRESH_KEY)).toBe('refresh-2');
    expect(s.accessToken).toBe('access-2');

    expect(await s.refresh()).toBe('access-3');
    expect(api.refreshBodies).toEqual(['refresh-1', 'refresh-2']);
    expect(localStorage.getItem(REFRESH_KEY)).toBe('refresh-3');
    s.clear();
  });

  it('a request that failed after another already refreshed retries without refreshing again', async () => {
    const api = fakeApi();
    const s = signedIn(api);
    api.expire();
    const first = await s.fetch(new Request(`${ORIGIN}/api/data`));
    expect(first.status).toBe(200);
    expect(api.refreshBodies).toEqual(['refresh-1']);
    const second = await s.fetch(new Request(`${ORIGIN}/api/data`));
    expect(second.status).toBe(200);
    expect(api.refreshBodies).toEqual(['refresh-1']);
    s.clear();
  });

  it('ends the sign-in when the refresh token is refused', async () => {
    const api = fakeApi();
    const s = signedIn(api);
    const seen: (string | null)[] = [];
    s.subscribe((u) => seen.push(u?.id ?? null));
    localStorage.setItem(REFRESH_KEY, 'refresh-stolen');
    api.expire();
    const r = await s.fetch(new Request(`${ORIGIN}/api/data`));
    expect(r.status).toBe(401);
    expect(s.user).toBeNull();
    expect(s.accessToken).toBeNull();
    expect(localStorage.getItem(REFRESH_KEY)).toBeNull();
    expect(seen).toEqual([null]);
  });

  it('refreshes silently a minute before the access token expires', async () => {
    vi.useFakeTimers();
    try {
      const api = fakeApi();
      const s = new Session({ storage: localStorage, fetch: api.fetch, origin: ORIGIN, locks: null });
      (s as unknown as { accept(t: TokenResponse): void }).accept(tokens(1, Date.now(), 120));
      await vi.advanceTimersByTimeAsync(59_000);
      expect(api.refreshBodies).toEqual([]);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(api.refreshBodies).toEqual(['refresh-1']);
      expect(s.accessToken).toBe('access-2');
      s.clear();
    } finally {
      vi.useRealTimers();
    }
  });

  it('logout revokes the refresh token on the server and forgets it here', async () => {
    const api = fakeApi();
    const s = signedIn(api);
    await s.logout();
    const call = api.fetch.mock.calls.find(([r]) => new URL(r.url).pathname === '/api/auth/logout');
    expect(call).toBeDefined();
    expect(localStorage.getItem(REFRESH_KEY)).toBeNull();
    expect(s.user).toBeNull();
  });

  it('restores a sign-in from the stored refresh token on page load', async () => {
    const api = fakeApi();
    localStorage.setItem(REFRESH_KEY, 'refresh-1');
    const s = new Session({ storage: localStorage, fetch: api.fetch, origin: ORIGIN, locks: null });
    expect(await s.restore()).toMatchObject({ id: 'u1' });
    expect(s.accessToken).toBe('access-2');
    s.clear();
  });
  it('counts a token’s life on its own clock: a fast clock does not refresh over and over', async () => {
    vi.useFakeTimers();
    try {
      localStorage.clear();
      const api = fakeApi();
      // This machine's clock runs 20 minutes ahead of the server's.
      const fast = () => Date.now() + 20 * 60_000;
      const s = new Session({ storage: localStorage, fetch: api.fetch, origin: ORIGIN, locks: null, now: fast });
      (s as unknown as { accept(t: TokenResponse): void }).accept(tokens(1, Date.now()));
      await vi.advanceTimersByTimeAsync(60_000);
      expect(api.refreshBodies).toEqual([]);
      const res = await s.fetch(new Request(`${ORIGIN}/api/data`));
      expect(res.status).toBe(200);
      expect(api.refreshBodies).toEqual([]);
      // 15 minutes on, a minute before the end: one refresh, then quiet again.
      await vi.advanceTimersByTimeAsync(14 * 60_000);
      expect(api.refreshBodies).toEqual(['refresh-1']);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(api.refreshBodies).toEqual(['refresh-1']);
      s.clear();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a sign-out while a refresh is out stays signed out when the refresh answers', async () => {
    localStorage.clear();
    const api = fakeApi();
    const s = signedIn(api);
    api.hold();
    const pending = s.refresh();
    await vi.waitFor(() => expect(api.refreshBodies).toEqual(['refresh-1']));
    await s.logout();
    api.release();
    expect(await pending).toBeNull();
    expect(s.user).toBeNull();
    expect(localStorage.getItem(REFRESH_KEY)).toBeNull();
  });
});
