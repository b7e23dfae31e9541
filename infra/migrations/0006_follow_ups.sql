-- Follow-up sequences: what staff define (steps, window, weekdays), each lead's run of
-- one, and the follow-up messages a run plans one step at a time. Plus the customer's
-- own time zone, which the send window is computed in when known.

ALTER TABLE customers ADD COLUMN time_zone text;

CREATE TABLE sequences (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CONSTRAINT sequences_name_check CHECK (length(name) BETWEEN 1 AND 200),
    trigger       text NOT NULL
                  CONSTRAINT sequences_trigger_check CHECK (trigger IN ('new_lead', 'no_show', 'quote_sent', 'manual')),
    -- Ordered steps, validated by the domain: delay, anchor, channel, content.
    steps         jsonb NOT NULL CONSTRAINT sequences_steps_check CHECK (jsonb_typeof(steps) = 'array'),
    weekdays_only boolean NOT NULL DEFAULT false,
    -- "business_hours" or {"start": "HH:MM", "end": "HH:MM"} in the recipient's time.
    send_window   jsonb NOT NULL DEFAULT '"business_hours"',
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Automatic enrollment picks the one active sequence of a trigger.
CREATE UNIQUE INDEX sequences_trigger_active_key ON sequences (trigger) WHERE active AND trigger <> 'manual';

CREATE TABLE sequence_runs (
    id          uuid PRIMARY KEY,
    sequence_id uuid NOT NULL CONSTRAINT sequence_runs_sequence_id_fkey REFERENCES sequences (id) ON DELETE CASCADE,
    lead_id     uuid NOT NULL CONSTRAINT sequence_runs_lead_id_fkey REFERENCES leads (id) ON DELETE CASCADE,
    customer_id uuid NOT NULL CONSTRAINT sequence_runs_customer_id_fkey REFERENCES customers (id) ON DELETE CASCADE,
    -- The no-show a run follows up on.
    booking_id  uuid CONSTRAINT sequence_runs_booking_id_fkey REFERENCES bookings (id) ON DELETE SET NULL,
    enrolled_at timestamptz NOT NULL,
    ended_at    timestamptz,
    end_reason  text CONSTRAINT sequence_runs_end_reason_check CHECK (end_reason IN
                ('completed', 'replied', 'booked', 'opted_out', 'won', 'lost', 'staff', 'undeliverable', 'sequence_changed')),
    CONSTRAINT sequence_runs_ended_check CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
-- A lead is in at most one active run of a sequence; re-entry once it has ended.
CREATE UNIQUE INDEX sequence_runs_active_key ON sequence_runs (sequence_id, lead_id) WHERE ended_at IS NULL;
CREATE INDEX sequence_runs_customer_idx ON sequence_runs (customer_id) WHERE ended_at IS NULL;
CREATE INDEX sequence_runs_sequence_idx ON sequence_runs (sequence_id, enrolled_at);
-- A lead's runs (enrollment by cause, stopping a lead, deleting one).
CREATE INDEX sequence_runs_lead_idx ON sequence_runs (lead_id, sequence_id);

ALTER TABLE follow_ups
    ADD COLUMN run_id   uuid CONSTRAINT follow_ups_run_id_fkey REFERENCES sequence_runs (id) ON DELETE CASCADE,
    ADD COLUMN status   text NOT NULL DEFAULT 'pending' CONSTRAINT follow_ups_status_check
                        CHECK (status IN ('pending', 'queued', 'sent', 'failed', 'skipped', 'cancelled')),
    -- `template` content is rendered at send time; `personalised` is written then by the AI engine.
    ADD COLUMN content_kind text NOT NULL DEFAULT 'template'
                        CONSTRAINT follow_ups_content_kind_check CHECK (content_kind IN ('template', 'personalised')),
    ADD COLUMN subject  text,
    ADD COLUMN queued_at timestamptz,
    ADD COLUMN finished_at timestamptz,
    ADD COLUMN provider_message_id text,
    -- Why a follow-up was skipped, failed or cancelled.
    ADD COLUMN reason   text;
UPDATE follow_ups SET status = CASE WHEN sent THEN 'sent' WHEN cancelled_at IS NOT NULL THEN 'cancelled' ELSE 'pending' END;
ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_sent_status_check CHECK (sent = (status = 'sent'));

DROP INDEX follow_ups_due_idx;
CREATE INDEX follow_ups_due_idx ON follow_ups (scheduled_time) WHERE status = 'pending';
CREATE INDEX follow_ups_queued_idx ON follow_ups (queued_at) WHERE status = 'queued';
-- Counting what went out on a channel in the last minute (the send cap).
CREATE INDEX follow_ups_channel_queued_idx ON follow_ups (message_type, queued_at) WHERE queued_at IS NOT NULL;
CREATE UNIQUE INDEX follow_ups_run_step_key ON follow_ups (run_id, step) WHERE run_id IS NOT NULL;
CREATE INDEX follow_ups_status_time_idx ON follow_ups (status, scheduled_time);

-- The two sequences a new deployment starts with; staff can change or replace them.
INSERT INTO sequences (id, name, trigger, steps, weekdays_only, send_window) VALUES
('0190a5f0-0000-7000-8000-000000000001', 'New lead follow-up', 'new_lead', '[
  {"delay_minutes": 60, "after": "enrollment", "channel": "preferred",
   "template": "Hi {first_name}, just checking you saw our reply. Happy to answer any questions or find you a time that suits. {business_name}"},
  {"delay_minutes": 1440, "after": "enrollment", "channel": "preferred", "personalised": true},
  {"delay_minutes": 4320, "after": "enrollment", "channel": "preferred",
   "template": "Hi {first_name}, would a quick call this week help? Reply with a day that works and we will set it up. {business_name}"},
  {"delay_minutes": 10080, "after": "enrollment", "channel": "preferred",
   "template": "Hi {first_name}, we will leave it here for now. If you still need a hand, just reply to this message. {business_name}"}
]', false, '"business_hours"'),
('0190a5f0-0000-7000-8000-000000000002', 'Missed appointment', 'no_show', '[
  {"delay_minutes": 30, "after": "enrollment", "channel": "preferred",
   "template": "Hi {first_name}, we missed you today. Would you like to pick another time? Reply here and we will find one. {business_name}"},
  {"delay_minutes": 1440, "after": "enrollment", "channel": "preferred", "personalised": true}
]', false, '"business_hours"');
