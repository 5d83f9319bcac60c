-- Executive reports: the same table as the SQLite backend's 0015, in PostgreSQL types. The task
-- that made a report has no foreign key (a pruned task leaves its reports). Rows are only
-- inserted.
CREATE TABLE reports (
    id         BIGSERIAL   PRIMARY KEY,
    title      TEXT        NOT NULL,
    since      TIMESTAMPTZ NOT NULL,
    until      TIMESTAMPTZ NOT NULL CHECK (until > since),
    task_id    BIGINT,
    summary    JSONB       NOT NULL,
    markdown   TEXT        NOT NULL,
    html       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by TEXT        NOT NULL
);
