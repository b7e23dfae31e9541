import type { FetchLike } from '../src/api';

export interface Call {
  url: string;
  method: string;
  body?: any;
}

export type Handler = (call: Call) => Response | Promise<Response> | Error;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** A fake fetch answering from a list of handlers, one per call (the last repeats). */
export function fakeFetch(...handlers: Handler[]): FetchLike & { calls: Call[] } {
  const calls: Call[] = [];
  const f = (async (url: string, init?: RequestInit) => {
    const call: Call = {
      url,
      method: init?.method ?? 'GET',
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    const h = handlers[Math.min(calls.length - 1, handlers.length - 1)];
    const r = await h(call);
    if (r instanceof Error) throw r;
    return r;
  }) as FetchLike & { calls: Call[] };
  f.calls = calls;
  return f;
}

export const accepted = (n = 1) =>
  json(202, { message_id: `m${n}`, customer_id: 'c1', lead_id: 'l1', chat_token: 'T'.repeat(64) });

