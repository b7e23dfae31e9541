import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call } from '../api/client';
import type { AnalyticsSummary } from '../api/types';
import { BarChart, DailyChart } from '../components/charts';
import { PageHeader, QueryState, TextField } from '../components/ui';
import { formatDateTime, formatDuration, zonedDateKey } from '../lib/time';

/** The summary's resolved range as dates of the business's own calendar (`to` is the
 *  exclusive end, the next midnight or now). */
function shownRange(s: AnalyticsSummary): { from: string; to: string } {
  return {
    from: zonedDateKey(new Date(s.from), s.time_zone),
    to: zonedDateKey(new Date(Date.parse(s.to) - 1), s.time_zone),
  };
}

const CHANNEL_LABEL = { sms: 'SMS', email: 'E-mail', chat: 'Chat', form: 'Form' } as const;

export function Funnel({ funnel }: { funnel: AnalyticsSummary['funnel'] }) {
  const steps = [
    ['new', 'New'],
    ['contacted', 'Contacted'],
    ['qualified', 'Qualified'],
    ['won', 'Won'],
  ] as const;
  const top = Math.max(1, funnel.new, funnel.contacted, funnel.qualified, funnel.won);
  return (
    <ol className="funnel" aria-label="Lead funnel">
      {steps.map(([k, label], i) => {
        const v = funnel[k];
        const prev = i === 0 ? null : funnel[steps[i - 1]![0]];
        const rate = prev ? Math.round((v / prev) * 100) : null;
        return (
          <li key={k} className="funnel__step" data-testid={`funnel-${k}`}>
            <span>{label}</span>
            <span className="funnel__bar" aria-hidden="true">
              <span className="funnel__fill" style={{ width: `${(v / top) * 100}%`, display: 'block' }} />
            </span>
            <span className="funnel__count">
              {v}
              {rate !== null && <span className="sr-only"> ({rate}% of {steps[i - 1]![1].toLowerCase()})</span>}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

export function Summary({ s }: { s: AnalyticsSummary }) {
  return (
    <div className="stack">
      <section className="grid" aria-label="Key figures">
        <div className="card stat">
          <h2 className="stat__label">Speed to lead today</h2>
          <span className="stat__value" data-testid="speed-today-median">{formatDuration(s.speed_to_lead.today.median_seconds)}</span>
          <span className="muted">
            median · p90 {formatDuration(s.speed_to_lead.today.p90_seconds)} · {s.speed_to_lead.today.count} leads
          </span>
        </div>
        <div className="card stat">
          <h2 className="stat__label">Speed to lead, range</h2>
          <span className="stat__value" data-testid="speed-range-median">{formatDuration(s.speed_to_lead.range.median_seconds)}</span>
          <span className="muted">
            median · p90 {formatDuration(s.speed_to_lead.range.p90_seconds)} · {s.speed_to_lead.range.count} leads
          </span>
        </div>
        <div className="card stat">
          <h2 className="stat__label">Bookings this week</h2>
          <span className="stat__value" data-testid="bookings-week">{s.bookings_this_week}</span>
          <Link to="/bookings">Open calendar</Link>
        </div>
        <div className="card stat">
          <h2 className="stat__label">Needs a person</h2>
          <span className="stat__value" data-testid="needs-human">{s.needs_human}</span>
          <Link to="/inbox?needs_human=true">Open inbox</Link>
        </div>
      </section>
      <section className="grid">
        <div className="card">
          <BarChart
            title="Leads by channel"
            data={(Object.keys(CHANNEL_LABEL) as (keyof typeof CHANNEL_LABEL)[]).map((c) => ({
              label: CHANNEL_LABEL[c],
              value: s.leads_by_channel[c] ?? 0,
            }))}
          />
        </div>
        <div className="card">
          <h2>Funnel</h2>
          <Funnel funnel={s.funnel} />
        </div>
      </section>
      <section className="card">
        <DailyChart title="Daily activity" data={s.daily} />
      </section>
      <p className="muted">
        Times in {s.time_zone}. Refreshed {formatDateTime(s.refreshed_at)}.
      </p>
    </div>
  );
}

export default function Home() {
  // Until someone picks dates, the server's default: the last seven days of the business's
  // time zone (today included), which the browser's own zone and clock cannot know.
  const [picked, setPicked] = useState<{ from?: string; to?: string }>({});
  const q = useQuery({
    queryKey: ['analytics', 'summary', picked.from ?? '', picked.to ?? ''],
    queryFn: () => call(api.GET('/api/analytics/summary', { params: { query: { ...picked } } })),
    refetchInterval: 60_000,
  });
  const shown = q.data ? shownRange(q.data) : { from: '', to: '' };
  const from = picked.from ?? shown.from;
  const to = picked.to ?? shown.to;
  const pick = (which: 'from' | 'to', value: string) =>
    setPicked((p) => ({ from: p.from ?? (from || undefined), to: p.to ?? (to || undefined), [which]: value || undefined }));
  return (
    <>
      <PageHeader title="Home">
        <TextField label="From" type="date" value={from} max={to} onChange={(e) => pick('from', e.target.value)} />
        <TextField label="To" type="date" value={to} min={from} onChange={(e) => pick('to', e.target.value)} />
      </PageHeader>
      <QueryState q={q} label="the summary">
        {q.data && <Summary s={q.data} />}
      </QueryState>
    </>
  );
}
