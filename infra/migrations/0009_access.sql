-- Staff accounts, their sessions, and managed API keys. Secrets are stored only as
-- hashes: a password as argon2id (slow, salted: it may be guessable), a refresh token
-- and an API key as SHA-256 (both are 256-bit random, so a fast hash is enough and
-- lookups stay cheap).
CREATE TABLE users (
    id            uuid PRIMARY KEY,
    email         text NOT NULL CONSTRAINT users_email_key UNIQUE
                       CONSTRAINT users_email_check CHECK (email = lower(btrim(email)) AND char_length(email) <= 254),
    name          text NOT NULL CONSTRAINT users_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
    role          text NOT NULL CONSTRAINT users_role_check CHECK (role IN ('admin', 'agent', 'viewer')),
    agent_id      uuid CONSTRAINT users_agent_id_fkey REFERENCES agents (id) ON DELETE SET NULL
                       CONSTRAINT users_agent_id_key UNIQUE,
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    last_login_at timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One row per refresh token ever issued. A family is one sign-in: each refresh spends
-- its token and issues the next in the same family, so a spent token coming back means
-- it was stolen, and the whole family is revoked.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    family_id   uuid NOT NULL,
    user_id     uuid NOT NULL CONSTRAINT refresh_tokens_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL CONSTRAINT refresh_tokens_token_hash_key UNIQUE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    spent_at    timestamptz,
    revoked_at  timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    name         text NOT NULL CONSTRAINT api_keys_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
    -- The first characters of the secret part: finds the row without the secret.
    prefix       text NOT NULL CONSTRAINT api_keys_prefix_key UNIQUE,
    key_hash     bytea NOT NULL,
    scopes       text[] NOT NULL CONSTRAINT api_keys_scopes_check
                      CHECK (cardinality(scopes) >= 1 AND scopes <@ ARRAY['read', 'write', 'admin', 'intake']),
    created_by   jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    expires_at   timestamptz,
    revoked_at   timestamptz
);
