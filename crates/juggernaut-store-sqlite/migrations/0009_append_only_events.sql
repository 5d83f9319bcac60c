-- The audit log is append-only: no statement may change or remove an event, whoever sends it
-- (the pruner keeps the events of the tasks it deletes).
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
-- `juggernaut audit` filters by actor, by kind and by time, newest first (by task is `events_task`).
CREATE INDEX events_actor ON events (actor, id);
CREATE INDEX events_kind ON events (kind, id);
CREATE INDEX events_at ON events (at);
