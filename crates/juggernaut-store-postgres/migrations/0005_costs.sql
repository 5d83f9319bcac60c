-- The cost ledger: the same table, columns and indexes as the SQLite backend's 0005, in
-- PostgreSQL types. A line counts against budgets at `reserved_usd` while it is `reserved`, then
-- at `amount_usd`; `day` is the UTC day it counts against. `task_id` has no foreign key: the
-- ledger outlives pruned tasks.
CREATE TABLE cost_ledger (
    id           BIGSERIAL        PRIMARY KEY,
    goal_id      BIGINT           REFERENCES goals (id),
    task_id      BIGINT,
    category     TEXT             NOT NULL CHECK (category IN ('llm', 'tool')),
    item         TEXT             NOT NULL,
    purpose      TEXT             NOT NULL DEFAULT '',
    state        TEXT             NOT NULL CHECK (state IN ('reserved', 'settled')),
    reserved_usd DOUBLE PRECISION NOT NULL CHECK (reserved_usd >= 0),
    amount_usd   DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (amount_usd >= 0),
    tokens_in    BIGINT           NOT NULL DEFAULT 0,
    tokens_out   BIGINT           NOT NULL DEFAULT 0,
    day          DATE             NOT NULL,
    created_at   TIMESTAMPTZ      NOT NULL DEFAULT now(),
    settled_at   TIMESTAMPTZ
);
CREATE INDEX cost_ledger_goal ON cost_ledger (goal_id) WHERE goal_id IS NOT NULL;
CREATE INDEX cost_ledger_day ON cost_ledger (day);
CREATE INDEX cost_ledger_day_item ON cost_ledger (day, item);
CREATE INDEX cost_ledger_task ON cost_ledger (task_id) WHERE task_id IS NOT NULL;
