-- Experiments: the same tables as the SQLite backend's 0014, in PostgreSQL types. The spec as
-- given (JSONB), where the experiment is and how it ended. `goal_id` has no foreign key, like
-- escalations: the store checks the goal exists when the experiment is created.
CREATE TABLE experiments (
    id          BIGSERIAL   PRIMARY KEY,
    name        TEXT        NOT NULL,
    goal_id     BIGINT,
    status      TEXT        NOT NULL CHECK (status IN ('running', 'concluded', 'stopped')),
    spec        JSONB       NOT NULL,
    iteration   INTEGER     NOT NULL DEFAULT 0 CHECK (iteration >= 0),
    started_at  TIMESTAMPTZ NOT NULL,
    iterated_at TIMESTAMPTZ,
    ended_at    TIMESTAMPTZ,
    conclusion  JSONB,
    stop_reason TEXT,
    created_by  TEXT        NOT NULL
);
-- Lists of one status, newest first.
CREATE INDEX experiments_status ON experiments (status, id);
-- Each variant's counts read at one iteration: the first record stands (a retried step task
-- records nothing new).
CREATE TABLE experiment_points (
    experiment_id BIGINT      NOT NULL REFERENCES experiments (id),
    iteration     INTEGER     NOT NULL CHECK (iteration >= 1),
    variant       TEXT        NOT NULL,
    successes     BIGINT      NOT NULL CHECK (successes >= 0),
    trials        BIGINT      NOT NULL CHECK (trials >= successes),
    task_id       BIGINT,
    at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (experiment_id, iteration, variant)
);
