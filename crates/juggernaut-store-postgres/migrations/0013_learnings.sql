-- Learnings: the same tables, columns and indexes as the SQLite backend's 0013, in PostgreSQL
-- types. One row per fingerprint (a failure's kind and normalised error, or a success's kind and
-- tools); captured again, a row is counted; a person's edit (edited_at) keeps its summary and
-- tags; a retired one stays out of prompts. `last_task` and `goal_id` have no foreign key: a
-- learning outlives a pruned task. Tags and tools are JSON arrays of strings.
CREATE TABLE learnings (
    id          BIGSERIAL   PRIMARY KEY,
    fingerprint TEXT        NOT NULL UNIQUE,
    kind        TEXT        NOT NULL,
    outcome     TEXT        NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'dead', 'cancelled')),
    title       TEXT        NOT NULL,
    summary     TEXT        NOT NULL,
    tags        JSONB       NOT NULL DEFAULT '[]',
    error       TEXT,
    tools       JSONB       NOT NULL DEFAULT '[]',
    count       INTEGER     NOT NULL DEFAULT 1 CHECK (count >= 1),
    last_task   BIGINT,
    goal_id     BIGINT,
    first_seen  TIMESTAMPTZ NOT NULL,
    last_seen   TIMESTAMPTZ NOT NULL,
    edited_at   TIMESTAMPTZ,
    edited_by   TEXT,
    retired_at  TIMESTAMPTZ,
    retired_by  TEXT
);
-- Lists by kind, newest first.
CREATE INDEX learnings_kind ON learnings (kind, id);
-- Prompt candidates: live ones, latest seen first.
CREATE INDEX learnings_live ON learnings (last_seen) WHERE retired_at IS NULL;
-- The error scan: live failures, most seen first.
CREATE INDEX learnings_failures ON learnings (count)
    WHERE retired_at IS NULL AND outcome IN ('failed', 'dead');

-- The capture's cursor: the last audit event it looked at. One row.
CREATE TABLE learning_cursor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_event BIGINT  NOT NULL
);
INSERT INTO learning_cursor (id, last_event) VALUES (1, 0);
