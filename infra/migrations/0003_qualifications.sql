-- Every qualification of a lead is kept: the score, its per-factor breakdown, what is
-- still unknown and the recommended next actions. The lead row holds the latest score.

CREATE TABLE lead_qualifications (
    id              uuid PRIMARY KEY,
    lead_id         uuid NOT NULL CONSTRAINT lead_qualifications_lead_id_fkey REFERENCES leads (id) ON DELETE CASCADE,
    score           smallint NOT NULL CONSTRAINT lead_qualifications_score_check CHECK (score BETWEEN 0 AND 100),
    priority        text NOT NULL CONSTRAINT lead_qualifications_priority_check CHECK (priority IN ('high', 'medium', 'low')),
    breakdown       jsonb NOT NULL CONSTRAINT lead_qualifications_breakdown_check CHECK (jsonb_typeof(breakdown) = 'array'),
    missing         jsonb NOT NULL CONSTRAINT lead_qualifications_missing_check CHECK (jsonb_typeof(missing) = 'array'),
    recommendations jsonb NOT NULL CONSTRAINT lead_qualifications_recommendations_check CHECK (jsonb_typeof(recommendations) = 'array'),
    trigger         text NOT NULL CONSTRAINT lead_qualifications_trigger_check CHECK (trigger IN ('message', 'manual', 'created')),
    message_id      uuid,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lead_qualifications_lead_idx ON lead_qualifications (lead_id, created_at DESC);
-- Least-loaded assignment counts open leads per agent.
CREATE INDEX leads_open_assigned_idx ON leads (assigned_to) WHERE status IN ('new', 'contacted', 'qualified');
