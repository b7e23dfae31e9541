// The two public routes the widget calls, and how their failures read: worth retrying
// (network, timeouts, 408/409/425/429/5xx, with the server's Retry-After) or not (the
// request itself is wrong; retrying it unchanged cannot help).
import type { Contact } from './validate';

export interface Author {
  kind: 'customer' | 'ai' | 'staff' | 'system';
  name?: string | null;
}

export interface ChatMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  content: string;
  created_at: string;
  delivery_status?: string | null;
  author?: Author | null;
}

export interface Accepted {
  message_id: string;
  customer_id: string;
  lead_id: string;
  chat_token?: string;
}

export interface ApiFailure {
  retry: boolean;
  status: number; // 0: no response (network, CORS, timeout)
  code: string;
  message: string;
  field?: string;
  /** Milliseconds the server asked us to wait (Retry-After), if it said. */
  retryAfterMs?: number;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiFailure };

export interface ReceiveBody {
  channel: 'chat';
  content: string;
  customer: Contact;
  external_id: string;
  chat_token?: string;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

const TIMEOUT_MS = 20_000;

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

function retryable(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

async function failure(res: Response): Promise<ApiFailure> {
  let code = `http_${res.status}`;
  let message = `The server answered ${res.status}.`;
  let field: string | undefined;
  try {
    const body = await res.json();
    const e = body && body.error;
    if (e && typeof e === 'object') {
      if (typeof e.code === 'string') code = e.code;
      if (typeof e.message === 'string') message = e.message;
      if (typeof e.field === 'string') field = e.field;
    }
  } catch {
    /* not JSON: keep the status */
  }
  return {
    retry: retryable(res.status),
    status: res.status,
    code,
    message,
    field,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  };
}

export class Api {
  constructor(
    readonly base: string,
    private readonly fetchFn: FetchLike = (i, o) => fetch(i, o),
  ) {
    this.base = base.replace(/\/+$/, '');
  }

  private async call<T>(path: string, init: RequestInit): Promise<Result<T>> {
    const ctl = typeof AbortController === 'function' ? new AbortController() : undefined;
    const timer = ctl ? setTimeout(() => ctl.abort(), TIMEOUT_MS) : undefined;
    try {
      const res = await this.fetchFn(this.base + path, { ...init, signal: ctl?.signal, credentials: 'omit', mode: 'cors' });
      if (res.ok) {
        const value = (await res.json()) as T;
        return { ok: true, value };
      }
      return { ok: false, error: await failure(res) };
    } catch (e) {
      const aborted = !!e && typeof e === 'object' && (e as { name?: string }).name === 'AbortError';
      return {
        ok: false,
        error: { retry: true, status: 0, code: aborted ? 'timeout' : 'network', message: 'The server could not be reached.' },
      };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  receive(body: ReceiveBody): Promise<Result<Accepted>> {
    return this.call<Accepted>('/api/messages/receive', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async chat(token: string, limit = 50): Promise<Result<ChatMessage[]>> {
    const q = `token=${encodeURIComponent(token)}&limit=${limit}`;
    const r = await this.call<{ items?: unknown }>(`/api/messages/chat?${q}`, { method: 'GET' });
    if (!r.ok) return r;
    const items = Array.isArray(r.value.items) ? r.value.items : [];
    return { ok: true, value: items.filter(isMessage) };
  }
}

function isMessage(m: unknown): m is ChatMessage {
  if (!m || typeof m !== 'object') return false;
  const r = m as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    (r.direction === 'inbound' || r.direction === 'outbound') &&
    typeof r.content === 'string' &&
    typeof r.created_at === 'string'
  );
}
