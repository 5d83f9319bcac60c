-- Pages of tasks filtered by status (and kind), newest first: one range of one of these indexes
-- per status (or (status, kind) pair), read from the cursor down (`read::list`), whatever the
-- table's size. Keyed by `-id` so that no planner can serve the order from the primary key
-- instead (a backward walk of the whole table when the filter matches few tasks: PostgreSQL's
-- does that when its estimates favour it).
CREATE INDEX tasks_status_newest ON tasks (status, (-id));
CREATE INDEX tasks_status_kind_newest ON tasks (status, kind, (-id));
-- They serve every status-only read too, so the older (status, id) index goes: one index less
-- to keep up on every change of status.
DROP INDEX tasks_status;
