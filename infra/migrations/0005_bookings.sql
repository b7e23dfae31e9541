-- Bookings in use: their settings, the reminders the schedule sends, the times a
-- conversation offered, and the calendar-side identity of each booking.

ALTER TABLE settings
    ADD COLUMN booking jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT settings_booking_check CHECK (jsonb_typeof(booking) = 'object');

ALTER TABLE bookings
    -- iCalendar SEQUENCE: bumped on every change the customer is told about.
    ADD COLUMN sequence         integer NOT NULL DEFAULT 0 CONSTRAINT bookings_sequence_check CHECK (sequence >= 0),
    ADD COLUMN source           text NOT NULL DEFAULT 'api'
                                CONSTRAINT bookings_source_check CHECK (source IN ('api', 'conversation', 'calendly')),
    ADD COLUMN location         text,
    -- The Google Calendar event of the host, once created.
    ADD COLUMN calendar_event_id text,
    ADD COLUMN cancelled_at     timestamptz,
    ADD COLUMN cancel_reason    text,
    -- A booking made in a website chat: only that chat session may move or cancel it
    -- by message (anyone can type a customer's e-mail address into the widget).
    ADD COLUMN chat_session     uuid;

-- Active bookings of a host ending after a time: what availability reads.
CREATE INDEX bookings_host_time_idx
    ON bookings ((coalesce(host_id, '00000000-0000-0000-0000-000000000000'::uuid)), ends_at)
    WHERE status IN ('scheduled', 'confirmed');

CREATE TABLE booking_reminders (
    booking_id     uuid NOT NULL CONSTRAINT booking_reminders_booking_id_fkey REFERENCES bookings (id) ON DELETE CASCADE,
    offset_minutes integer NOT NULL CONSTRAINT booking_reminders_offset_check CHECK (offset_minutes > 0),
    -- The meeting time this reminder is for: a rescheduled booking gets new rows.
    scheduled_time timestamptz NOT NULL,
    due_at         timestamptz NOT NULL,
    queued_at      timestamptz,
    sent_at        timestamptz,
    PRIMARY KEY (booking_id, offset_minutes, scheduled_time)
);
CREATE INDEX booking_reminders_due_idx ON booking_reminders (due_at) WHERE sent_at IS NULL;

-- The open times a conversation last offered a customer, so "2" books the second one.
CREATE TABLE booking_offers (
    customer_id      uuid PRIMARY KEY CONSTRAINT booking_offers_customer_id_fkey REFERENCES customers (id) ON DELETE CASCADE,
    slots            timestamptz[] NOT NULL CONSTRAINT booking_offers_slots_check CHECK (cardinality(slots) BETWEEN 1 AND 10),
    duration_minutes smallint NOT NULL CONSTRAINT booking_offers_duration_check CHECK (duration_minutes BETWEEN 5 AND 480),
    -- Set when the offer moves an existing booking instead of making a new one.
    reschedule_of    uuid CONSTRAINT booking_offers_reschedule_of_fkey REFERENCES bookings (id) ON DELETE CASCADE,
    -- The chat session the offer was made in; only it may take the offer.
    chat_session     uuid,
    offered_at       timestamptz NOT NULL
);

-- A Calendly booking was made in Calendly, against Calendly's view of the host's time:
-- it is recorded whatever Leadflow holds (and blocks Leadflow's availability), so it
-- takes no part in the overlap constraint.
ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;
ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
    (coalesce(host_id, '00000000-0000-0000-0000-000000000000'::uuid)) WITH =,
    tstzrange(scheduled_time, ends_at) WITH &&
) WHERE (status IN ('scheduled', 'confirmed') AND source <> 'calendly');

ALTER TABLE lead_qualifications DROP CONSTRAINT lead_qualifications_trigger_check;
ALTER TABLE lead_qualifications ADD CONSTRAINT lead_qualifications_trigger_check
    CHECK (trigger IN ('message', 'manual', 'created', 'booking'));
