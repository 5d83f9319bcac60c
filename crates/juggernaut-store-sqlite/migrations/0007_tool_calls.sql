-- The tool-call ledger: one row per call of a tool, written once it ended and never changed.
-- `arguments` is JSON text with secrets redacted; `result` is the result truncated, with the
-- whole result's SHA-256 and size. `task_id` has no foreign key: the ledger outlives pruned
-- tasks. `created_at` is microseconds since the Unix epoch, like every time here.
CREATE TABLE tool_calls (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id       INTEGER,
    attempt       INTEGER NOT NULL,
    lease_token   INTEGER,
    tool          TEXT    NOT NULL,
    arguments     TEXT    NOT NULL,
    result        TEXT    NOT NULL,
    result_sha256 TEXT    NOT NULL,
    result_bytes  INTEGER NOT NULL CHECK (result_bytes >= 0),
    status        TEXT    NOT NULL CHECK (status IN ('ok', 'error')),
    error         TEXT,
    duration_us   INTEGER NOT NULL CHECK (duration_us >= 0),
    cost_usd      REAL    NOT NULL CHECK (cost_usd >= 0),
    created_at    INTEGER NOT NULL
);
-- A task's calls, oldest first.
CREATE INDEX tool_calls_task ON tool_calls (task_id, id);
