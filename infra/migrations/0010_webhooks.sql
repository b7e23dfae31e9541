-- Outbound webhooks: the endpoints admins register (and the subscriptions Zapier makes
-- through its REST hooks), one message per event sent, one delivery per message and
-- endpoint, and every attempt made. The signing secret has to be kept readable: the
-- receiver checks an HMAC made with it.
CREATE TABLE webhook_endpoints (
    id                   uuid PRIMARY KEY,
    url                  text NOT NULL CONSTRAINT webhook_endpoints_url_check CHECK (char_length(url) BETWEEN 8 AND 2048),
    description          text NOT NULL DEFAULT ''
                              CONSTRAINT webhook_endpoints_description_check CHECK (char_length(description) <= 500),
    -- Event types delivered; '{*}' is every type.
    event_types          text[] NOT NULL CONSTRAINT webhook_endpoints_event_types_check CHECK (cardinality(event_types) >= 1),
    -- 'zapier' rows were made by Zapier's subscribe call: a 410 deletes them.
    source               text NOT NULL CONSTRAINT webhook_endpoints_source_check CHECK (source IN ('admin', 'zapier')),
    secret               text NOT NULL,
    -- The secret before the last rotation, still signed with until it expires.
    previous_secret      text,
    previous_expires_at  timestamptz,
    enabled              boolean NOT NULL DEFAULT true,
    disabled_reason      text,
    -- The first failed attempt since the last success; five days of it disable the endpoint.
    failing_since        timestamptz,
    created_by           jsonb,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_endpoints_previous_check CHECK ((previous_secret IS NULL) = (previous_expires_at IS NULL))
);
CREATE INDEX webhook_endpoints_enabled_idx ON webhook_endpoints (created_at) WHERE enabled;

-- The exact body sent for one event: every attempt to every endpoint signs these bytes.
CREATE TABLE webhook_messages (
    id           uuid PRIMARY KEY,   -- the event id, sent as `webhook-id`
    event_type   text NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
-- The schedule deletes month-old messages (and their deliveries) by this.
CREATE INDEX webhook_messages_created_at_idx ON webhook_messages (created_at);

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    endpoint_id      uuid NOT NULL CONSTRAINT webhook_deliveries_endpoint_id_fkey REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    message_id       uuid NOT NULL CONSTRAINT webhook_deliveries_message_id_fkey REFERENCES webhook_messages (id) ON DELETE CASCADE,
    status           text NOT NULL DEFAULT 'pending'
                          CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'succeeded', 'failed', 'cancelled')),
    attempts         integer NOT NULL DEFAULT 0 CONSTRAINT webhook_deliveries_attempts_check CHECK (attempts >= 0),
    -- Automatic retries still allowed after a failure (a manual retry allows none).
    retries_left     smallint NOT NULL CONSTRAINT webhook_deliveries_retries_left_check CHECK (retries_left >= 0),
    next_attempt_at  timestamptz,
    -- Held by the job making an attempt; a second job for the same delivery does nothing.
    lease_until      timestamptz,
    -- A job for the next attempt is believed queued until then; the schedule queues it after.
    queued_until     timestamptz,
    last_status      smallint,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CONSTRAINT webhook_deliveries_once_key UNIQUE (endpoint_id, message_id),
    CONSTRAINT webhook_deliveries_pending_check CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_message_idx ON webhook_deliveries (message_id);

CREATE TABLE webhook_attempts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id    uuid NOT NULL CONSTRAINT webhook_attempts_delivery_id_fkey REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at   timestamptz NOT NULL,
    -- NULL when no response came (refused target, timeout, connection error).
    status_code    smallint,
    latency_ms     integer NOT NULL CONSTRAINT webhook_attempts_latency_check CHECK (latency_ms >= 0),
    -- The first kilobyte of the response, or why there was none.
    response_body  text CONSTRAINT webhook_attempts_response_body_check CHECK (octet_length(response_body) <= 1024),
    error          text
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
