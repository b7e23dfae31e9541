// Staff sign-in: tokens, silent refresh, and the fetch every API call goes through.
//
// Where the tokens live (the trade-off):
// - The access token (15 minutes) is kept in memory only. Script injected into the page
//   could still use it while the page is open, but nothing persists it: a closed tab
//   leaves no bearer token behind, and it is never readable from another origin.
// - The refresh token (30 days, single use) is kept in localStorage so a reload or a new
//   tab stays signed in. localStorage is readable by any script on this origin, so an XSS
//   could steal it; an HttpOnly cookie would not be, but the API takes the refresh token in
//   the JSON body, not a cookie. What limits the damage: each refresh token works once
//   (the API rotates it), and presenting a used one ends that sign-in everywhere, so a
//   stolen copy is detected the first time both the thief and this tab use it; logout
//   revokes it on the server and removes it here. The dashboard is served with a strict
//   Content-Security-Policy by the API, which makes the XSS itself harder.
// - Because every tab shares the one stored refresh token, tabs refresh under a Web Lock
//   (`navigator.locks`) and re-read the stored token inside it: two tabs never present the
//   same token (which the API would treat as theft).

import { apiErrorFromResponse } from './errors';

export type Role = 'admin' | 'agent' | 'viewer';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  agent_id?: string | null;
  [key: string]: unknown;
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  expires_at: string;
  refresh_token: string;
  refresh_expires_at: string;
  user: SessionUser;
}

export const REFRESH_KEY = 'leadflow.refresh_token';
/** Refresh this long before the access token expires. */
export const REFRESH_MARGIN_MS = 60_000;
/** However short a token's life looks, the timer never refreshes sooner than this. */
export const MIN_REFRESH_WAIT_MS = 30_000;

type Listener = (user: SessionUser | null) => void;
type Fetch = (input: Request) => Promise<Response>;

interface LockManagerLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>;
}

export interface SessionOptions {
  storage?: Storage;
  fetch?: Fetch;
  now?: () => number;
  locks?: LockManagerLike | null;
  /** Origin for relative URLs (tests run without a page origin). */
  origin?: string;
}

const AUTH_ROUTES = ['/api/auth/login', '/api/auth/refresh', '/api/auth/logout'];

export class Session {
  private access: string | null = null;
  private accessExpiresAt = 0;
  /** Bumped by every sign-out, so a refresh answered after it is dropped. */
  private generation = 0;
  private currentUser: SessionUser | null = null;
  private inflight: Promise<string | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<Listener>();
  private readonly storage: Storage;
  private readonly baseFetch: Fetch;
  private readonly now: () => number;
  private readonly locks: LockManagerLike | null;
  private readonly origin: string;

  constructor(opts: SessionOptions = {}) {
    this.storage = opts.storage ?? window.localStorage;
    this.baseFetch = opts.fetch ?? ((r) => globalThis.fetch(r));
    this.now = opts.now ?? Date.now;
    const nav = typeof navigator !== 'undefined' ? (navigator as { locks?: LockManagerLike }) : undefined;
    this.locks = opts.locks === undefined ? (nav?.locks ?? null) : opts.locks;
    this.origin = opts.origin ?? (typeof location !== 'undefined' ? location.origin : 'http://localhost');
  }

  get user(): SessionUser | null {
    return this.currentUser;
  }

  get accessToken(): string | null {
    return this.access;
  }

  get hasRefreshToken(): boolean {
    return !!this.storage.getItem(REFRESH_KEY);
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit() {
    for (const fn of this.listeners) fn(this.currentUser);
  }

  private url(path: string) {
    return new URL(path, this.origin).toString();
  }

  /** Keeps a fresh token pair: the access token in memory, the refresh token stored. */
  private accept(t: TokenResponse) {
    this.access = t.access_token;
    // The lifetime, counted on this machine's clock: comparing the server's absolute
    // expiry with a clock that runs fast would refresh again at once, and again.
    this.accessExpiresAt = this.now() + t.expires_in * 1000;
    this.storage.setItem(REFRESH_KEY, t.refresh_token);
    const changed = this.currentUser?.id !== t.user.id || this.currentUser?.role !== t.user.role;
    this.currentUser = t.user;
    this.schedule();
    if (changed) this.emit();
  }

  private schedule() {
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(MIN_REFRESH_WAIT_MS, this.accessExpiresAt - this.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, wait);
  }

  /** Forgets everything locally (the server side is `logout`). */
  clear() {
    this.generation += 1;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.access = null;
    this.accessExpiresAt = 0;
    this.storage.removeItem(REFRESH_KEY);
    const had = this.currentUser !== null;
    this.currentUser = null;
    if (had) this.emit();
  }

  async login(email: string, password: string): Promise<SessionUser> {
    const res = await this.baseFetch(
      new Request(this.url('/api/auth/login'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      }),
    );
    if (!res.ok) throw await apiErrorFromResponse(res);
    const t = (await res.json()) as TokenResponse;
    this.accept(t);
    return t.user;
  }

  async logout(): Promise<void> {
    const refresh = this.storage.getItem(REFRESH_KEY);
    const access = this.access;
    this.clear();
    if (!refresh) return;
    try {
      await this.baseFetch(
        new Request(this.url('/api/auth/logout'), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(access ? { authorization: `Bearer ${access}` } : {}),
          },
          body: JSON.stringify({ refresh_token: refresh }),
        }),
      );
    } catch {
      /* signed out locally either way */
    }
  }

  /**
   * One refresh at a time: every caller (the timer, each request that got a 401, the
   * start-up restore) shares the refresh under way, so a burst of 401s spends the
   * single-use refresh token once. Resolves to the new access token, or null when the
   * sign-in is over.
   */
  refresh(): Promise<string | null> {
    if (!this.inflight) {
      const run = () => this.refreshNow();
      const p = this.locks ? this.locks.request('leadflow-refresh', run) : run();
      this.inflight = p.finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  private async refreshNow(): Promise<string | null> {
    // A sign-out while the refresh is out must win over its answer.
    const generation = this.generation;
    // Read inside the lock: another tab may have rotated it a moment ago.
    const token = this.storage.getItem(REFRESH_KEY);
    if (!token) {
      this.clear();
      return null;
    }
    let res: Response;
    try {
      res = await this.baseFetch(
        new Request(this.url('/api/auth/refresh'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refresh_token: token }),
        }),
      );
    } catch {
      return null; // offline: keep the refresh token for the next try
    }
    if (res.ok) {
      const t = (await res.json()) as TokenResponse;
      if (generation !== this.generation) return null;
      this.accept(t);
      return t.access_token;
    }
    if (res.status === 401 || res.status === 403) {
      // Used, expired or revoked: this sign-in is over.
      if (this.storage.getItem(REFRESH_KEY) === token) this.clear();
      else return this.access; // another tab rotated it meanwhile; try again later
      return null;
    }
    return null; // 5xx / 429: keep it, a later call retries
  }

  private withAuth(req: Request, token: string | null): Request {
    if (!token) return req;
    const headers = new Headers(req.headers);
    headers.set('authorization', `Bearer ${token}`);
    return new Request(req, { headers });
  }

  /**
   * The fetch the API client uses: adds the bearer token, refreshes first when it is
   * about to expire, and on a 401 refreshes (shared) and retries the request once.
   */
  fetch = async (input: Request): Promise<Response> => {
    const path = new URL(input.url).pathname;
    if (AUTH_ROUTES.includes(path)) return this.baseFetch(input);
    if ((this.access && this.now() >= this.accessExpiresAt - 5_000) || (!this.access && this.hasRefreshToken)) {
      await this.refresh();
    }
    const retry = input.clone();
    const used = this.access;
    const res = await this.baseFetch(this.withAuth(input, used));
    if (res.status !== 401 || !this.hasRefreshToken) {
      if (res.status === 401) this.clear();
      return res;
    }
    // Another request may have refreshed while this one was in flight.
    const fresh = this.access && this.access !== used ? this.access : await this.refresh();
    if (!fresh) return res;
    return this.baseFetch(this.withAuth(retry, fresh));
  };

  /** Starts a page load: a stored refresh token signs back in silently. */
  async restore(): Promise<SessionUser | null> {
    if (this.currentUser) return this.currentUser;
    if (!this.hasRefreshToken) return null;
    await this.refresh();
    return this.currentUser;
  }
}

export const session = new Session();
