-- Worker registry, leader leases, cron schedules; when each attempt started (run-time limits).
CREATE TABLE workers (
    id           TEXT    PRIMARY KEY,
    roles        TEXT    NOT NULL,
    kinds        TEXT    NOT NULL,
    concurrency  INTEGER NOT NULL,
    host         TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    version      TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('active', 'draining', 'lost')),
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    idle         TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE leaders (
    name        TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE schedules (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL UNIQUE,
    cron          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    input         TEXT    NOT NULL,
    priority      INTEGER NOT NULL,
    max_attempts  INTEGER NOT NULL,
    next_fire_at  INTEGER NOT NULL,
    last_fired_at INTEGER,
    last_task_id  INTEGER,
    created_at    INTEGER NOT NULL
);

ALTER TABLE tasks ADD COLUMN started_at INTEGER;
CREATE INDEX tasks_holder ON tasks (lease_holder) WHERE status = 'running';
CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL;
