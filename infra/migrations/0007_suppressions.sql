-- Suppressions: addresses that cannot receive (a hard bounce, an invalid address, a
-- landline), or whose owner reported Leadflow's mail as spam. Nothing is sent to them any
-- more, follow-ups included. One row per address, like `opt_outs`, with the first
-- provider event that put it there; an address is normalised the same way (E.164 phone,
-- trimmed lower-case e-mail).

CREATE TABLE suppressions (
    channel           text NOT NULL CONSTRAINT suppressions_channel_check CHECK (channel IN ('sms', 'email')),
    address           text NOT NULL,
    reason            text NOT NULL CONSTRAINT suppressions_reason_check CHECK (reason IN (
                          'hard_bounce', 'invalid_address', 'spam_report', 'unsubscribed',
                          'unreachable', 'unknown_destination', 'landline', 'invalid_number', 'not_mobile')),
    -- The provider's id of the event that suppressed the address (`sendgrid:<sg_event_id>`,
    -- `twilio:<MessageSid>:<MessageStatus>`).
    provider_event_id text NOT NULL,
    -- What the provider said (the SMTP response, the error code).
    detail            text CONSTRAINT suppressions_detail_check CHECK (char_length(detail) <= 1000),
    customer_id       uuid CONSTRAINT suppressions_customer_id_fkey REFERENCES customers (id) ON DELETE SET NULL,
    occurred_at       timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, address),
    CONSTRAINT suppressions_channel_address_check CHECK (
        (channel = 'sms' AND address ~ '^\+[1-9][0-9]{3,15}$')
        OR (channel = 'email' AND address = lower(btrim(address)) AND address LIKE '%_@_%'))
);
-- Deleting a customer clears their rows' customer_id; the index keeps that a lookup.
CREATE INDEX suppressions_customer_idx ON suppressions (customer_id) WHERE customer_id IS NOT NULL;
