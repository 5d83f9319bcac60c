-- Parked tasks name what moves them next (SPEC §4): `waiting` holds what an `awaiting_external`
-- task waits for, or why a `waiting_approval` task needs a person; `check_at` is when an
-- external wait is looked at again.
ALTER TABLE tasks ADD COLUMN waiting TEXT;
ALTER TABLE tasks ADD COLUMN check_at INTEGER;
CREATE INDEX tasks_recheck ON tasks (check_at) WHERE status = 'awaiting_external';
