-- Leadflow system of record. Every enum is TEXT with a named CHECK, every relation a
-- foreign key, and the names of unique/exclusion constraints are what the API reports.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE settings (
    id             smallint PRIMARY KEY DEFAULT 1 CONSTRAINT settings_single_row CHECK (id = 1),
    business_name  text NOT NULL CONSTRAINT settings_business_name_check CHECK (char_length(business_name) BETWEEN 1 AND 200),
    time_zone      text NOT NULL,
    business_hours jsonb NOT NULL,
    services       jsonb NOT NULL DEFAULT '[]' CONSTRAINT settings_services_check CHECK (jsonb_typeof(services) = 'array'),
    tone           text NOT NULL CONSTRAINT settings_tone_check CHECK (tone IN ('friendly', 'professional', 'casual')),
    about          text,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customers (
    id            uuid PRIMARY KEY,
    name          text CONSTRAINT customers_name_check CHECK (char_length(name) <= 200),
    email         text CONSTRAINT customers_email_key UNIQUE
                       CONSTRAINT customers_email_check CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
    phone         text CONSTRAINT customers_phone_key UNIQUE
                       CONSTRAINT customers_phone_check CHECK (phone ~ '^\+[1-9][0-9]{3,15}$'),
    company       text CONSTRAINT customers_company_check CHECK (char_length(company) <= 200),
    business_type text CONSTRAINT customers_business_type_check CHECK (char_length(business_type) <= 200),
    location      text CONSTRAINT customers_location_check CHECK (char_length(location) <= 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT customers_contact_check CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE INDEX customers_created_idx ON customers (created_at DESC, id DESC);

CREATE TABLE teams (
    id                     uuid PRIMARY KEY,
    name                   text NOT NULL CONSTRAINT teams_name_key UNIQUE
                                CONSTRAINT teams_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    kind                   text NOT NULL CONSTRAINT teams_kind_check CHECK (kind IN ('sales', 'support', 'technical')),
    assignment             text NOT NULL DEFAULT 'round_robin'
                                CONSTRAINT teams_assignment_check CHECK (assignment IN ('round_robin', 'least_loaded')),
    last_assigned_agent_id uuid,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX teams_kind_idx ON teams (kind, created_at, id);

CREATE TABLE agents (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CONSTRAINT agents_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    email      text NOT NULL CONSTRAINT agents_email_key UNIQUE
                    CONSTRAINT agents_email_check CHECK (email = lower(btrim(email))),
    team_id    uuid NOT NULL CONSTRAINT agents_team_id_fkey REFERENCES teams (id) ON DELETE RESTRICT,
    available  boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_team_idx ON agents (team_id, created_at, id);
ALTER TABLE teams ADD CONSTRAINT teams_last_assigned_agent_id_fkey
    FOREIGN KEY (last_assigned_agent_id) REFERENCES agents (id) ON DELETE SET NULL;

CREATE TABLE leads (
    id              uuid PRIMARY KEY,
    customer_id     uuid NOT NULL CONSTRAINT leads_customer_id_fkey REFERENCES customers (id) ON DELETE CASCADE,
    status          text NOT NULL DEFAULT 'new'
                         CONSTRAINT leads_status_check CHECK (status IN ('new', 'contacted', 'qualified', 'won', 'lost')),
    quality_score   smallint NOT NULL DEFAULT 0 CONSTRAINT leads_quality_score_check CHECK (quality_score BETWEEN 0 AND 100),
    priority        text NOT NULL DEFAULT 'low' CONSTRAINT leads_priority_check CHECK (priority IN ('high', 'medium', 'low')),
    requirements    text,
    timeline        text CONSTRAINT leads_timeline_check CHECK (char_length(timeline) <= 200),
    budget          text CONSTRAINT leads_budget_check CHECK (char_length(budget) <= 200),
    assigned_to     uuid CONSTRAINT leads_assigned_to_fkey REFERENCES agents (id) ON DELETE SET NULL,
    source_channel  text CONSTRAINT leads_source_channel_check CHECK (source_channel IN ('sms', 'email', 'chat', 'form')),
    salesforce_id   text,
    last_inbound_at timestamptz,
    closed_at       timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- A customer has at most one open lead; intake reuses it.
CREATE UNIQUE INDEX leads_one_open_per_customer ON leads (customer_id) WHERE status IN ('new', 'contacted', 'qualified');
CREATE INDEX leads_customer_idx ON leads (customer_id, created_at DESC);
CREATE INDEX leads_created_idx ON leads (created_at DESC, id DESC);
CREATE INDEX leads_status_idx ON leads (status, created_at DESC, id DESC);
CREATE INDEX leads_priority_idx ON leads (priority, created_at DESC, id DESC);
CREATE INDEX leads_assigned_idx ON leads (assigned_to, created_at DESC) WHERE assigned_to IS NOT NULL;
CREATE INDEX leads_score_idx ON leads (quality_score DESC, created_at DESC, id DESC);

CREATE TABLE tasks (
    id           uuid PRIMARY KEY,
    lead_id      uuid NOT NULL CONSTRAINT tasks_lead_id_fkey REFERENCES leads (id) ON DELETE CASCADE,
    -- The inbound message that caused the task: routing the same message twice makes one task.
    message_id   uuid CONSTRAINT tasks_message_id_key UNIQUE,
    title        text NOT NULL CONSTRAINT tasks_title_check CHECK (char_length(title) BETWEEN 1 AND 200),
    description  text,
    task_type    text NOT NULL CONSTRAINT tasks_task_type_check CHECK (task_type IN ('sales', 'support', 'technical')),
    status       text NOT NULL DEFAULT 'open'
                      CONSTRAINT tasks_status_check CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
    priority     text NOT NULL CONSTRAINT tasks_priority_check CHECK (priority IN ('high', 'medium', 'low')),
    assigned_to  uuid CONSTRAINT tasks_assigned_to_fkey REFERENCES agents (id) ON DELETE SET NULL,
    due_date     timestamptz,
    completed_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_created_idx ON tasks (created_at DESC, id DESC);
CREATE INDEX tasks_lead_idx ON tasks (lead_id);
CREATE INDEX tasks_type_status_idx ON tasks (task_type, status, created_at DESC);
CREATE INDEX tasks_assignee_status_idx ON tasks (assigned_to, status) WHERE assigned_to IS NOT NULL;
CREATE INDEX tasks_open_due_idx ON tasks (due_date) WHERE status IN ('open', 'in_progress');

CREATE TABLE bookings (
    id               uuid PRIMARY KEY,
    customer_id      uuid NOT NULL CONSTRAINT bookings_customer_id_fkey REFERENCES customers (id) ON DELETE CASCADE,
    lead_id          uuid CONSTRAINT bookings_lead_id_fkey REFERENCES leads (id) ON DELETE SET NULL,
    -- The agent whose time is booked; NULL is the business's own calendar.
    host_id          uuid CONSTRAINT bookings_host_id_fkey REFERENCES agents (id) ON DELETE SET NULL,
    scheduled_time   timestamptz NOT NULL,
    duration_minutes smallint NOT NULL CONSTRAINT bookings_duration_minutes_check CHECK (duration_minutes BETWEEN 5 AND 480),
    ends_at          timestamptz NOT NULL,
    meeting_type     text NOT NULL CONSTRAINT bookings_meeting_type_check CHECK (meeting_type IN ('video', 'phone', 'in_person')),
    meeting_link     text,
    status           text NOT NULL DEFAULT 'scheduled'
                          CONSTRAINT bookings_status_check CHECK (status IN ('scheduled', 'confirmed', 'cancelled', 'completed', 'no_show')),
    notes            text,
    external_id      text CONSTRAINT bookings_external_id_key UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookings_ends_at_check CHECK (ends_at = scheduled_time + duration_minutes * interval '1 minute'),
    -- One host is never booked twice at once (cancelled and past-state bookings free the time).
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
        (coalesce(host_id, '00000000-0000-0000-0000-000000000000'::uuid)) WITH =,
        tstzrange(scheduled_time, ends_at) WITH &&
    ) WHERE (status IN ('scheduled', 'confirmed'))
);
CREATE INDEX bookings_time_idx ON bookings (scheduled_time, id);
CREATE INDEX bookings_customer_idx ON bookings (customer_id, scheduled_time);
CREATE INDEX bookings_lead_idx ON bookings (lead_id) WHERE lead_id IS NOT NULL;

CREATE TABLE follow_ups (
    id             uuid PRIMARY KEY,
    lead_id        uuid NOT NULL CONSTRAINT follow_ups_lead_id_fkey REFERENCES leads (id) ON DELETE CASCADE,
    customer_id    uuid NOT NULL CONSTRAINT follow_ups_customer_id_fkey REFERENCES customers (id) ON DELETE CASCADE,
    message_type   text NOT NULL CONSTRAINT follow_ups_message_type_check CHECK (message_type IN ('sms', 'email', 'chat', 'form')),
    step           integer NOT NULL DEFAULT 1 CONSTRAINT follow_ups_step_check CHECK (step >= 1),
    scheduled_time timestamptz NOT NULL,
    content        text NOT NULL,
    sent           boolean NOT NULL DEFAULT false,
    sent_at        timestamptz,
    cancelled_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT follow_ups_sent_at_check CHECK (sent = (sent_at IS NOT NULL))
);
-- The scheduler's scan: pending follow-ups by time.
CREATE INDEX follow_ups_due_idx ON follow_ups (scheduled_time) WHERE NOT sent AND cancelled_at IS NULL;
CREATE INDEX follow_ups_lead_idx ON follow_ups (lead_id, step);

-- Who asked not to be contacted on a channel. Kept when the customer is deleted.
CREATE TABLE opt_outs (
    channel     text NOT NULL CONSTRAINT opt_outs_channel_check CHECK (channel IN ('sms', 'email')),
    address     text NOT NULL,
    customer_id uuid CONSTRAINT opt_outs_customer_id_fkey REFERENCES customers (id) ON DELETE SET NULL,
    source      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, address)
);
