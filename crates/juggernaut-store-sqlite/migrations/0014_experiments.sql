-- Experiments (SPEC §3.9): the spec as given (JSON), where the experiment is (running, concluded,
-- stopped; the latest iteration started) and how it ended (the conclusion as JSON, or a person's
-- stop reason). `goal_id` has no foreign key, like escalations: the store checks the goal exists
-- when the experiment is created. Times are microseconds since the Unix epoch.
CREATE TABLE experiments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    goal_id     INTEGER,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'concluded', 'stopped')),
    spec        TEXT    NOT NULL,
    iteration   INTEGER NOT NULL DEFAULT 0 CHECK (iteration >= 0),
    started_at  INTEGER NOT NULL,
    iterated_at INTEGER,
    ended_at    INTEGER,
    conclusion  TEXT,
    stop_reason TEXT,
    created_by  TEXT    NOT NULL
);
-- Lists of one status, newest first.
CREATE INDEX experiments_status ON experiments (status, id);
-- Each variant's counts read at one iteration: the first record stands (a retried step task
-- records nothing new).
CREATE TABLE experiment_points (
    experiment_id INTEGER NOT NULL REFERENCES experiments (id),
    iteration     INTEGER NOT NULL CHECK (iteration >= 1),
    variant       TEXT    NOT NULL,
    successes     INTEGER NOT NULL CHECK (successes >= 0),
    trials        INTEGER NOT NULL CHECK (trials >= successes),
    task_id       INTEGER,
    at            INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, iteration, variant)
);
