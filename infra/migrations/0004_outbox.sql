-- The transactional outbox: a service writes the events of a change in the same
-- transaction as the change; the relay records them in MongoDB and publishes them, in
-- `seq` order, and marks them published. A crash between commit and publish loses
-- nothing: the rows wait for the next relay run.

CREATE TABLE outbox (
    seq          bigserial PRIMARY KEY,
    id           uuid NOT NULL CONSTRAINT outbox_id_key UNIQUE,
    event_type   text NOT NULL,
    subject_id   uuid NOT NULL,
    payload      jsonb NOT NULL CONSTRAINT outbox_payload_check CHECK (jsonb_typeof(payload) = 'object'),
    occurred_at  timestamptz NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text,
    published_at timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- A reply that could not be delivered after every retry hands the lead to a person.
ALTER TABLE leads DROP CONSTRAINT leads_handoff_reason_check;
ALTER TABLE leads ADD CONSTRAINT leads_handoff_reason_check
    CHECK (handoff_reason IN ('complaint', 'low_confidence', 'requested', 'delivery_failed'));

-- A team still referenced by its agents is deactivated instead of deleted: it keeps its
-- history and takes no new work.
ALTER TABLE teams ADD COLUMN active boolean NOT NULL DEFAULT true;

-- A message gets one task per kind: staff may route it to another team than the
-- analysis chose, and routing again as the same kind finds the same task.
ALTER TABLE tasks DROP CONSTRAINT tasks_message_id_key;
ALTER TABLE tasks ADD CONSTRAINT tasks_message_id_task_type_key UNIQUE (message_id, task_type);
