-- The tool-call ledger: the same table, columns and index as the SQLite backend's 0007, in
-- PostgreSQL types. One row per call of a tool, written once it ended and never changed;
-- `arguments` has secrets redacted, `result` is truncated, with the whole result's SHA-256 and
-- size. `task_id` has no foreign key: the ledger outlives pruned tasks.
CREATE TABLE tool_calls (
    id            BIGSERIAL        PRIMARY KEY,
    task_id       BIGINT,
    attempt       BIGINT           NOT NULL,
    lease_token   BIGINT,
    tool          TEXT             NOT NULL,
    arguments     JSONB            NOT NULL,
    result        TEXT             NOT NULL,
    result_sha256 TEXT             NOT NULL,
    result_bytes  BIGINT           NOT NULL CHECK (result_bytes >= 0),
    status        TEXT             NOT NULL CHECK (status IN ('ok', 'error')),
    error         TEXT,
    duration_us   BIGINT           NOT NULL CHECK (duration_us >= 0),
    cost_usd      DOUBLE PRECISION NOT NULL CHECK (cost_usd >= 0),
    created_at    TIMESTAMPTZ      NOT NULL DEFAULT now()
);
CREATE INDEX tool_calls_task ON tool_calls (task_id, id);
