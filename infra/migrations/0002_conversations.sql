-- Conversation state kept beside the customer: when an agent writes by hand, AI replies
-- pause until ai_paused_until. Leads remember why a person must take over.

CREATE TABLE conversations (
    customer_id      uuid PRIMARY KEY CONSTRAINT conversations_customer_id_fkey REFERENCES customers (id) ON DELETE CASCADE,
    ai_paused_until  timestamptz,
    last_inbound_at  timestamptz,
    last_outbound_at timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE leads
    ADD COLUMN needs_human boolean NOT NULL DEFAULT false,
    ADD COLUMN handoff_reason text
        CONSTRAINT leads_handoff_reason_check CHECK (handoff_reason IN ('complaint', 'low_confidence', 'requested'));
CREATE INDEX leads_needs_human_idx ON leads (created_at DESC) WHERE needs_human;
