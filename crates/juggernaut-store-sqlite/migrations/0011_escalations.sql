-- Escalations: what a person should look at, open until acknowledged. Raising a key that has an
-- open escalation counts it (count, last_at, the higher level) instead of adding a row: the
-- partial unique index below makes that hold whoever raises. `task_id` and `goal_id` have no
-- foreign key: an escalation outlives a pruned task. Times are microseconds since the Unix epoch.
CREATE TABLE escalations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('stuck_task', 'repeated_failures', 'dead_letter',
                    'stale_approval', 'approval_expired', 'budget_exhausted', 'goal_at_risk')),
    level       TEXT    NOT NULL CHECK (level IN ('info', 'warning', 'critical')),
    task_id     INTEGER,
    goal_id     INTEGER,
    message     TEXT    NOT NULL,
    count       INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
    first_at    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    acked_at    INTEGER,
    acked_by    TEXT,
    ack_note    TEXT,
    notified_at INTEGER
);
-- One open escalation per key.
CREATE UNIQUE INDEX escalations_open_key ON escalations (key) WHERE acked_at IS NULL;
-- Every key ever used (the escalator raises a dead letter once even after it was acknowledged).
CREATE INDEX escalations_key ON escalations (key);
-- Open ones never sent, oldest first.
CREATE INDEX escalations_unnotified ON escalations (id) WHERE acked_at IS NULL AND notified_at IS NULL;
