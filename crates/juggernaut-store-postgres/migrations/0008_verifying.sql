-- A task whose evidence is being re-checked (`verifying`) still holds its lease: rescue of
-- expired leases, lost-worker hand-back and the run-time limit must find it as they find a
-- running one, so the partial indexes they scan cover both statuses.
DROP INDEX tasks_leases;
-- Leases to rescue.
CREATE INDEX tasks_leases ON tasks (lease_expires_at) WHERE status IN ('running', 'verifying');
DROP INDEX tasks_holder;
-- A worker's held tasks (lost workers, in-flight lists) and the run-time limit's scan.
CREATE INDEX tasks_holder ON tasks (lease_holder) WHERE status IN ('running', 'verifying');
