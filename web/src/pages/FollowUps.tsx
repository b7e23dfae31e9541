import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, type Schemas } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { BarChart } from '../components/charts';
import { Badge, FormError, PageHeader, QueryState, SelectField, TextArea, TextField, fieldError } from '../components/ui';

type Sequence = Schemas['Sequence'];
type SequenceSpec = Schemas['SequenceSpec'];
type Trigger = Schemas['SequenceTrigger'];
type StepChannel = 'preferred' | 'sms' | 'email' | 'chat';

interface StepDraft {
  delay: number;
  unit: 'minutes' | 'hours' | 'days';
  after: 'enrollment' | 'previous_step';
  channel: StepChannel;
  personalised: boolean;
  template: string;
  subject: string;
}

interface Draft {
  name: string;
  trigger: Trigger;
  active: boolean;
  weekdays_only: boolean;
  window: 'business_hours' | 'custom';
  start: string;
  end: string;
  steps: StepDraft[];
}

const UNIT_MIN = { minutes: 1, hours: 60, days: 1440 } as const;

function splitDelay(min: number): { delay: number; unit: StepDraft['unit'] } {
  if (min > 0 && min % 1440 === 0) return { delay: min / 1440, unit: 'days' };
  if (min > 0 && min % 60 === 0) return { delay: min / 60, unit: 'hours' };
  return { delay: min, unit: 'minutes' };
}

function toDraft(s: Sequence): Draft {
  const w = s.send_window;
  return {
    name: s.name,
    trigger: s.trigger,
    active: s.active ?? true,
    weekdays_only: s.weekdays_only ?? false,
    window: typeof w === 'object' && w !== null ? 'custom' : 'business_hours',
    start: typeof w === 'object' && w !== null ? w.start : '09:00',
    end: typeof w === 'object' && w !== null ? w.end : '18:00',
    steps: s.steps.map((st) => ({
      ...splitDelay(st.delay_minutes),
      after: st.after ?? 'previous_step',
      channel: (st.channel ?? 'preferred') as StepChannel,
      personalised: 'personalised' in st && st.personalised === true,
      template: 'template' in st && typeof st.template === 'string' ? st.template : '',
      subject: 'subject' in st && typeof st.subject === 'string' ? st.subject : '',
    })),
  };
}

const blankStep = (): StepDraft => ({ delay: 1, unit: 'days', after: 'previous_step', channel: 'preferred', personalised: false, template: 'Hi {first_name}, just checking in.', subject: '' });

function toSpec(d: Draft): SequenceSpec {
  return {
    name: d.name,
    trigger: d.trigger,
    active: d.active,
    weekdays_only: d.weekdays_only,
    send_window: d.window === 'custom' ? { start: d.start, end: d.end } : 'business_hours',
    steps: d.steps.map((s) => {
      const base = { delay_minutes: Math.round(s.delay * UNIT_MIN[s.unit]), after: s.after, channel: s.channel };
      return s.personalised
        ? { ...base, personalised: true as const }
        : { ...base, template: s.template, ...(s.subject ? { subject: s.subject } : {}) };
    }),
  };
}

function Stats({ id }: { id: string }) {
  const stats = useQuery({
    queryKey: ['sequence-stats', id],
    queryFn: () => call(api.GET('/api/follow-ups/sequences/{id}/stats', { params: { path: { id } } })),
    refetchInterval: 30_000,
  });
  return (
    <QueryState q={stats} label="statistics">
      {stats.data && (
        <div className="stack">
          <dl className="props">
            <dt>Enrolled</dt>
            <dd>{stats.data.enrolled}</dd>
            <dt>Active</dt>
            <dd>{stats.data.active}</dd>
            <dt>Completed</dt>
            <dd>{stats.data.completed}</dd>
            <dt>Replied / booked / opted out</dt>
            <dd>
              {stats.data.replied} / {stats.data.booked} / {stats.data.opted_out}
            </dd>
          </dl>
          {stats.data.steps.length > 0 && (
            <>
              <BarChart title="Sent per step" data={stats.data.steps.map((s) => ({ label: `Step ${s.step}`, value: s.sent }))} />
              <div className="table-wrap" tabIndex={0} role="region" aria-label="Per-step statistics">
                <table className="table">
                  <caption className="sr-only">Per-step statistics</caption>
                  <thead>
                    <tr>
                      {['Step', 'Scheduled', 'Sent', 'Failed', 'Skipped', 'Replied', 'Booked', 'Opted out'].map((h) => (
                        <th key={h} scope="col">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {stats.data.steps.map((s) => (
                      <tr key={s.step}>
                        <th scope="row">{s.step}</th>
                        <td>{s.scheduled}</td>
                        <td>{s.sent}</td>
                        <td>{s.failed}</td>
                        <td>{s.skipped}</td>
                        <td>{s.replied}</td>
                        <td>{s.booked}</td>
                        <td>{s.opted_out}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      )}
    </QueryState>
  );
}

function Editor({ seq, onDone }: { seq: Sequence | null; onDone: (id?: string) => void }) {
  const { can } = useAuth();
  const qc = useQueryClient();
  const [d, setD] = useState<Draft>(() =>
    seq
      ? toDraft(seq)
      : { name: '', trigger: 'manual', active: true, weekdays_only: false, window: 'business_hours', start: '09:00', end: '18:00', steps: [blankStep()] },
  );
  const save = useMutation({
    mutationFn: () =>
      seq
        ? call(api.PUT('/api/follow-ups/sequences/{id}', { params: { path: { id: seq.id } }, body: toSpec(d) }))
        : call(api.POST('/api/follow-ups/sequences', { body: toSpec(d) })),
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: ['sequences'] });
      onDone(s.id);
    },
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/api/follow-ups/sequences/{id}', { params: { path: { id: seq!.id } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['sequences'] });
      onDone();
    },
  });
  const ro = !can.admin;
  const setStep = (i: number, patch: Partial<StepDraft>) => setD((x) => ({ ...x, steps: x.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) }));
  const err = save.error;
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="seq-editor">
      <h2 id="seq-editor">{seq ? `Edit “${seq.name}”` : 'New sequence'}</h2>
      {ro && <p className="muted">Only admins can change sequences.</p>}
      <fieldset disabled={ro} className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
        <div className="step__grid">
          <TextField label="Name" value={d.name} onChange={(e) => setD({ ...d, name: e.target.value })} required error={fieldError(err, 'name')} />
          <SelectField label="Trigger" value={d.trigger} onChange={(e) => setD({ ...d, trigger: e.target.value as Trigger })} error={fieldError(err, 'trigger')}>
            <option value="new_lead">New lead</option>
            <option value="no_show">No-show</option>
            <option value="quote_sent">Quote sent</option>
            <option value="manual">Manual</option>
          </SelectField>
          <SelectField label="Send window" value={d.window} onChange={(e) => setD({ ...d, window: e.target.value as Draft['window'] })} error={fieldError(err, 'send_window')}>
            <option value="business_hours">Business hours</option>
            <option value="custom">Custom (recipient's time)</option>
          </SelectField>
          {d.window === 'custom' && (
            <>
              <TextField label="Window start" type="time" min="08:00" max="21:00" value={d.start} onChange={(e) => setD({ ...d, start: e.target.value })} />
              <TextField label="Window end" type="time" min="08:00" max="21:00" value={d.end} onChange={(e) => setD({ ...d, end: e.target.value })} />
            </>
          )}
        </div>
        <label className="check">
          <input type="checkbox" checked={d.active} onChange={(e) => setD({ ...d, active: e.target.checked })} /> Active
        </label>
        <label className="check">
          <input type="checkbox" checked={d.weekdays_only} onChange={(e) => setD({ ...d, weekdays_only: e.target.checked })} /> Weekdays only
        </label>
        <h3>Steps</h3>
        <ol className="steps">
          {d.steps.map((s, i) => (
            <li key={i} className="step">
              <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
                <legend>
                  <strong>Step {i + 1}</strong>
                </legend>
                <div className="step__grid">
                  <TextField label="Wait" type="number" min={0} value={s.delay} onChange={(e) => setStep(i, { delay: Number(e.target.value) })} error={fieldError(err, `steps[${i}].delay_minutes`)} />
                  <SelectField label="Unit" value={s.unit} onChange={(e) => setStep(i, { unit: e.target.value as StepDraft['unit'] })}>
                    <option value="minutes">minutes</option>
                    <option value="hours">hours</option>
                    <option value="days">days</option>
                  </SelectField>
                  <SelectField label="After" value={s.after} onChange={(e) => setStep(i, { after: e.target.value as StepDraft['after'] })}>
                    <option value="previous_step">the previous step</option>
                    <option value="enrollment">enrollment</option>
                  </SelectField>
                  <SelectField label="Channel" value={s.channel} onChange={(e) => setStep(i, { channel: e.target.value as StepChannel })} error={fieldError(err, `steps[${i}].channel`)}>
                    <option value="preferred">Customer's last channel</option>
                    <option value="sms">SMS</option>
                    <option value="email">E-mail</option>
                    <option value="chat">Chat</option>
                  </SelectField>
                </div>
                <label className="check">
                  <input type="checkbox" checked={s.personalised} onChange={(e) => setStep(i, { personalised: e.target.checked })} /> Written by the AI when sent
                </label>
                {!s.personalised && (
                  <>
                    {s.channel === 'email' && <TextField label="Subject" value={s.subject} onChange={(e) => setStep(i, { subject: e.target.value })} error={fieldError(err, `steps[${i}].subject`)} />}
                    <TextArea
                      label="Message"
                      value={s.template}
                      onChange={(e) => setStep(i, { template: e.target.value })}
                      hint="Placeholders: {first_name}, {name}, {company}, {business_name}"
                      error={fieldError(err, `steps[${i}].template`)}
                    />
                  </>
                )}
                <div className="row">
                  <button type="button" className="btn btn--small" disabled={i === 0} onClick={() => setD((x) => ({ ...x, steps: swap(x.steps, i, i - 1) }))}>
                    Move up
                  </button>
                  <button type="button" className="btn btn--small" disabled={i === d.steps.length - 1} onClick={() => setD((x) => ({ ...x, steps: swap(x.steps, i, i + 1) }))}>
                    Move down
                  </button>
                  <button type="button" className="btn btn--small btn--danger" disabled={d.steps.length === 1} onClick={() => setD((x) => ({ ...x, steps: x.steps.filter((_, j) => j !== i) }))}>
                    Remove step {i + 1}
                  </button>
                </div>
              </fieldset>
            </li>
          ))}
        </ol>
        <div className="row">
          <button type="button" className="btn" disabled={d.steps.length >= 20} onClick={() => setD((x) => ({ ...x, steps: [...x.steps, blankStep()] }))}>
            Add step
          </button>
        </div>
        <FormError error={save.error ?? remove.error} fields={['name', 'trigger', 'send_window', ...d.steps.flatMap((_, i) => [`steps[${i}].delay_minutes`, `steps[${i}].channel`, `steps[${i}].subject`, `steps[${i}].template`])]} />
        <div className="row">
          <button type="submit" className="btn btn--primary" disabled={save.isPending}>
            Save sequence
          </button>
          {seq && (
            <button type="button" className="btn btn--danger" onClick={() => confirm(`Delete “${seq.name}”?`) && remove.mutate()}>
              Delete
            </button>
          )}
          <button type="button" className="btn" onClick={() => onDone(seq?.id)}>
            Close
          </button>
        </div>
      </fieldset>
    </form>
  );
}

function swap<T>(a: T[], i: number, j: number): T[] {
  const b = [...a];
  [b[i], b[j]] = [b[j]!, b[i]!];
  return b;
}

export default function FollowUps() {
  const { can } = useAuth();
  const seqs = useQuery({ queryKey: ['sequences'], queryFn: () => call(api.GET('/api/follow-ups/sequences')) });
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<'new' | string | null>(null);
  const list = seqs.data ?? [];
  const current = list.find((s) => s.id === selected) ?? null;
  return (
    <>
      <PageHeader title="Follow-ups">
        {can.admin && (
          <button type="button" className="btn btn--primary" onClick={() => setEditing('new')}>
            New sequence
          </button>
        )}
      </PageHeader>
      <QueryState q={seqs} label="sequences">
        <div className="grid">
          <section className="card" aria-labelledby="seq-list">
            <h2 id="seq-list">Sequences</h2>
            <ul className="stack" style={{ listStyle: 'none', padding: 0 }}>
              {list.map((s) => (
                <li key={s.id}>
                  <button type="button" className="btn btn--ghost" aria-pressed={s.id === selected} onClick={() => { setSelected(s.id); setEditing(null); }}>
                    {s.name}
                  </button>{' '}
                  <Badge tone={s.active === false ? 'neutral' : 'ok'}>{s.active === false ? 'inactive' : 'active'}</Badge>{' '}
                  <span className="muted">
                    {s.trigger} · {s.steps.length} steps
                  </span>
                </li>
              ))}
            </ul>
          </section>
          {current && editing === null && (
            <section className="card stack" aria-labelledby="seq-detail">
              <h2 id="seq-detail">{current.name}</h2>
              <ol>
                {current.steps.map((st, i) => (
                  <li key={i}>
                    after {st.delay_minutes} min ({st.after ?? 'previous_step'}) by {st.channel ?? 'preferred'}:{' '}
                    {'personalised' in st && st.personalised ? <em>written by the AI</em> : 'template' in st ? st.template : ''}
                  </li>
                ))}
              </ol>
              <button type="button" className="btn" onClick={() => setEditing(current.id)}>
                {can.admin ? 'Edit' : 'View settings'}
              </button>
              <h3>Statistics</h3>
              <Stats id={current.id} />
            </section>
          )}
        </div>
        {editing !== null && (
          <div className="panel">
            <Editor
              key={editing}
              seq={editing === 'new' ? null : (list.find((s) => s.id === editing) ?? null)}
              onDone={(id) => {
                setEditing(null);
                if (id) setSelected(id);
              }}
            />
          </div>
        )}
      </QueryState>
    </>
  );
}
