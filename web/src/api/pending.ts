// PENDING(api): hand-typed endpoints that backend helpers are adding in parallel and
// that are not yet in `leadflow openapi`. After they merge, delete each type here in
// favour of `Schemas[...]` from ./client and move its call to the typed `api` client;
// `grep -rn "PENDING(api)" src` finds every use.
import { ApiError, apiErrorFromResponse } from './errors';
import { session } from './session';

export type Channel = 'sms' | 'email' | 'chat' | 'form';

export interface SpeedStats {
  median_seconds: number | null;
  p90_seconds: number | null;
  count: number;
}

/** PENDING(api): GET /api/analytics/summary?from=&to= */
export interface AnalyticsSummary {
  from: string;
  to: string;
  time_zone: string;
  speed_to_lead: { today: SpeedStats; range: SpeedStats };
  leads_by_channel: Record<Channel, number>;
  funnel: { new: number; contacted: number; qualified: number; won: number };
  bookings_this_week: number;
  needs_human: number;
  daily: { date: string; leads: number; inbound: number; replies: number; median_seconds: number | null }[];
  refreshed_at: string;
}

/** PENDING(api): who wrote a message; messages gain it (optional until merged). */
export interface Author {
  kind: 'customer' | 'ai' | 'staff' | 'system';
  name: string | null;
  user_id: string | null;
}

/** PENDING(api): GET /api/conversations?needs_human=&channel=&limit=&cursor= */
export interface ConversationItem {
  customer: { id: string; name: string | null; email: string | null; phone: string | null };
  lead: { id: string; status: string; needs_human: boolean; handoff_reason: string | null } | null;
  last_message: {
    id: string;
    direction: 'inbound' | 'outbound';
    channel: Channel;
    preview: string;
    author: Author;
    created_at: string;
  } | null;
  last_activity_at: string;
  unread: number;
  ai_paused_until: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** PENDING(api): POST /api/conversations/{customer_id}/resume-ai */
export interface ResumeAiResponse {
  customer_id: string;
  ai_paused_until: null;
  needs_human: false;
}

export type IntegrationName = 'twilio' | 'sendgrid' | 'openai' | 'slack' | 'salesforce' | 'google' | 'stripe';

/** PENDING(api): GET /api/integrations */
export interface Integration {
  name: IntegrationName;
  configured: boolean;
  last_error: { at: string; message: string } | null;
  last_success_at: string | null;
}

type Query = Record<string, string | number | boolean | null | undefined>;

function qs(q: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await session.fetch(
      new Request(new URL(path, location.origin), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
      }),
    );
  } catch {
    throw new ApiError(0, 'network_error', 'Cannot reach the server; retrying.');
  }
  if (!res.ok) throw await apiErrorFromResponse(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const pending = {
  analyticsSummary: (q: { from?: string; to?: string }) =>
    request<AnalyticsSummary>('GET', `/api/analytics/summary${qs(q)}`),
  conversations: (q: { needs_human?: boolean; channel?: Channel | ''; limit?: number; cursor?: string | null }) =>
    request<Page<ConversationItem>>('GET', `/api/conversations${qs(q)}`),
  markRead: (customerId: string) =>
    request<void>('POST', `/api/conversations/${encodeURIComponent(customerId)}/read`),
  resumeAi: (customerId: string) =>
    request<ResumeAiResponse>('POST', `/api/conversations/${encodeURIComponent(customerId)}/resume-ai`),
  integrations: () => request<{ items: Integration[] }>('GET', '/api/integrations'),
};
