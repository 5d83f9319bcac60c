-- The audit log is append-only: no statement may change, remove or truncate an event, whoever
-- sends it (the pruner keeps the events of the tasks it deletes).
CREATE FUNCTION events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (% on events refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- Statement triggers: refused even when no row matches, and nothing to do per row.
CREATE TRIGGER events_no_update_or_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
-- `juggernaut audit` filters by actor, by kind and by time, newest first (by task is
-- `events_task`). Times grow with ids, so a BRIN index finds a time range for little upkeep.
CREATE INDEX events_actor ON events (actor, id);
CREATE INDEX events_kind ON events (kind, id);
CREATE INDEX events_at ON events USING brin (at);
