-- Deposits (Stripe Checkout). A booking that needs a deposit starts `pending_payment`
-- and holds its slot until `hold_until`; paid, it is confirmed; unpaid, it is released
-- (cancelled, reason `payment_not_received`).

ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('pending_payment', 'scheduled', 'confirmed', 'cancelled', 'completed', 'no_show'));

ALTER TABLE bookings
    -- Until when an unpaid booking holds its slot; set only while it is pending_payment.
    ADD COLUMN hold_until timestamptz,
    -- The service booked (one of the settings' services, by name), when given.
    ADD COLUMN service    text,
    ADD CONSTRAINT bookings_hold_until_check CHECK ((status = 'pending_payment') = (hold_until IS NOT NULL));

-- A constraint cannot read now(): an unpaid hold counts as busy here until it is
-- released, which the transaction creating an overlapping booking does first (under
-- the host lock) for holds past `hold_until`, and the schedule does every minute.
ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
    (coalesce(host_id, '00000000-0000-0000-0000-000000000000'::uuid)) WITH =,
    tstzrange(scheduled_time, ends_at) WITH &&
) WHERE (status IN ('pending_payment', 'scheduled', 'confirmed') AND source <> 'calendly');

DROP INDEX bookings_host_time_idx;
CREATE INDEX bookings_host_time_idx
    ON bookings ((coalesce(host_id, '00000000-0000-0000-0000-000000000000'::uuid)), ends_at)
    WHERE status IN ('pending_payment', 'scheduled', 'confirmed');

-- Holds the schedule releases.
CREATE INDEX bookings_hold_until_idx ON bookings (hold_until) WHERE status = 'pending_payment';

-- The deposit of a booking: its Checkout Session and what became of the money.
CREATE TABLE booking_payments (
    booking_id          uuid PRIMARY KEY CONSTRAINT booking_payments_booking_id_fkey REFERENCES bookings (id) ON DELETE CASCADE,
    amount              bigint NOT NULL CONSTRAINT booking_payments_amount_check CHECK (amount > 0),
    currency            text NOT NULL CONSTRAINT booking_payments_currency_check CHECK (currency ~ '^[a-z]{3}$'),
    -- pending: no Checkout Session yet (Stripe was down; a job retries); open: the link
    -- is out; paid; expired: the session ended unpaid; refunding: a refund is queued;
    -- refunded.
    status              text NOT NULL DEFAULT 'pending'
                        CONSTRAINT booking_payments_status_check
                        CHECK (status IN ('pending', 'open', 'paid', 'expired', 'refunding', 'refunded')),
    checkout_session_id text CONSTRAINT booking_payments_checkout_session_id_key UNIQUE,
    checkout_url        text,
    -- The Checkout request's own parameters, fixed before the first call: every retry
    -- sends them again under the same idempotency key (Stripe refuses a key reused with
    -- other parameters); `checkout_attempt` > 0 means a new key (`{booking}:{n}`) was
    -- needed because the planned expiry came too near for Stripe.
    expires_at          timestamptz,
    product_name        text,
    checkout_attempt    smallint NOT NULL DEFAULT 0 CONSTRAINT booking_payments_checkout_attempt_check CHECK (checkout_attempt >= 0),
    payment_intent      text,
    refund_id           text,
    paid_at             timestamptz,
    refunded_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX booking_payments_pending_idx ON booking_payments (created_at) WHERE status = 'pending';

-- Stripe events already acted on, by Stripe's event id: a redelivery has no effect.
CREATE TABLE stripe_events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
