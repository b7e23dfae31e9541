import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { BarChart } from '../components/charts';
import { Badge, FormError, PageHeader, QueryState, SelectField } from '../components/ui';
import { allowedMoves, isLeadStatus, STATUS_LABEL } from '../lib/leadStatus';
import { formatDateTime } from '../lib/time';
import { authorLabel, CHANNEL_LABEL, type ThreadMessage } from './Inbox';

const RECOMMENDATION: Record<string, string> = {
  hand_to_sales_now: 'Hand to sales now',
  offer_booking: 'Offer a booking',
  ask_budget: 'Ask about budget',
  ask_timeline: 'Ask about timeline',
  ask_requirements: 'Ask what they need',
  re_engage: 'Re-engage',
  nurture: 'Nurture',
};
const BANT = ['budget', 'authority', 'need', 'timeline'] as const;

// StoredQualification keeps its JSON parts as written (typed `unknown` in the document).
interface Factor {
  name: string;
  points: number;
  reason?: string;
}
function factors(v: unknown): Factor[] {
  return Array.isArray(v)
    ? v.filter((f): f is Factor => typeof f === 'object' && f !== null && typeof (f as Factor).name === 'string' && typeof (f as Factor).points === 'number')
    : [];
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

interface TimelineItem {
  at: string;
  kind: 'message' | 'task' | 'booking' | 'follow-up';
  text: string;
  detail?: string;
}

export default function LeadPage() {
  const { leadId = '' } = useParams();
  const { can } = useAuth();
  const qc = useQueryClient();
  const lead = useQuery({
    queryKey: ['leads', leadId],
    queryFn: () => call(api.GET('/api/leads/{id}', { params: { path: { id: leadId } } })),
  });
  const customerId = lead.data?.customer_id;
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => call(api.GET('/api/settings')), staleTime: 60_000 });
  const tz = settings.data?.time_zone;
  const messages = useQuery({
    queryKey: ['messages', customerId],
    queryFn: () => call(api.GET('/api/messages', { params: { query: { customer_id: customerId!, limit: 200 } } })),
    enabled: !!customerId,
  });
  const tasks = useQuery({
    queryKey: ['tasks', { lead: leadId }],
    queryFn: () => call(api.GET('/api/tasks', { params: { query: { lead_id: leadId, limit: 200 } } })),
  });
  const bookings = useQuery({
    queryKey: ['bookings', { lead: leadId }],
    queryFn: () => call(api.GET('/api/bookings', { params: { query: { lead_id: leadId, limit: 200 } } })),
  });
  const followUps = useQuery({
    queryKey: ['follow-ups', { lead: leadId }],
    queryFn: () => call(api.GET('/api/follow-ups', { params: { query: { lead_id: leadId, limit: 200 } } })),
  });

  const move = useMutation({
    mutationFn: (status: string) =>
      call(api.PUT('/api/leads/{id}', { params: { path: { id: leadId } }, body: { status: status as 'new' } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['leads'] }),
  });
  const qualify = useMutation({
    mutationFn: () => call(api.POST('/api/leads/{id}/qualify', { params: { path: { id: leadId } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['leads', leadId] }),
  });

  const name = lead.data?.customer.name ?? lead.data?.customer.email ?? 'Lead';
  const timeline = useMemo<TimelineItem[]>(() => {
    const out: TimelineItem[] = [];
    for (const m of (messages.data?.items ?? []) as ThreadMessage[]) {
      out.push({
        at: m.created_at,
        kind: 'message',
        text: `${authorLabel(m, lead.data?.customer.name)} · ${CHANNEL_LABEL[m.channel] ?? m.channel}`,
        detail: m.content,
      });
    }
    for (const t of tasks.data?.items ?? []) out.push({ at: t.created_at, kind: 'task', text: `Task: ${t.title}`, detail: `${t.status} · ${t.priority}` });
    for (const b of bookings.data?.items ?? [])
      out.push({ at: b.created_at, kind: 'booking', text: `Booking for ${formatDateTime(b.scheduled_time, tz)}${tz ? ` (${tz})` : ''}`, detail: b.status });
    for (const f of followUps.data?.items ?? [])
      out.push({
        at: f.scheduled_time,
        kind: 'follow-up',
        text: `Follow-up${f.step ? ` step ${f.step}` : ''} by ${f.channel ?? 'preferred channel'}`,
        detail: f.status,
      });
    return out.sort((a, b) => b.at.localeCompare(a.at));
  }, [messages.data, tasks.data, bookings.data, followUps.data, lead.data, tz]);

  return (
    <>
      <p>
        <Link to="/leads">← Leads board</Link>
      </p>
      <QueryState q={lead} label="the lead">
        {lead.data && (
          <>
            <PageHeader title={name}>
              {can.write && isLeadStatus(lead.data.status) && allowedMoves(lead.data.status).length > 0 && (
                <SelectField label="Move to" value="" onChange={(e) => e.target.value && move.mutate(e.target.value)} disabled={move.isPending}>
                  <option value="">Choose…</option>
                  {allowedMoves(lead.data.status).map((s) => (
                    <option key={s} value={s}>
                      {STATUS_LABEL[s]}
                    </option>
                  ))}
                </SelectField>
              )}
              {can.write && (
                <button type="button" className="btn" onClick={() => qualify.mutate()} disabled={qualify.isPending}>
                  Score again
                </button>
              )}
            </PageHeader>
            <FormError error={move.error ?? qualify.error} />
            <div className="grid">
              <section className="card" aria-labelledby="lead-facts">
                <h2 id="lead-facts">Lead</h2>
                <dl className="props">
                  <dt>Status</dt>
                  <dd data-testid="lead-status">{isLeadStatus(lead.data.status) ? STATUS_LABEL[lead.data.status] : lead.data.status}</dd>
                  <dt>Score</dt>
                  <dd>{lead.data.quality_score}</dd>
                  <dt>Priority</dt>
                  <dd>{lead.data.priority}</dd>
                  <dt>Channel</dt>
                  <dd>{lead.data.source_channel ?? '—'}</dd>
                  <dt>Budget</dt>
                  <dd>{lead.data.budget ?? '—'}</dd>
                  <dt>Timeline</dt>
                  <dd>{lead.data.timeline ?? '—'}</dd>
                  <dt>Needs</dt>
                  <dd>{lead.data.requirements ?? '—'}</dd>
                  <dt>Customer</dt>
                  <dd>
                    {lead.data.customer.email ?? ''} {lead.data.customer.phone ?? ''}{' '}
                    <Link to={`/inbox/${lead.data.customer_id}`}>Conversation</Link>
                  </dd>
                </dl>
                {lead.data.needs_human && (
                  <p>
                    <Badge tone="danger">Needs a person{lead.data.handoff_reason ? `: ${lead.data.handoff_reason}` : ''}</Badge>
                  </p>
                )}
              </section>
              <section className="card" aria-labelledby="lead-score">
                <h2 id="lead-score">Score breakdown</h2>
                {lead.data.qualification ? (
                  <BarChart
                    title={`Points per factor (total ${lead.data.qualification.score})`}
                    data={factors(lead.data.qualification.breakdown).map((f) => ({ label: f.name.replace(/_/g, ' '), value: f.points, tone: f.points < 0 ? 'neg' : undefined }))}
                  />
                ) : (
                  <p className="muted">Not scored yet.</p>
                )}
              </section>
              <section className="card" aria-labelledby="lead-bant">
                <h2 id="lead-bant">BANT gaps</h2>
                {lead.data.qualification ? (
                  <ul>
                    {BANT.map((b) => {
                      const missing = strings(lead.data.qualification!.missing).includes(b);
                      return (
                        <li key={b}>
                          {b[0]!.toUpperCase() + b.slice(1)}: {missing ? <Badge tone="warn">unknown</Badge> : <Badge tone="ok">known</Badge>}
                        </li>
                      );
                    })}
                  </ul>
                ) : (
                  <p className="muted">Not scored yet.</p>
                )}
                <h2>Recommendations</h2>
                {lead.data.qualification && strings(lead.data.qualification.recommendations).length > 0 ? (
                  <ul>
                    {strings(lead.data.qualification.recommendations).map((r) => (
                      <li key={r}>{RECOMMENDATION[r] ?? r}</li>
                    ))}
                  </ul>
                ) : (
                  <p className="muted">None.</p>
                )}
              </section>
            </div>
            <section className="card panel" aria-labelledby="lead-timeline">
              <h2 id="lead-timeline">Timeline</h2>
              {timeline.length === 0 ? (
                <p className="muted">Nothing yet.</p>
              ) : (
                <ol className="timeline">
                  {timeline.map((t, i) => (
                    <li key={`${t.kind}-${t.at}-${i}`} data-kind={t.kind}>
                      <time dateTime={t.at}>{formatDateTime(t.at)}</time>
                      <span>
                        <strong>{t.text}</strong>
                        {t.detail && <span className="msg__body"> — {t.detail}</span>}
                      </span>
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </>
        )}
      </QueryState>
    </>
  );
}
