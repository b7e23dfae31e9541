import { useMemo, useState, type DragEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, type Schemas } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Badge, PageHeader, QueryState, SelectField, TextField } from '../components/ui';
import { allowedMoves, canBecome, isLeadStatus, LEAD_STATUSES, STATUS_LABEL, type LeadStatus } from '../lib/leadStatus';
import { relativeTime } from '../lib/time';

export type Lead = Schemas['Lead'];
type Customer = Schemas['Customer'];

const PRIORITY_TONE = { high: 'danger', medium: 'warn', low: 'neutral' } as const;

interface CardProps {
  lead: Lead;
  name: string;
  canMove: boolean;
  onMove: (lead: Lead, to: LeadStatus) => void;
  busy: boolean;
}

function LeadCard({ lead, name, canMove, onMove, busy }: CardProps) {
  const from = lead.status as LeadStatus;
  const moves = allowedMoves(from);
  return (
    <li
      className="lead-card"
      draggable={canMove && moves.length > 0}
      onDragStart={(e) => {
        e.dataTransfer.setData('text/lead-id', lead.id);
        e.dataTransfer.setData(`text/from-${from}`, from);
        e.dataTransfer.effectAllowed = 'move';
      }}
      aria-label={`${name}, score ${lead.quality_score}`}
    >
      <Link to={`/leads/${lead.id}`} className="lead-card__name">
        {name}
      </Link>
      <span className="row">
        <Badge tone={PRIORITY_TONE[lead.priority as keyof typeof PRIORITY_TONE] ?? 'neutral'}>{lead.priority}</Badge>
        <span className="muted">score {lead.quality_score}</span>
        {lead.source_channel && <span className="muted">{lead.source_channel}</span>}
        {lead.needs_human && <Badge tone="danger">needs person</Badge>}
      </span>
      <span className="muted">updated {relativeTime(lead.updated_at)}</span>
      {canMove && moves.length > 0 && (
        <SelectField
          label={<span className="sr-only">Move {name} to</span>}
          value=""
          disabled={busy}
          onChange={(e) => {
            const to = e.target.value;
            if (isLeadStatus(to)) onMove(lead, to);
          }}
        >
          <option value="">Move to…</option>
          {moves.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </SelectField>
      )}
    </li>
  );
}

/**
 * The board: one column per status. A card may move (by its "Move to" list or by
 * dragging) only where the funnel allows; a column that cannot take the dragged card
 * does not accept the drop.
 */
export function Board({
  leads,
  names,
  canMove,
  onMove,
  pendingId,
}: {
  leads: Lead[];
  names: (l: Lead) => string;
  canMove: boolean;
  onMove: (lead: Lead, to: LeadStatus) => void;
  pendingId?: string | null;
}) {
  const [dragFrom, setDragFrom] = useState<LeadStatus | null>(null);
  const [over, setOver] = useState<LeadStatus | null>(null);
  const byStatus = useMemo(() => {
    const m = new Map<LeadStatus, Lead[]>(LEAD_STATUSES.map((s) => [s, []]));
    for (const l of leads) if (isLeadStatus(l.status)) m.get(l.status)!.push(l);
    return m;
  }, [leads]);

  const fromOf = (e: DragEvent): LeadStatus | null => {
    for (const t of e.dataTransfer.types) {
      const m = /^text\/from-(.+)$/.exec(t);
      if (m && isLeadStatus(m[1]!)) return m[1]!;
    }
    return dragFrom;
  };

  return (
    <div className="board" onDragEnd={() => { setDragFrom(null); setOver(null); }}>
      {LEAD_STATUSES.map((status) => {
        const items = byStatus.get(status) ?? [];
        const accepts = dragFrom !== null && dragFrom !== status && canBecome(dragFrom, status);
        const cls = dragFrom === null || dragFrom === status ? '' : accepts ? (over === status ? 'column--drop-ok' : '') : 'column--drop-no';
        return (
          <section
            key={status}
            className={`column ${cls}`}
            aria-labelledby={`col-${status}`}
            data-status={status}
            onDragEnter={(e) => {
              const from = fromOf(e);
              setDragFrom(from);
              if (from && from !== status && canBecome(from, status)) {
                e.preventDefault();
                setOver(status);
              }
            }}
            onDragOver={(e) => {
              const from = fromOf(e);
              if (from && from !== status && canBecome(from, status)) {
                e.preventDefault();
                e.dataTransfer.dropEffect = 'move';
              }
            }}
            onDrop={(e) => {
              e.preventDefault();
              const id = e.dataTransfer.getData('text/lead-id');
              const lead = leads.find((l) => l.id === id);
              setDragFrom(null);
              setOver(null);
              if (lead && isLeadStatus(lead.status) && lead.status !== status && canBecome(lead.status, status)) onMove(lead, status);
            }}
          >
            <h2 id={`col-${status}`}>
              {STATUS_LABEL[status]} <span className="muted">{items.length}</span>
            </h2>
            <ul aria-label={`${STATUS_LABEL[status]} leads`}>
              {items.map((l) => (
                <LeadCard key={l.id} lead={l} name={names(l)} canMove={canMove} onMove={onMove} busy={pendingId === l.id} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

export default function Leads() {
  const { can } = useAuth();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const channel = params.get('channel') ?? '';
  const assigned = params.get('assigned_to') ?? '';
  const needsHuman = params.get('needs_human') === 'true';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const q = params.get('q') ?? '';

  // One page per status column (up to 200 each), newest first.
  const leads = useQuery({
    queryKey: ['leads', 'board', assigned],
    queryFn: async () => {
      const pages = await Promise.all(
        LEAD_STATUSES.map((status) =>
          call(
            api.GET('/api/leads', {
              params: { query: { status, limit: 200, ...(assigned ? { assigned_to: assigned } : {}) } },
            }),
          ),
        ),
      );
      return pages.flatMap((p) => p.items);
    },
    refetchInterval: 15_000,
  });
  const customers = useQuery({
    queryKey: ['customers', 'lookup'],
    queryFn: () => call(api.GET('/api/crm/customers', { params: { query: { limit: 200 } } })),
    staleTime: 30_000,
  });
  // The API has no lead search; a search finds customers by name, e-mail, phone or company.
  const matches = useQuery({
    queryKey: ['customers', 'search', q],
    queryFn: () => call(api.GET('/api/crm/customers', { params: { query: { q, limit: 200 } } })),
    enabled: q.length > 0,
  });
  const agents = useQuery({
    queryKey: ['agents'],
    queryFn: () => call(api.GET('/api/agents')),
    staleTime: 60_000,
  });

  const byId = useMemo(() => {
    const m = new Map<string, Customer>();
    for (const c of customers.data?.items ?? []) m.set(c.id, c);
    for (const c of matches.data?.items ?? []) m.set(c.id, c);
    return m;
  }, [customers.data, matches.data]);
  const names = (l: Lead) => {
    const c = byId.get(l.customer_id);
    return c?.name || c?.email || c?.phone || `Customer ${l.customer_id.slice(0, 8)}`;
  };

  const shown = useMemo(() => {
    const ids = q ? new Set((matches.data?.items ?? []).map((c) => c.id)) : null;
    return (leads.data ?? []).filter(
      (l) =>
        (!channel || l.source_channel === channel) &&
        (!needsHuman || l.needs_human) &&
        (!ids || ids.has(l.customer_id)),
    );
  }, [leads.data, channel, needsHuman, q, matches.data]);

  const move = useMutation({
    mutationFn: ({ lead, to }: { lead: Lead; to: LeadStatus }) =>
      call(api.PUT('/api/leads/{id}', { params: { path: { id: lead.id } }, body: { status: to } })),
    onMutate: async ({ lead, to }) => {
      await qc.cancelQueries({ queryKey: ['leads', 'board'] });
      const key = ['leads', 'board', assigned];
      const prev = qc.getQueryData<Lead[]>(key);
      qc.setQueryData<Lead[]>(key, (old) => old?.map((l) => (l.id === lead.id ? { ...l, status: to } : l)));
      return { prev, key };
    },
    onError: (_e, _v, ctx) => {
      if (ctx?.prev) qc.setQueryData(ctx.key, ctx.prev);
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: ['leads'] }),
  });

  function setFilter(k: string, v: string) {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  }

  return (
    <>
      <PageHeader title="Leads" />
      <form
        className="filters"
        role="search"
        aria-label="Filter leads"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter('q', search.trim());
        }}
      >
        <TextField label="Search customers" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, e-mail, phone" />
        <button type="submit" className="btn">Search</button>
        <SelectField label="Channel" value={channel} onChange={(e) => setFilter('channel', e.target.value)}>
          <option value="">All</option>
          <option value="sms">SMS</option>
          <option value="email">E-mail</option>
          <option value="chat">Chat</option>
          <option value="form">Form</option>
        </SelectField>
        <SelectField label="Assigned to" value={assigned} onChange={(e) => setFilter('assigned_to', e.target.value)}>
          <option value="">Anyone</option>
          {(agents.data?.items ?? []).map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </SelectField>
        <label className="check">
          <input type="checkbox" checked={needsHuman} onChange={(e) => setFilter('needs_human', e.target.checked ? 'true' : '')} />
          Needs a person
        </label>
      </form>
      {move.error != null && (
        <div role="alert" className="notice notice--error">
          The move was refused: <FormErrorText error={move.error} />
        </div>
      )}
      <QueryState q={leads} label="leads">
        <Board
          leads={shown}
          names={names}
          canMove={can.write}
          onMove={(lead, to) => move.mutate({ lead, to })}
          pendingId={move.isPending ? move.variables?.lead.id : null}
        />
      </QueryState>
    </>
  );
}

function FormErrorText({ error }: { error: unknown }) {
  return <span>{error instanceof Error ? error.message : 'unknown error'}</span>;
}

