-- API tokens: who may call the HTTP API, with which role. Only each token's SHA-256 (lowercase
-- hex) is kept, never the token. A revoked token keeps its row (revoked_at, revoked_by) and never
-- authenticates again. `last_used_at` is refreshed at most once a minute. Times are microseconds
-- since the Unix epoch, like every time here.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'operator', 'approver', 'viewer')),
    token_sha256 TEXT    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    revoked_by   TEXT
);
-- One active token per name (a revoked token's name can be used again).
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (name) WHERE revoked_at IS NULL;
