-- Tasks, their dependencies, and the audit log. Times are microseconds since the Unix epoch.
CREATE TABLE tasks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'waiting_approval', 'ready', 'running',
                         'awaiting_external', 'verifying', 'completed', 'failed', 'dead', 'cancelled', 'blocked')),
    input            TEXT    NOT NULL,
    goal_id          INTEGER,
    parent_id        INTEGER,
    priority         INTEGER NOT NULL DEFAULT 0,
    run_at           INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    lease_holder     TEXT,
    lease_token      INTEGER NOT NULL DEFAULT 0,
    lease_expires_at INTEGER,
    pending_deps     INTEGER NOT NULL DEFAULT 0,
    has_dependents   INTEGER NOT NULL DEFAULT 0,
    result           TEXT,
    evidence         TEXT    NOT NULL DEFAULT '[]',
    last_error       TEXT,
    dedupe_key       TEXT,
    origin           TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finished_at      INTEGER
);

-- At most one live task per dedupe key.
CREATE UNIQUE INDEX tasks_dedupe_live ON tasks (dedupe_key)
    WHERE dedupe_key IS NOT NULL AND status NOT IN ('completed', 'failed', 'dead', 'cancelled', 'blocked');
-- The claim order.
CREATE INDEX tasks_ready ON tasks (priority DESC, run_at, id) WHERE status = 'ready';
-- Pending tasks whose dependencies are met, by due time (promotion).
CREATE INDEX tasks_due ON tasks (run_at) WHERE status = 'pending' AND pending_deps = 0;
-- Leases to rescue.
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE status = 'running';
CREATE INDEX tasks_status ON tasks (status, id);
CREATE INDEX tasks_goal ON tasks (goal_id, id) WHERE goal_id IS NOT NULL;

CREATE TABLE task_deps (
    task_id    INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    depends_on INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, depends_on)
);
CREATE INDEX task_deps_reverse ON task_deps (depends_on);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    task_id     INTEGER,
    goal_id     INTEGER,
    from_status TEXT,
    to_status   TEXT,
    actor       TEXT    NOT NULL,
    data        TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX events_task ON events (task_id, id) WHERE task_id IS NOT NULL;
