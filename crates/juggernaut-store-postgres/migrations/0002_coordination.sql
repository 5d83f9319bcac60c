-- Worker registry, leader leases, cron schedules; when each attempt started (run-time limits).
-- The same tables, columns and indexes as the SQLite backend's 0002, in PostgreSQL types. Times
-- come from the database clock, like the tasks' in 0001.
CREATE TABLE workers (
    id           TEXT        PRIMARY KEY,
    roles        JSONB       NOT NULL,
    kinds        JSONB       NOT NULL,
    concurrency  INTEGER     NOT NULL,
    host         TEXT        NOT NULL,
    pid          BIGINT      NOT NULL,
    version      TEXT        NOT NULL,
    state        TEXT        NOT NULL CHECK (state IN ('active', 'draining', 'lost')),
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    idle         JSONB       NOT NULL DEFAULT '{}'
);

CREATE TABLE leaders (
    name        TEXT        PRIMARY KEY,
    holder      TEXT        NOT NULL,
    acquired_at TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE schedules (
    id            BIGSERIAL   PRIMARY KEY,
    name          TEXT        NOT NULL UNIQUE,
    cron          TEXT        NOT NULL,
    kind          TEXT        NOT NULL,
    title         TEXT        NOT NULL,
    input         JSONB       NOT NULL,
    priority      INTEGER     NOT NULL,
    max_attempts  INTEGER     NOT NULL,
    next_fire_at  TIMESTAMPTZ NOT NULL,
    last_fired_at TIMESTAMPTZ,
    last_task_id  BIGINT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

ALTER TABLE tasks ADD COLUMN started_at TIMESTAMPTZ;
-- A worker's running tasks (lost workers, in-flight lists) and the run-time limit's scan.
CREATE INDEX tasks_holder ON tasks (lease_holder) WHERE status = 'running';
-- Pruning by age.
CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL;
