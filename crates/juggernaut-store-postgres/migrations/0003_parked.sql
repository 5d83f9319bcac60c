-- Parked tasks name what moves them next (SPEC §4): `waiting` holds what an `awaiting_external`
-- task waits for, or why a `waiting_approval` task needs a person; `check_at` is when an
-- external wait is looked at again. The same columns and index as the SQLite backend's 0003.
ALTER TABLE tasks ADD COLUMN waiting JSONB, ADD COLUMN check_at TIMESTAMPTZ;
CREATE INDEX tasks_recheck ON tasks (check_at) WHERE status = 'awaiting_external';
