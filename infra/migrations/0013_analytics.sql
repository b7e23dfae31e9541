-- How far each lead has come in the funnel, whatever its status is now: a won lead
-- reopened as contacted was still won once, a lost one may have been qualified. The
-- analytics funnel counts these, so a status change can never erase a stage reached.
-- A trigger keeps them, so every path that writes a status (staff, replies, bookings)
-- records the stage in the same statement.

ALTER TABLE leads
    ADD COLUMN contacted_at timestamptz,
    ADD COLUMN qualified_at timestamptz,
    ADD COLUMN won_at       timestamptz;

CREATE FUNCTION leads_record_stage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Won counts as qualified and contacted: the funnel only moves through them.
    IF NEW.status IN ('contacted', 'qualified', 'won') THEN
        NEW.contacted_at := coalesce(NEW.contacted_at, now());
    END IF;
    IF NEW.status IN ('qualified', 'won') THEN
        NEW.qualified_at := coalesce(NEW.qualified_at, now());
    END IF;
    IF NEW.status = 'won' THEN
        NEW.won_at := coalesce(NEW.won_at, now());
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER leads_record_stage BEFORE INSERT OR UPDATE OF status ON leads
    FOR EACH ROW EXECUTE FUNCTION leads_record_stage();

-- Leads from before this migration: what the status says, and what the status changes
-- still in the outbox (the last week) say they passed through. A lost lead could only
-- be lost from qualified.
UPDATE leads SET
    contacted_at = CASE WHEN status <> 'new' THEN updated_at END,
    qualified_at = CASE WHEN status IN ('qualified', 'won', 'lost') THEN updated_at END,
    won_at       = CASE WHEN status = 'won' THEN coalesce(closed_at, updated_at) END;

UPDATE leads l SET
    contacted_at = coalesce(l.contacted_at, reached.contacted),
    qualified_at = coalesce(l.qualified_at, reached.qualified),
    won_at       = coalesce(l.won_at, reached.won)
FROM (
    SELECT subject_id,
           min(occurred_at) FILTER (WHERE payload #>> '{data,to}' IN ('contacted', 'qualified', 'won')) AS contacted,
           min(occurred_at) FILTER (WHERE payload #>> '{data,to}' IN ('qualified', 'won')) AS qualified,
           min(occurred_at) FILTER (WHERE payload #>> '{data,to}' = 'won') AS won
    FROM outbox
    WHERE event_type = 'lead.status_changed'
    GROUP BY subject_id
) reached
WHERE reached.subject_id = l.id;

-- The analytics refresh finds leads changed since its last run.
CREATE INDEX leads_updated_idx ON leads (updated_at);
