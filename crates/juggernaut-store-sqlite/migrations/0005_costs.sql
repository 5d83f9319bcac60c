-- The cost ledger: one line per paid call (a model call or a paid tool call), reserved before
-- the call and settled after it. A line counts against budgets at `reserved_usd` while it is
-- `reserved`, then at `amount_usd`. `day` is the UTC day ('YYYY-MM-DD') it counts against.
-- `task_id` has no foreign key: the ledger outlives pruned tasks.
CREATE TABLE cost_ledger (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    goal_id      INTEGER REFERENCES goals (id),
    task_id      INTEGER,
    category     TEXT    NOT NULL CHECK (category IN ('llm', 'tool')),
    item         TEXT    NOT NULL,
    purpose      TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL CHECK (state IN ('reserved', 'settled')),
    reserved_usd REAL    NOT NULL CHECK (reserved_usd >= 0),
    amount_usd   REAL    NOT NULL DEFAULT 0 CHECK (amount_usd >= 0),
    tokens_in    INTEGER NOT NULL DEFAULT 0,
    tokens_out   INTEGER NOT NULL DEFAULT 0,
    day          TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    settled_at   INTEGER
);
-- A goal's spending, a day's, one item's in a day, a task's.
CREATE INDEX cost_ledger_goal ON cost_ledger (goal_id) WHERE goal_id IS NOT NULL;
CREATE INDEX cost_ledger_day ON cost_ledger (day);
CREATE INDEX cost_ledger_day_item ON cost_ledger (day, item);
CREATE INDEX cost_ledger_task ON cost_ledger (task_id) WHERE task_id IS NOT NULL;
