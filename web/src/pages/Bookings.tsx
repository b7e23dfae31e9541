import { useMemo, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, type Schemas } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Badge, FormError, PageHeader, QueryState, SelectField, TextArea, TextField, fieldError } from '../components/ui';
import {
  addDays,
  formatDayHeading,
  formatTime,
  placeInWeek,
  weekRange,
  weekStart,
  zonedDateKey,
  zoneName,
} from '../lib/time';

type Booking = Schemas['Booking'];

export interface CalEvent {
  id: string;
  start: Date;
  end: Date;
  title: string;
  status: string;
}

const PX_PER_MIN = 0.8;

/**
 * A week (Monday to Sunday) in the business's time zone. Events sit at their local
 * wall-clock time on their local day, whatever the viewer's own zone.
 */
export function WeekGrid({
  monday,
  tz,
  events,
  onSelect,
  today,
}: {
  monday: string;
  tz: string;
  events: CalEvent[];
  onSelect?: (id: string) => void;
  today?: string;
}) {
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const placed = events
    .map((e) => ({ e, p: placeInWeek(e.start, e.end, monday, tz) }))
    .filter((x) => x.p.day >= 0);
  const firstHour = Math.min(7, ...placed.map((x) => Math.floor(x.p.top / 60)));
  const lastHour = Math.max(20, ...placed.map((x) => Math.ceil((x.p.top + x.p.length) / 60)));
  const hours = Array.from({ length: Math.min(24, lastHour) - firstHour }, (_, i) => firstHour + i);
  const height = hours.length * 60 * PX_PER_MIN;
  return (
    <div className="cal" role="region" aria-label={`Week of ${formatDayHeading(monday)} (${tz})`}>
      <>
        <div className="cal__head" aria-hidden="true" />
        {days.map((d) => (
          <div key={d} aria-hidden="true" className={`cal__head ${d === today ? 'cal__head--today' : ''}`} data-date={d}>
            {formatDayHeading(d)}
          </div>
        ))}
      </>
      <>
        <div className="cal__hours" style={{ height }} aria-hidden="true">
          {hours.map((h) => (
            <span key={h} className="cal__hour" style={{ top: (h - firstHour) * 60 * PX_PER_MIN }}>
              {String(h).padStart(2, '0')}:00
            </span>
          ))}
        </div>
        {days.map((d, i) => (
          <div
            key={d}
            role="group"
            aria-label={formatDayHeading(d)}
            className="cal__day"
            data-date={d}
            style={{ height, backgroundSize: `100% ${60 * PX_PER_MIN}px` }}
          >
            {placed
              .filter((x) => x.p.day === i)
              .map(({ e, p }) => (
                <button
                  key={e.id}
                  type="button"
                  className={`cal__event ${e.status === 'cancelled' ? 'cal__event--cancelled' : ''}`}
                  style={{ top: (p.top - firstHour * 60) * PX_PER_MIN, height: Math.max(22, p.length * PX_PER_MIN) }}
                  data-top-minutes={p.top}
                  data-booking-id={e.id}
                  onClick={() => onSelect?.(e.id)}
                  aria-label={`${formatTime(e.start, tz)} ${e.title}, ${e.status}`}
                >
                  <strong>{formatTime(e.start, tz)}</strong> {e.title}
                </button>
              ))}
          </div>
        ))}
      </>
    </div>
  );
}

function useSettings() {
  return useQuery({ queryKey: ['settings'], queryFn: () => call(api.GET('/api/settings')), staleTime: 60_000 });
}

function SlotPicker({
  monday,
  tz,
  duration,
  value,
  onChange,
  label,
}: {
  monday: string;
  tz: string;
  duration: number;
  value: string;
  onChange: (v: string) => void;
  label: string;
}) {
  const { from, to } = weekRange(monday, tz);
  const now = new Date();
  const slots = useQuery({
    queryKey: ['availability', monday, duration],
    queryFn: () =>
      call(
        api.GET('/api/bookings/availability', {
          params: { query: { from: (from < now ? now : from).toISOString(), to: to.toISOString(), duration } },
        }),
      ),
    enabled: to > now,
  });
  const items = slots.data?.slots ?? [];
  return (
    <QueryState q={slots} label="open times">
      {to <= now ? (
        <p className="muted">This week is over; choose a later week.</p>
      ) : items.length === 0 ? (
        <p className="muted">No open times this week.</p>
      ) : (
        <SelectField label={label} value={value} onChange={(e) => onChange(e.target.value)} required>
          <option value="">Choose a time…</option>
          {items.map((s) => {
            const d = new Date(s.start);
            return (
              <option key={s.start} value={s.start}>
                {formatDayHeading(zonedDateKey(d, tz))} {formatTime(d, tz)}
              </option>
            );
          })}
        </SelectField>
      )}
    </QueryState>
  );
}

function NewBooking({ monday, tz, defaultDuration, onDone }: { monday: string; tz: string; defaultDuration: number; onDone: () => void }) {
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const [customerId, setCustomerId] = useState(params.get('customer_id') ?? '');
  const leadId = params.get('lead_id') ?? '';
  const [search, setSearch] = useState('');
  const [slot, setSlot] = useState('');
  const [notes, setNotes] = useState('');
  const customers = useQuery({
    queryKey: ['customers', 'search', search],
    queryFn: () => call(api.GET('/api/crm/customers', { params: { query: { ...(search ? { q: search } : {}), limit: 50 } } })),
  });
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/bookings', {
          body: {
            customer_id: customerId,
            scheduled_time: slot,
            ...(leadId ? { lead_id: leadId } : {}),
            ...(notes ? { notes } : {}),
          },
        }),
      ),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['bookings'] });
      void qc.invalidateQueries({ queryKey: ['availability'] });
      onDone();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <form className="card panel stack" onSubmit={submit} aria-labelledby="new-booking">
      <h2 id="new-booking">New booking</h2>
      <TextField label="Find customer" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name, e-mail, phone" />
      <SelectField label="Customer" value={customerId} onChange={(e) => setCustomerId(e.target.value)} required error={fieldError(create.error, 'customer_id')}>
        <option value="">Choose…</option>
        {(customers.data?.items ?? []).map((c) => (
          <option key={c.id} value={c.id}>
            {c.name ?? c.email ?? c.phone}
          </option>
        ))}
        {customerId && !(customers.data?.items ?? []).some((c) => c.id === customerId) && <option value={customerId}>Selected customer</option>}
      </SelectField>
      <SlotPicker monday={monday} tz={tz} duration={defaultDuration} value={slot} onChange={setSlot} label="Time" />
      {fieldError(create.error, 'scheduled_time') && <p className="field__error">{fieldError(create.error, 'scheduled_time')}</p>}
      <TextArea label="Notes" value={notes} onChange={(e) => setNotes(e.target.value)} rows={2} error={fieldError(create.error, 'notes')} />
      <FormError error={create.error} fields={['customer_id', 'scheduled_time', 'notes']} />
      <div className="row">
        <button type="submit" className="btn btn--primary" disabled={!customerId || !slot || create.isPending}>
          Book
        </button>
        <button type="button" className="btn" onClick={onDone}>
          Close
        </button>
      </div>
    </form>
  );
}

const NEXT_STATUS: Record<string, string[]> = {
  pending_payment: ['confirmed'],
  scheduled: ['confirmed', 'completed', 'no_show'],
  confirmed: ['completed', 'no_show'],
};

function BookingPanel({ booking, tz, monday, onClose }: { booking: Booking; tz: string; monday: string; onClose: () => void }) {
  const { can } = useAuth();
  const qc = useQueryClient();
  const [slot, setSlot] = useState('');
  const [reason, setReason] = useState('');
  const done = () => {
    void qc.invalidateQueries({ queryKey: ['bookings'] });
    void qc.invalidateQueries({ queryKey: ['availability'] });
  };
  const update = useMutation({
    mutationFn: (body: { scheduled_time?: string; status?: Booking['status'] }) =>
      call(api.PUT('/api/bookings/{id}', { params: { path: { id: booking.id } }, body })),
    onSuccess: done,
  });
  const cancel = useMutation({
    mutationFn: () =>
      call(api.POST('/api/bookings/{id}/cancel', { params: { path: { id: booking.id } }, body: reason ? { reason } : {} })),
    onSuccess: done,
  });
  const start = new Date(booking.scheduled_time);
  const active = booking.status === 'scheduled' || booking.status === 'confirmed' || booking.status === 'pending_payment';
  return (
    <section className="card panel stack" aria-labelledby="booking-title">
      <h2 id="booking-title">
        Booking {formatDayHeading(zonedDateKey(start, tz))} {formatTime(start, tz)} <Badge>{booking.status}</Badge>
      </h2>
      <dl className="props">
        <dt>Length</dt>
        <dd>{booking.duration_minutes} min</dd>
        <dt>Meeting</dt>
        <dd>{booking.meeting_type}{booking.location ? ` · ${booking.location}` : ''}</dd>
        <dt>Notes</dt>
        <dd>{booking.notes ?? '—'}</dd>
      </dl>
      {can.write && active && (
        <>
          <div className="row">
            {(NEXT_STATUS[booking.status] ?? []).map((s) => (
              <button key={s} type="button" className="btn btn--small" onClick={() => update.mutate({ status: s as Booking['status'] })}>
                Mark {s.replace('_', ' ')}
              </button>
            ))}
          </div>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              if (slot) update.mutate({ scheduled_time: slot });
            }}
          >
            <SlotPicker monday={monday} tz={tz} duration={booking.duration_minutes} value={slot} onChange={setSlot} label="Move to" />
            <button type="submit" className="btn" disabled={!slot || update.isPending}>
              Reschedule
            </button>
          </form>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              cancel.mutate();
            }}
          >
            <TextField label="Reason for cancelling" value={reason} onChange={(e) => setReason(e.target.value)} />
            <button type="submit" className="btn btn--danger" disabled={cancel.isPending}>
              Cancel booking
            </button>
          </form>
        </>
      )}
      <FormError error={update.error ?? cancel.error} />
      <div>
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </section>
  );
}

export default function Bookings() {
  const { can } = useAuth();
  const [params] = useSearchParams();
  const settings = useSettings();
  const tz = settings.data?.time_zone ?? 'UTC';
  const todayKey = zonedDateKey(new Date(), tz);
  const [monday, setMonday] = useState<string | null>(null);
  const week = monday ?? weekStart(todayKey);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(params.has('customer_id'));
  const { from, to } = weekRange(week, tz);

  const bookings = useQuery({
    queryKey: ['bookings', 'week', week, tz],
    queryFn: () =>
      call(api.GET('/api/bookings', { params: { query: { from: from.toISOString(), to: to.toISOString(), limit: 200 } } })),
    enabled: settings.isSuccess,
    refetchInterval: 30_000,
  });
  const customers = useQuery({
    queryKey: ['customers', 'lookup'],
    queryFn: () => call(api.GET('/api/crm/customers', { params: { query: { limit: 200 } } })),
    staleTime: 30_000,
  });
  const names = useMemo(() => new Map((customers.data?.items ?? []).map((c) => [c.id, c.name ?? c.email ?? c.phone ?? 'Customer'])), [customers.data]);
  const events: CalEvent[] = (bookings.data?.items ?? []).map((b) => {
    const start = new Date(b.scheduled_time);
    return {
      id: b.id,
      start,
      end: new Date(start.getTime() + b.duration_minutes * 60000),
      title: names.get(b.customer_id) ?? 'Booking',
      status: b.status,
    };
  });
  const current = bookings.data?.items.find((b) => b.id === selected);

  return (
    <>
      <PageHeader title="Bookings">
        <button type="button" className="btn" onClick={() => setMonday(addDays(week, -7))}>
          ← Previous week
        </button>
        <button type="button" className="btn" onClick={() => setMonday(null)}>
          This week
        </button>
        <button type="button" className="btn" onClick={() => setMonday(addDays(week, 7))}>
          Next week →
        </button>
        {can.write && (
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
            New booking
          </button>
        )}
      </PageHeader>
      <QueryState q={settings} label="settings">
        <p className="muted">
          Times in {tz} ({zoneName(from, tz)}
          {zoneName(from, tz) !== zoneName(to, tz) ? ` → ${zoneName(to, tz)}` : ''}).
        </p>
        {creating && can.write && (
          <NewBooking monday={week} tz={tz} defaultDuration={settings.data?.booking?.duration_minutes ?? 60} onDone={() => setCreating(false)} />
        )}
        {current && <BookingPanel key={current.id} booking={current} tz={tz} monday={week} onClose={() => setSelected(null)} />}
        <QueryState q={bookings} label="bookings">
          <WeekGrid monday={week} tz={tz} events={events} onSelect={setSelected} today={todayKey} />
        </QueryState>
      </QueryState>
    </>
  );
}
