-- Learnings: what terminal tasks taught, one row per fingerprint (a failure's kind and
-- normalised error, or a success's kind and tools). Captured again, a row is counted; a person's
-- edit (edited_at) keeps its summary and tags; a retired one stays out of prompts. `last_task`
-- and `goal_id` have no foreign key: a learning outlives a pruned task. Tags and tools are JSON
-- arrays of strings. Times are microseconds since the Unix epoch.
CREATE TABLE learnings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint TEXT    NOT NULL UNIQUE,
    kind        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'dead', 'cancelled')),
    title       TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    tags        TEXT    NOT NULL DEFAULT '[]',
    error       TEXT,
    tools       TEXT    NOT NULL DEFAULT '[]',
    count       INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
    last_task   INTEGER,
    goal_id     INTEGER,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    edited_at   INTEGER,
    edited_by   TEXT,
    retired_at  INTEGER,
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
    last_event INTEGER NOT NULL
);
INSERT INTO learning_cursor (id, last_event) VALUES (1, 0);
