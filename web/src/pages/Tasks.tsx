import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call, type Schemas } from '../api/client';
import { useAuth } from '../auth/AuthContext';
import { Badge, FormError, PageHeader, QueryState, SelectField } from '../components/ui';
import { taskMoves, TASK_STATUSES, type TaskStatus } from '../lib/leadStatus';
import { formatDateTime, formatDuration } from '../lib/time';

type Task = Schemas['Task'];
type Tab = 'mine' | 'team' | 'overdue' | 'open';

function useNow(everyMs: number) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** "late by 12m" / "due in 40m", from the task's SLA due date. */
export function SlaCountdown({ due, now, done }: { due: string | null | undefined; now: number; done: boolean }) {
  if (!due) return <span className="muted">no due date</span>;
  if (done) return <span className="muted">due {formatDateTime(due)}</span>;
  const left = (Date.parse(due) - now) / 1000;
  if (left < 0)
    return (
      <span className="sla--late" title={formatDateTime(due)}>
        late by {formatDuration(-left)}
      </span>
    );
  return (
    <span className={left < 3600 ? 'sla--soon' : ''} title={formatDateTime(due)}>
      due in {formatDuration(left)}
    </span>
  );
}

const STATUS_LABEL: Record<TaskStatus, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', cancelled: 'Cancelled' };

export default function Tasks() {
  const { user, can } = useAuth();
  const qc = useQueryClient();
  const [tab, setTab] = useState<Tab>(user?.agent_id ? 'mine' : 'open');
  const now = useNow(15_000);
  const agentId = user?.agent_id ?? null;

  const agents = useQuery({
    queryKey: ['agents'],
    queryFn: () => call(api.GET('/api/agents')),
    staleTime: 60_000,
  });
  const me = agents.data?.items.find((a) => a.id === agentId);
  const teamAgents = useMemo(() => new Set((agents.data?.items ?? []).filter((a) => me && a.team_id === me.team_id).map((a) => a.id)), [agents.data, me]);
  const agentName = useMemo(() => new Map((agents.data?.items ?? []).map((a) => [a.id, a.name])), [agents.data]);

  const tasks = useQuery({
    queryKey: ['tasks', tab, agentId],
    queryFn: async (): Promise<Task[]> => {
      const get = (query: Record<string, string | number | boolean>) =>
        call(api.GET('/api/tasks', { params: { query: { limit: 200, ...query } } })).then((p) => p.items);
      switch (tab) {
        case 'mine':
          return agentId ? get({ assigned_to: agentId }) : [];
        case 'overdue':
          return get({ overdue: true });
        case 'team':
        case 'open': {
          const [open, doing] = await Promise.all([get({ status: 'open' }), get({ status: 'in_progress' })]);
          return [...open, ...doing];
        }
      }
    },
    refetchInterval: 30_000,
  });
  const shown = useMemo(() => {
    const all = tasks.data ?? [];
    const list = tab === 'team' ? all.filter((t) => t.assigned_to && teamAgents.has(t.assigned_to)) : all;
    return [...list].sort((a, b) => (a.due_date ?? '9999').localeCompare(b.due_date ?? '9999'));
  }, [tasks.data, tab, teamAgents]);

  const setStatus = useMutation({
    mutationFn: ({ id, status }: { id: string; status: TaskStatus }) =>
      call(api.PUT('/api/tasks/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['tasks'] }),
  });
  const assign = useMutation({
    mutationFn: ({ id, agent }: { id: string; agent: string }) =>
      call(api.POST('/api/tasks/{id}/assign', { params: { path: { id } }, body: agent === 'auto' ? {} : { agent_id: agent } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['tasks'] }),
  });

  const tabs: [Tab, string][] = [
    ['mine', 'Mine'],
    ['team', "My team's"],
    ['overdue', 'Overdue'],
    ['open', 'All open'],
  ];
  return (
    <>
      <PageHeader title="Tasks" />
      <div className="tabs" role="tablist" aria-label="Task lists">
        {tabs.map(([k, label]) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} aria-controls="task-panel" id={`tab-${k}`} onClick={() => setTab(k)}>
            {label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="task-panel" aria-labelledby={`tab-${tab}`}>
        {(tab === 'mine' || tab === 'team') && !agentId && (
          <p className="notice">Your account is not linked to an agent, so nothing is assigned to you. An admin can link one in Settings → Users.</p>
        )}
        <FormError error={setStatus.error ?? assign.error} />
        <QueryState q={tasks} label="tasks">
          {shown.length === 0 ? (
            <p className="muted">No tasks here.</p>
          ) : (
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Tasks table">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Task</th>
                    <th scope="col">Priority</th>
                    <th scope="col">SLA</th>
                    <th scope="col">Assigned</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((t) => {
                    const status = t.status as TaskStatus;
                    const moves = taskMoves(status);
                    return (
                      <tr key={t.id}>
                        <td>
                          <strong>{t.title}</strong>
                          <div className="muted">
                            {t.task_type} · <Link to={`/leads/${t.lead_id}`}>lead</Link>
                          </div>
                        </td>
                        <td>
                          <Badge tone={t.priority === 'high' ? 'danger' : t.priority === 'medium' ? 'warn' : 'neutral'}>{t.priority}</Badge>
                        </td>
                        <td>
                          <SlaCountdown due={t.due_date} now={now} done={status === 'done' || status === 'cancelled'} />
                        </td>
                        <td>
                          {can.write && (status === 'open' || status === 'in_progress') ? (
                            <SelectField
                              label={<span className="sr-only">Assign {t.title}</span>}
                              value={t.assigned_to ?? ''}
                              onChange={(e) => assign.mutate({ id: t.id, agent: e.target.value || 'auto' })}
                            >
                              <option value="">{t.assigned_to ? 'By team rule' : 'Unassigned'}</option>
                              {(agents.data?.items ?? []).map((a) => (
                                <option key={a.id} value={a.id}>
                                  {a.name}
                                  {a.available ? '' : ' (away)'}
                                </option>
                              ))}
                            </SelectField>
                          ) : (
                            (t.assigned_to && agentName.get(t.assigned_to)) ?? '—'
                          )}
                        </td>
                        <td>
                          {can.write && moves.length > 0 ? (
                            <SelectField
                              label={<span className="sr-only">Status of {t.title}</span>}
                              value={status}
                              onChange={(e) => setStatus.mutate({ id: t.id, status: e.target.value as TaskStatus })}
                            >
                              {TASK_STATUSES.filter((s) => s === status || moves.includes(s)).map((s) => (
                                <option key={s} value={s}>
                                  {STATUS_LABEL[s]}
                                </option>
                              ))}
                            </SelectField>
                          ) : (
                            STATUS_LABEL[status] ?? status
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </QueryState>
      </div>
    </>
  );
}
