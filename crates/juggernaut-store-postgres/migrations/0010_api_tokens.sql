-- API tokens: the same table, columns and indexes as the SQLite backend's 0010, in PostgreSQL
-- types. Only each token's SHA-256 (lowercase hex) is kept, never the token. A revoked token
-- keeps its row (revoked_at, revoked_by) and never authenticates again. `last_used_at` is
-- refreshed at most once a minute.
CREATE TABLE api_tokens (
    id           BIGSERIAL   PRIMARY KEY,
    name         TEXT        NOT NULL,
    role         TEXT        NOT NULL CHECK (role IN ('admin', 'operator', 'approver', 'viewer')),
    token_sha256 TEXT        NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by   TEXT        NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    revoked_by   TEXT
);
-- One active token per name (a revoked token's name can be used again).
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;
