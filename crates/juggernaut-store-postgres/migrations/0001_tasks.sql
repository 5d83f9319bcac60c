-- Tasks, their dependencies, and the audit log. Times are TIMESTAMPTZ from the database clock, so
-- that every machine sharing the database agrees on lease expiry and due times.
CREATE TABLE tasks (
    id               BIGSERIAL   PRIMARY KEY,
    kind             TEXT        NOT NULL,
    title            TEXT        NOT NULL,
    status           TEXT        NOT NULL CHECK (status IN ('pending', 'waiting_approval', 'ready', 'running',
                         'awaiting_external', 'verifying', 'completed', 'failed', 'dead', 'cancelled', 'blocked')),
    input            JSONB       NOT NULL,
    goal_id          BIGINT,
    parent_id        BIGINT,
    priority         INTEGER     NOT NULL DEFAULT 0,
    run_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    max_attempts     INTEGER     NOT NULL CHECK (max_attempts >= 1),
    lease_holder     TEXT,
    lease_token      BIGINT      NOT NULL DEFAULT 0,
    lease_expires_at TIMESTAMPTZ,
    pending_deps     INTEGER     NOT NULL DEFAULT 0,
    has_dependents   BOOLEAN     NOT NULL DEFAULT false,
    result           JSONB,
    evidence         JSONB       NOT NULL DEFAULT '[]',
    last_error       TEXT,
    dedupe_key       TEXT,
    origin           TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at      TIMESTAMPTZ
);

-- A queue table churns: every task is updated twice within seconds of its insert. Vacuum and
-- analyze it after a fixed number of changed rows rather than a fraction of the whole table, so
-- that dead index entries at the head of the claim order, and statistics taken while the queue
-- was empty, do not linger as the completed history grows.
ALTER TABLE tasks SET (autovacuum_vacuum_scale_factor = 0.0, autovacuum_vacuum_threshold = 5000,
    autovacuum_analyze_scale_factor = 0.0, autovacuum_analyze_threshold = 5000);

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
    task_id    BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    depends_on BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, depends_on)
);
CREATE INDEX task_deps_reverse ON task_deps (depends_on);

-- `at` is the clock at insert (not the transaction start), so that a task's events, which are
-- written under its row lock, never go back in time as their ids go up.
CREATE TABLE events (
    id          BIGSERIAL   PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    kind        TEXT        NOT NULL,
    task_id     BIGINT,
    goal_id     BIGINT,
    from_status TEXT,
    to_status   TEXT,
    actor       TEXT        NOT NULL,
    data        JSONB       NOT NULL DEFAULT '{}'
);
CREATE INDEX events_task ON events (task_id, id) WHERE task_id IS NOT NULL;
