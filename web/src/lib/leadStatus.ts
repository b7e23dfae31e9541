// The lead funnel, as the API enforces it (shared/src/domain/lead.rs, LeadStatus::can_become):
// new → contacted → qualified → won | lost, and a won or lost lead reopens as contacted.
// Any other move is refused by the API (422), so the board offers only these.

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'won', 'lost'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const STATUS_LABEL: Record<LeadStatus, string> = {
  new: 'New',
  contacted: 'Contacted',
  qualified: 'Qualified',
  won: 'Won',
  lost: 'Lost',
};

export function canBecome(from: LeadStatus, to: LeadStatus): boolean {
  if (from === to) return true;
  return (
    ((from === 'new' || from === 'won' || from === 'lost') && to === 'contacted') ||
    (from === 'contacted' && to === 'qualified') ||
    (from === 'qualified' && (to === 'won' || to === 'lost'))
  );
}

/** The statuses a lead may move to from `from` (excluding staying put). */
export function allowedMoves(from: LeadStatus): LeadStatus[] {
  return LEAD_STATUSES.filter((s) => s !== from && canBecome(from, s));
}

export function isLeadStatus(s: string): s is LeadStatus {
  return (LEAD_STATUSES as readonly string[]).includes(s);
}

// Tasks (shared/src/domain/task.rs): open → in_progress → done | cancelled; open may
// close directly; in_progress may reopen.
export const TASK_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export function taskMoves(from: TaskStatus): TaskStatus[] {
  const m: Record<TaskStatus, TaskStatus[]> = {
    open: ['in_progress', 'done', 'cancelled'],
    in_progress: ['done', 'cancelled', 'open'],
    done: [],
    cancelled: [],
  };
  return m[from];
}
