-- Goals, their metric readings, and their versioned plans. JSON columns hold the target (metric
-- source, value, unit), the budget, the tags, a plan's graph and the ids of the tasks it made.
-- `changed_at` moves when something warrants a new plan (added, resumed, a reading moved);
-- `plan_after` holds planning back after a failed attempt.
CREATE TABLE goals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    title        TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    parent_id    INTEGER REFERENCES goals (id),
    target       TEXT,
    deadline     INTEGER,
    budget       TEXT    NOT NULL DEFAULT '{}',
    tags         TEXT    NOT NULL DEFAULT '[]',
    owner        TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('active', 'paused', 'achieved', 'missed', 'cancelled')),
    current      REAL,
    plan_version INTEGER NOT NULL DEFAULT 0,
    plan_error   TEXT,
    plan_raw     TEXT,
    plan_after   INTEGER,
    planned_at   INTEGER,
    changed_at   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX goals_status ON goals (status, id);

CREATE TABLE goal_metrics (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    goal_id INTEGER NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    value   REAL    NOT NULL,
    at      INTEGER NOT NULL,
    source  TEXT    NOT NULL
);
CREATE INDEX goal_metrics_goal ON goal_metrics (goal_id, id);

CREATE TABLE plans (
    goal_id    INTEGER NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    graph      TEXT    NOT NULL,
    made_by    TEXT    NOT NULL,
    task_ids   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (goal_id, version)
);

-- A goal's live tasks (is anything open?) and finished ones (did one end since the last plan? a
-- `plan` task's own end is not a reason to plan again).
CREATE INDEX tasks_goal_live ON tasks (goal_id)
    WHERE goal_id IS NOT NULL AND status NOT IN ('completed', 'failed', 'dead', 'cancelled', 'blocked');
CREATE INDEX tasks_goal_finished ON tasks (goal_id, finished_at) WHERE goal_id IS NOT NULL AND kind <> 'plan';
