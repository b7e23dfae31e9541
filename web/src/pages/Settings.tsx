import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, type Schemas } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Badge, FormError, PageHeader, QueryState, SelectField, TextArea, TextField, fieldError } from '../components/ui';
import { formatDateTime } from '../lib/time';

type Settings = Schemas['Settings'];
type UpdateSettings = Schemas['UpdateSettings'];
type Tab = 'profile' | 'hours' | 'services' | 'faq' | 'oncall' | 'booking' | 'integrations' | 'users' | 'keys' | 'webhooks';

const DAYS = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
] as const;

/** One section of the settings, saved with PUT /api/settings (only its fields). */
function useSaveSettings() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateSettings) => call(api.PUT('/api/settings', { body })),
    onSuccess: (s) => qc.setQueryData(['settings'], s),
  });
}

function SectionForm({
  title,
  onSubmit,
  saving,
  saved,
  error,
  fields,
  children,
}: {
  title: string;
  onSubmit: () => void;
  saving: boolean;
  saved: boolean;
  error: unknown;
  fields: string[];
  children: ReactNode;
}) {
  const { can } = useAuth();
  return (
    <form
      className="card stack"
      aria-label={title}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <h2>{title}</h2>
      {!can.admin && <p className="muted">Only admins can change settings.</p>}
      <fieldset disabled={!can.admin} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
        {children}
        <FormError error={error} fields={fields} />
        {saved && !error && (
          <p className="notice notice--ok" role="status">
            Saved.
          </p>
        )}
        {can.admin && (
          <div>
            <button type="submit" className="btn btn--primary" disabled={saving}>
              {saving ? 'Saving…' : 'Save'}
            </button>
          </div>
        )}
      </fieldset>
    </form>
  );
}

function Profile({ s }: { s: Settings }) {
  const save = useSaveSettings();
  const [v, setV] = useState({
    business_name: s.business_name,
    time_zone: s.time_zone as string,
    tone: s.tone,
    about: s.about ?? '',
    address: s.address ?? '',
    service_area: s.service_area ?? '',
    payment_methods: s.payment_methods.join(', '),
  });
  const e = save.error;
  return (
    <SectionForm
      title="Business profile"
      saving={save.isPending}
      saved={save.isSuccess}
      error={e}
      fields={['business_name', 'time_zone', 'tone', 'about', 'address', 'service_area', 'payment_methods']}
      onSubmit={() =>
        save.mutate({
          business_name: v.business_name,
          time_zone: v.time_zone as Schemas['TimeZone'],
          tone: v.tone,
          about: v.about || null,
          address: v.address || null,
          service_area: v.service_area || null,
          payment_methods: v.payment_methods.split(',').map((x) => x.trim()).filter(Boolean),
        })
      }
    >
      <TextField label="Business name" value={v.business_name} onChange={(x) => setV({ ...v, business_name: x.target.value })} error={fieldError(e, 'business_name')} />
      <TextField label="Time zone (IANA)" value={v.time_zone} onChange={(x) => setV({ ...v, time_zone: x.target.value })} error={fieldError(e, 'time_zone')} hint="For example America/Chicago" />
      <SelectField label="Tone" value={v.tone} onChange={(x) => setV({ ...v, tone: x.target.value as Settings['tone'] })} error={fieldError(e, 'tone')}>
        <option value="friendly">Friendly</option>
        <option value="professional">Professional</option>
        <option value="casual">Casual</option>
      </SelectField>
      <TextArea label="About" value={v.about} onChange={(x) => setV({ ...v, about: x.target.value })} error={fieldError(e, 'about')} />
      <TextField label="Address" value={v.address} onChange={(x) => setV({ ...v, address: x.target.value })} error={fieldError(e, 'address')} />
      <TextArea label="Service area" value={v.service_area} onChange={(x) => setV({ ...v, service_area: x.target.value })} error={fieldError(e, 'service_area')} />
      <TextField label="Payment methods (comma-separated)" value={v.payment_methods} onChange={(x) => setV({ ...v, payment_methods: x.target.value })} error={fieldError(e, 'payment_methods')} />
    </SectionForm>
  );
}

function Hours({ s }: { s: Settings }) {
  const save = useSaveSettings();
  const [v, setV] = useState<Record<string, string>>(
    Object.fromEntries(DAYS.map(([k]) => [k, (s.business_hours[k] ?? []).join(', ')])),
  );
  const e = save.error;
  return (
    <SectionForm
      title="Opening hours"
      saving={save.isPending}
      saved={save.isSuccess}
      error={e}
      fields={DAYS.map(([k]) => `business_hours.${k}`).concat('business_hours')}
      onSubmit={() => {
        const hours: Schemas['BusinessHours'] = {};
        for (const [k] of DAYS) {
          const spans = (v[k] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
          if (spans.length) hours[k] = spans;
        }
        save.mutate({ business_hours: hours });
      }}
    >
      <p className="muted">Spans like 08:00-12:00, 13:00-18:00 in the business's time zone ({s.time_zone}); leave a day empty when closed.</p>
      {DAYS.map(([k, label]) => (
        <TextField key={k} label={label} value={v[k] ?? ''} onChange={(x) => setV({ ...v, [k]: x.target.value })} error={fieldError(e, `business_hours.${k}`)} placeholder="Closed" />
      ))}
    </SectionForm>
  );
}

function ListEditor<T>({
  title,
  items,
  blank,
  render,
  onSave,
  save,
  fields,
}: {
  title: string;
  items: T[];
  blank: T;
  render: (item: T, set: (t: T) => void, i: number, err: unknown) => ReactNode;
  onSave: (items: T[]) => void;
  save: ReturnType<typeof useSaveSettings>;
  fields: string[];
}) {
  const [list, setList] = useState(items);
  return (
    <SectionForm title={title} saving={save.isPending} saved={save.isSuccess} error={save.error} fields={fields} onSubmit={() => onSave(list)}>
      <ol className="steps">
        {list.map((item, i) => (
          <li key={i} className="step">
            {render(item, (t) => setList(list.map((x, j) => (j === i ? t : x))), i, save.error)}
            <button type="button" className="btn btn--small btn--danger" onClick={() => setList(list.filter((_, j) => j !== i))}>
              Remove {i + 1}
            </button>
          </li>
        ))}
      </ol>
      <div>
        <button type="button" className="btn" onClick={() => setList([...list, blank])}>
          Add
        </button>
      </div>
    </SectionForm>
  );
}

function Services({ s }: { s: Settings }) {
  const save = useSaveSettings();
  type Row = { name: string; price: string; description: string };
  return (
    <ListEditor<Row>
      title="Services"
      items={s.services.map((x) => ({ name: x.name, price: x.price ?? '', description: x.description ?? '' }))}
      blank={{ name: '', price: '', description: '' }}
      save={save}
      fields={s.services.flatMap((_, i) => [`services[${i}].name`, `services[${i}].price`])}
      onSave={(rows) => save.mutate({ services: rows.map((r) => ({ name: r.name, price: r.price || null, description: r.description || null })) })}
      render={(r, set, i, err) => (
        <div className="step__grid">
          <TextField label={`Service ${i + 1} name`} value={r.name} onChange={(e) => set({ ...r, name: e.target.value })} error={fieldError(err, `services[${i}].name`)} />
          <TextField label="Price as quoted" value={r.price} onChange={(e) => set({ ...r, price: e.target.value })} error={fieldError(err, `services[${i}].price`)} />
          <TextField label="Description" value={r.description} onChange={(e) => set({ ...r, description: e.target.value })} />
        </div>
      )}
    />
  );
}

function Faq({ s }: { s: Settings }) {
  const save = useSaveSettings();
  return (
    <ListEditor<Schemas['FaqEntry']>
      title="FAQ"
      items={s.faq}
      blank={{ question: '', answer: '' }}
      save={save}
      fields={s.faq.flatMap((_, i) => [`faq[${i}].question`, `faq[${i}].answer`])}
      onSave={(rows) => save.mutate({ faq: rows })}
      render={(r, set, i, err) => (
        <>
          <TextField label={`Question ${i + 1}`} value={r.question} onChange={(e) => set({ ...r, question: e.target.value })} error={fieldError(err, `faq[${i}].question`)} />
          <TextArea label={`Answer ${i + 1}`} value={r.answer} onChange={(e) => set({ ...r, answer: e.target.value })} error={fieldError(err, `faq[${i}].answer`)} />
        </>
      )}
    />
  );
}

function OnCall({ s }: { s: Settings }) {
  const save = useSaveSettings();
  const em = s.emergency;
  const [v, setV] = useState({
    page: em?.page ?? 'never',
    on_call_title: em?.on_call_title ?? '',
    on_call_phone: em?.on_call_phone ?? '',
    emergency_phone: em?.emergency_phone ?? '',
    slack: em?.slack ?? false,
  });
  const e = save.error;
  return (
    <SectionForm
      title="On-call for emergencies"
      saving={save.isPending}
      saved={save.isSuccess}
      error={e}
      fields={['emergency.page', 'emergency.on_call_title', 'emergency.on_call_phone', 'emergency.emergency_phone']}
      onSubmit={() =>
        save.mutate({
          emergency: {
            page: v.page,
            on_call_title: v.on_call_title || null,
            on_call_phone: v.on_call_phone || null,
            emergency_phone: v.emergency_phone || null,
            slack: v.slack,
          },
        })
      }
    >
      <SelectField label="Page the on-call person" value={v.page} onChange={(x) => setV({ ...v, page: x.target.value as typeof v.page })} error={fieldError(e, 'emergency.page')}>
        <option value="never">Never</option>
        <option value="after_hours">After hours</option>
        <option value="always">Always</option>
      </SelectField>
      <TextField label="On-call title (told to the customer)" value={v.on_call_title} onChange={(x) => setV({ ...v, on_call_title: x.target.value })} error={fieldError(e, 'emergency.on_call_title')} placeholder="plumber" />
      <TextField label="On-call phone (texted)" type="tel" value={v.on_call_phone} onChange={(x) => setV({ ...v, on_call_phone: x.target.value })} error={fieldError(e, 'emergency.on_call_phone')} />
      <TextField label="Emergency phone (told to the customer)" type="tel" value={v.emergency_phone} onChange={(x) => setV({ ...v, emergency_phone: x.target.value })} error={fieldError(e, 'emergency.emergency_phone')} />
      <label className="check">
        <input type="checkbox" checked={v.slack} onChange={(x) => setV({ ...v, slack: x.target.checked })} /> Also post to Slack
      </label>
    </SectionForm>
  );
}

function BookingRules({ s }: { s: Settings }) {
  const save = useSaveSettings();
  const b = s.booking;
  const [v, setV] = useState({
    duration_minutes: b.duration_minutes ?? 60,
    slot_interval_minutes: b.slot_interval_minutes ?? 30,
    buffer_before_minutes: b.buffer_before_minutes ?? 0,
    buffer_after_minutes: b.buffer_after_minutes ?? 0,
    min_notice_minutes: b.min_notice_minutes ?? 120,
    horizon_days: b.horizon_days ?? 30,
    meeting_type: b.meeting_type ?? 'phone',
    location: b.location ?? '',
    meeting_link: typeof b.meeting_link === 'string' ? b.meeting_link : '',
    reminders: (b.reminder_offsets_minutes ?? []).join(', '),
  });
  const e = save.error;
  const num = (k: keyof typeof v, label: string, hint?: string) => (
    <TextField label={label} type="number" min={0} value={String(v[k])} onChange={(x) => setV({ ...v, [k]: Number(x.target.value) })} error={fieldError(e, `booking.${k}`)} hint={hint} />
  );
  return (
    <SectionForm
      title="Booking settings"
      saving={save.isPending}
      saved={save.isSuccess}
      error={e}
      fields={['booking.duration_minutes', 'booking.slot_interval_minutes', 'booking.buffer_before_minutes', 'booking.buffer_after_minutes', 'booking.min_notice_minutes', 'booking.horizon_days', 'booking.meeting_type', 'booking.location', 'booking.meeting_link', 'booking.reminder_offsets_minutes']}
      onSubmit={() =>
        save.mutate({
          booking: {
            duration_minutes: v.duration_minutes,
            slot_interval_minutes: v.slot_interval_minutes,
            buffer_before_minutes: v.buffer_before_minutes,
            buffer_after_minutes: v.buffer_after_minutes,
            min_notice_minutes: v.min_notice_minutes,
            horizon_days: v.horizon_days,
            meeting_type: v.meeting_type,
            location: v.location || null,
            meeting_link: v.meeting_link || null,
            reminder_offsets_minutes: v.reminders.split(',').map((x) => Number(x.trim())).filter((n) => Number.isFinite(n) && n > 0),
          },
        })
      }
    >
      <div className="step__grid">
        {num('duration_minutes', 'Meeting length (min)')}
        {num('slot_interval_minutes', 'Start times every (min)')}
        {num('buffer_before_minutes', 'Buffer before (min)')}
        {num('buffer_after_minutes', 'Buffer after (min)')}
        {num('min_notice_minutes', 'Minimum notice (min)')}
        {num('horizon_days', 'Bookable ahead (days)')}
      </div>
      <SelectField label="Meeting type" value={v.meeting_type} onChange={(x) => setV({ ...v, meeting_type: x.target.value as typeof v.meeting_type })} error={fieldError(e, 'booking.meeting_type')}>
        <option value="phone">Phone</option>
        <option value="video">Video</option>
        <option value="in_person">In person</option>
      </SelectField>
      <TextField label="Location (in person)" value={v.location} onChange={(x) => setV({ ...v, location: x.target.value })} error={fieldError(e, 'booking.location')} />
      <TextField label="Meeting link (video)" value={v.meeting_link} onChange={(x) => setV({ ...v, meeting_link: x.target.value })} error={fieldError(e, 'booking.meeting_link')} hint='An https link, or "google_meet"' />
      <TextField label="Reminders, minutes before (comma-separated)" value={v.reminders} onChange={(x) => setV({ ...v, reminders: x.target.value })} error={fieldError(e, 'booking.reminder_offsets_minutes')} />
    </SectionForm>
  );
}

function Integrations() {
  const q = useQuery({ queryKey: ['integrations'], queryFn: () => call(api.GET('/api/integrations')), refetchInterval: 60_000 });
  return (
    <section className="card stack" aria-labelledby="int-title">
      <h2 id="int-title">Integrations</h2>
      <QueryState q={q} label="integrations">
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Integrations table">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Integration</th>
                <th scope="col">Status</th>
                <th scope="col">Last success</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {(q.data?.items ?? []).map((i) => (
                <tr key={i.name}>
                  <th scope="row">{i.name}</th>
                  <td>{i.configured ? <Badge tone={i.last_error && (!i.last_success_at || i.last_error.at > i.last_success_at) ? 'warn' : 'ok'}>configured</Badge> : <Badge>not configured</Badge>}</td>
                  <td>{i.last_success_at ? formatDateTime(i.last_success_at) : '—'}</td>
                  <td>{i.last_error ? `${formatDateTime(i.last_error.at)}: ${i.last_error.message}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </QueryState>
    </section>
  );
}

function Users() {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => call(api.GET('/api/users')) });
  const agents = useQuery({ queryKey: ['agents'], queryFn: () => call(api.GET('/api/agents')) });
  const [v, setV] = useState({ email: '', name: '', role: 'agent' as Schemas['Role'], password: '' });
  const create = useMutation({
    mutationFn: () => call(api.POST('/api/users', { body: v })),
    onSuccess: () => {
      setV({ email: '', name: '', role: 'agent', password: '' });
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas['UpdateUser'] }) => call(api.PATCH('/api/users/{id}', { params: { path: { id } }, body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['users'] }),
  });
  const e = create.error;
  return (
    <div className="stack">
      <section className="card stack" aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <FormError error={update.error} />
        <QueryState q={users} label="users">
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Users table">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role</th>
                  <th scope="col">Works as agent</th>
                  <th scope="col">Last sign-in</th>
                  <th scope="col">Access</th>
                </tr>
              </thead>
              <tbody>
                {(users.data?.items ?? []).map((u) => (
                  <tr key={u.id}>
                    <td>
                      {u.name}
                      <div className="muted">{u.email}</div>
                    </td>
                    <td>
                      <SelectField label={<span className="sr-only">Role of {u.name}</span>} value={u.role} onChange={(x) => update.mutate({ id: u.id, body: { role: x.target.value as Schemas['Role'] } })}>
                        <option value="viewer">Viewer</option>
                        <option value="agent">Agent</option>
                        <option value="admin">Admin</option>
                      </SelectField>
                    </td>
                    <td>
                      <SelectField label={<span className="sr-only">Agent record of {u.name}</span>} value={u.agent_id ?? ''} onChange={(x) => update.mutate({ id: u.id, body: { agent_id: x.target.value || null } })}>
                        <option value="">None</option>
                        {(agents.data?.items ?? []).map((a) => (
                          <option key={a.id} value={a.id}>
                            {a.name}
                          </option>
                        ))}
                      </SelectField>
                    </td>
                    <td>{u.last_login_at ? formatDateTime(u.last_login_at) : '—'}</td>
                    <td>
                      <button type="button" className="btn btn--small" onClick={() => update.mutate({ id: u.id, body: { disabled: !u.disabled } })}>
                        {u.disabled ? `Enable ${u.name}` : `Disable ${u.name}`}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </QueryState>
      </section>
      <form
        className="card stack"
        aria-labelledby="new-user"
        onSubmit={(x) => {
          x.preventDefault();
          create.mutate();
        }}
      >
        <h2 id="new-user">Add a user</h2>
        <div className="step__grid">
          <TextField label="E-mail" type="email" value={v.email} onChange={(x) => setV({ ...v, email: x.target.value })} error={fieldError(e, 'email')} />
          <TextField label="Name" value={v.name} onChange={(x) => setV({ ...v, name: x.target.value })} error={fieldError(e, 'name')} />
          <SelectField label="Role" value={v.role} onChange={(x) => setV({ ...v, role: x.target.value as Schemas['Role'] })}>
            <option value="viewer">Viewer</option>
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </SelectField>
          <TextField label="Password" type="password" autoComplete="new-password" value={v.password} onChange={(x) => setV({ ...v, password: x.target.value })} error={fieldError(e, 'password')} hint="12 to 128 characters" />
        </div>
        <FormError error={e} fields={['email', 'name', 'password']} />
        <div>
          <button type="submit" className="btn btn--primary" disabled={create.isPending}>
            Add user
          </button>
        </div>
      </form>
    </div>
  );
}

function Keys() {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ['keys'], queryFn: () => call(api.GET('/api/keys')) });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Schemas['Scope'][]>(['read']);
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => call(api.POST('/api/keys', { body: { name, scopes } })),
    onSuccess: (k) => {
      setSecret(k.key);
      setName('');
      void qc.invalidateQueries({ queryKey: ['keys'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => call(api.DELETE('/api/keys/{id}', { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['keys'] }),
  });
  return (
    <div className="stack">
      {secret && (
        <section className="card stack" aria-labelledby="secret-title" role="region">
          <h2 id="secret-title">Your new key</h2>
          <p>Copy it now: it is shown only this once.</p>
          <p className="secret" data-testid="new-key-secret">
            {secret}
          </p>
          <div className="row">
            <button type="button" className="btn" onClick={() => void navigator.clipboard?.writeText(secret)}>
              Copy
            </button>
            <button type="button" className="btn" onClick={() => setSecret(null)}>
              I have saved it
            </button>
          </div>
        </section>
      )}
      <section className="card stack" aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        <FormError error={revoke.error} />
        <QueryState q={keys} label="keys">
          <div className="table-wrap" tabIndex={0} role="region" aria-label="API keys table">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Prefix</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {(keys.data?.items ?? []).map((k) => (
                  <tr key={k.id}>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.prefix}</code>
                    </td>
                    <td>{k.scopes.join(', ')}</td>
                    <td>{k.revoked_at ? `revoked ${formatDateTime(k.revoked_at)}` : k.last_used_at ? formatDateTime(k.last_used_at) : 'never'}</td>
                    <td>
                      {!k.revoked_at && (
                        <button type="button" className="btn btn--small btn--danger" onClick={() => confirm(`Revoke ${k.name}?`) && revoke.mutate(k.id)}>
                          Revoke {k.name}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </QueryState>
      </section>
      <form
        className="card stack"
        aria-labelledby="new-key"
        onSubmit={(x) => {
          x.preventDefault();
          create.mutate();
        }}
      >
        <h2 id="new-key">Create a key</h2>
        <TextField label="Key name" value={name} onChange={(x) => setName(x.target.value)} error={fieldError(create.error, 'name')} />
        <fieldset>
          <legend>Scopes</legend>
          {(['read', 'write', 'admin', 'intake'] as const).map((s) => (
            <label key={s} className="check">
              <input type="checkbox" checked={scopes.includes(s)} onChange={(x) => setScopes(x.target.checked ? [...scopes, s] : scopes.filter((y) => y !== s))} /> {s}
            </label>
          ))}
        </fieldset>
        <FormError error={create.error} fields={['name']} />
        <div>
          <button type="submit" className="btn btn--primary" disabled={create.isPending || !name || scopes.length === 0}>
            Create key
          </button>
        </div>
      </form>
    </div>
  );
}

function Webhooks() {
  const qc = useQueryClient();
  const eps = useQuery({ queryKey: ['webhook-endpoints'], queryFn: () => call(api.GET('/api/webhook-endpoints')) });
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('*');
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => call(api.POST('/api/webhook-endpoints', { body: { url, event_types: types.split(',').map((t) => t.trim()).filter(Boolean) } })),
    onSuccess: (ep) => {
      setSecret(ep.secret);
      setUrl('');
      void qc.invalidateQueries({ queryKey: ['webhook-endpoints'] });
    },
  });
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => call(api.PATCH('/api/webhook-endpoints/{id}', { params: { path: { id } }, body: { enabled } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['webhook-endpoints'] }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => call(api.DELETE('/api/webhook-endpoints/{id}', { params: { path: { id } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['webhook-endpoints'] }),
  });
  return (
    <div className="stack">
      {secret && (
        <section className="card stack" aria-labelledby="whsec-title">
          <h2 id="whsec-title">Signing secret</h2>
          <p>Shown only this once.</p>
          <p className="secret">{secret}</p>
          <div>
            <button type="button" className="btn" onClick={() => setSecret(null)}>
              I have saved it
            </button>
          </div>
        </section>
      )}
      <section className="card stack" aria-labelledby="wh-title">
        <h2 id="wh-title">Webhook endpoints</h2>
        <FormError error={toggle.error ?? remove.error} />
        <QueryState q={eps} label="endpoints">
          {(eps.data?.items ?? []).length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <ul className="stack" style={{ listStyle: 'none', padding: 0 }}>
              {(eps.data?.items ?? []).map((ep) => (
                <li key={ep.id} className="step">
                  <strong>{ep.url}</strong> <Badge tone={ep.enabled ? 'ok' : 'warn'}>{ep.enabled ? 'enabled' : `disabled${ep.disabled_reason ? `: ${ep.disabled_reason}` : ''}`}</Badge>
                  <div className="muted">{ep.event_types.join(', ')}</div>
                  <div className="row">
                    <button type="button" className="btn btn--small" onClick={() => toggle.mutate({ id: ep.id, enabled: !ep.enabled })}>
                      {ep.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button type="button" className="btn btn--small btn--danger" onClick={() => confirm(`Delete ${ep.url}?`) && remove.mutate(ep.id)}>
                      Delete
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </section>
      <form
        className="card stack"
        aria-labelledby="new-wh"
        onSubmit={(x) => {
          x.preventDefault();
          create.mutate();
        }}
      >
        <h2 id="new-wh">Add an endpoint</h2>
        <TextField label="URL" type="url" value={url} onChange={(x) => setUrl(x.target.value)} error={fieldError(create.error, 'url')} placeholder="https://hooks.example.com/leadflow" />
        <TextField label="Event types (comma-separated, * for all)" value={types} onChange={(x) => setTypes(x.target.value)} error={fieldError(create.error, 'event_types')} />
        <FormError error={create.error} fields={['url', 'event_types']} />
        <div>
          <button type="submit" className="btn btn--primary" disabled={create.isPending || !url}>
            Add endpoint
          </button>
        </div>
      </form>
    </div>
  );
}

export default function SettingsPage() {
  const { can } = useAuth();
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => call(api.GET('/api/settings')) });
  const [tab, setTab] = useState<Tab>('profile');
  const tabs: [Tab, string, boolean][] = [
    ['profile', 'Profile', true],
    ['hours', 'Hours', true],
    ['services', 'Services', true],
    ['faq', 'FAQ', true],
    ['oncall', 'On-call', true],
    ['booking', 'Booking', true],
    ['integrations', 'Integrations', true],
    ['users', 'Users', can.admin],
    ['keys', 'API keys', can.admin],
    ['webhooks', 'Webhooks', can.admin],
  ];
  const s = settings.data;
  return (
    <>
      <PageHeader title="Settings" />
      <div className="tabs" role="tablist" aria-label="Settings sections">
        {tabs
          .filter(([, , show]) => show)
          .map(([k, label]) => (
            <button key={k} type="button" role="tab" id={`stab-${k}`} aria-selected={tab === k} aria-controls="settings-panel" onClick={() => setTab(k)}>
              {label}
            </button>
          ))}
      </div>
      <div role="tabpanel" id="settings-panel" className="settings-panel" aria-labelledby={`stab-${tab}`}>
        {tab === 'integrations' ? (
          <Integrations />
        ) : tab === 'users' ? (
          <Users />
        ) : tab === 'keys' ? (
          <Keys />
        ) : tab === 'webhooks' ? (
          <Webhooks />
        ) : (
          <QueryState q={settings} label="settings">
            {s && tab === 'profile' && <Profile s={s} />}
            {s && tab === 'hours' && <Hours s={s} />}
            {s && tab === 'services' && <Services s={s} />}
            {s && tab === 'faq' && <Faq s={s} />}
            {s && tab === 'oncall' && <OnCall s={s} />}
            {s && tab === 'booking' && <BookingRules s={s} />}
          </QueryState>
        )}
      </div>
    </>
  );
}
