-- Replies answer from more of the profile (where the business is and works, how it is
-- paid, answers staff wrote) and wake someone for an emergency.
ALTER TABLE settings
    ADD COLUMN address text CONSTRAINT settings_address_check CHECK (char_length(address) <= 200),
    ADD COLUMN service_area text CONSTRAINT settings_service_area_check CHECK (char_length(service_area) <= 2000),
    ADD COLUMN payment_methods jsonb NOT NULL DEFAULT '[]'
        CONSTRAINT settings_payment_methods_check CHECK (jsonb_typeof(payment_methods) = 'array'),
    ADD COLUMN faq jsonb NOT NULL DEFAULT '[]' CONSTRAINT settings_faq_check CHECK (jsonb_typeof(faq) = 'array'),
    ADD COLUMN emergency jsonb;

-- What the conversation has said already, so the next reply neither repeats the
-- greeting nor forgets the service under discussion.
ALTER TABLE conversations ADD COLUMN state jsonb NOT NULL DEFAULT '{}';

ALTER TABLE leads DROP CONSTRAINT leads_handoff_reason_check;
ALTER TABLE leads ADD CONSTRAINT leads_handoff_reason_check
    CHECK (handoff_reason IN ('complaint', 'low_confidence', 'requested', 'delivery_failed', 'unanswered', 'emergency'));
