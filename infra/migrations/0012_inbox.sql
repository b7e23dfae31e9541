-- The staff inbox: the channel a conversation last moved on (so the list filters without
-- asking MongoDB), what each reader has read of each conversation, and how each
-- provider's last calls went (the Settings page's integration status).

ALTER TABLE conversations
    ADD COLUMN last_channel text
        CONSTRAINT conversations_last_channel_check CHECK (last_channel IN ('sms', 'email', 'chat', 'form'));

-- The inbox reads conversations by latest activity, either direction.
CREATE INDEX conversations_activity_idx
    ON conversations ((greatest(last_inbound_at, last_outbound_at)) DESC, customer_id DESC);

-- One read mark per conversation and reader: a signed-in user (`user:<id>`) or an API
-- key (`key:<id>`), as the actor is written in logs.
CREATE TABLE conversation_reads (
    customer_id uuid NOT NULL CONSTRAINT conversation_reads_customer_id_fkey
        REFERENCES customers (id) ON DELETE CASCADE,
    reader      text NOT NULL CONSTRAINT conversation_reads_reader_check CHECK (length(reader) BETWEEN 1 AND 300),
    read_at     timestamptz NOT NULL,
    PRIMARY KEY (customer_id, reader)
);
CREATE INDEX conversation_reads_reader_idx ON conversation_reads (reader);

-- The last success and the last failure of calls to each provider. The error text is
-- written scrubbed of URLs and key-like words, and short.
CREATE TABLE provider_status (
    provider        text PRIMARY KEY CONSTRAINT provider_status_provider_check
        CHECK (provider IN ('twilio', 'sendgrid', 'openai', 'slack', 'salesforce', 'google', 'stripe')),
    last_success_at timestamptz,
    last_error_at   timestamptz,
    last_error      text CONSTRAINT provider_status_last_error_check CHECK (length(last_error) <= 500),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT provider_status_error_pair_check CHECK ((last_error_at IS NULL) = (last_error IS NULL))
);
