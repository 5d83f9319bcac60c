-- Goals, their metric readings, and their versioned plans: the same tables, columns and indexes
-- as the SQLite backend's 0004, in PostgreSQL types. `changed_at` moves when something warrants a
-- new plan; `plan_after` holds planning back after a failed attempt.
CREATE TABLE goals (
    id           BIGSERIAL   PRIMARY KEY,
    title        TEXT        NOT NULL,
    description  TEXT        NOT NULL DEFAULT '',
    parent_id    BIGINT      REFERENCES goals (id),
    target       JSONB,
    deadline     TIMESTAMPTZ,
    budget       JSONB       NOT NULL DEFAULT '{}',
    tags         JSONB       NOT NULL DEFAULT '[]',
    owner        TEXT        NOT NULL,
    status       TEXT        NOT NULL CHECK (status IN ('active', 'paused', 'achieved', 'missed', 'cancelled')),
    current      DOUBLE PRECISION,
    plan_version BIGINT      NOT NULL DEFAULT 0,
    plan_error   TEXT,
    plan_raw     TEXT,
    plan_after   TIMESTAMPTZ,
    planned_at   TIMESTAMPTZ,
    changed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX goals_status ON goals (status, id);

CREATE TABLE goal_metrics (
    id      BIGSERIAL        PRIMARY KEY,
    goal_id BIGINT           NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    value   DOUBLE PRECISION NOT NULL,
    at      TIMESTAMPTZ      NOT NULL DEFAULT now(),
    source  TEXT             NOT NULL
);
CREATE INDEX goal_metrics_goal ON goal_metrics (goal_id, id);

CREATE TABLE plans (
    goal_id    BIGINT      NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    version    BIGINT      NOT NULL,
    graph      JSONB       NOT NULL,
    made_by    TEXT        NOT NULL,
    task_ids   JSONB       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (goal_id, version)
);

CREATE INDEX tasks_goal_live ON tasks (goal_id)
    WHERE goal_id IS NOT NULL AND status NOT IN ('completed', 'failed', 'dead', 'cancelled', 'blocked');
CREATE INDEX tasks_goal_finished ON tasks (goal_id, finished_at) WHERE goal_id IS NOT NULL AND kind <> 'plan';
