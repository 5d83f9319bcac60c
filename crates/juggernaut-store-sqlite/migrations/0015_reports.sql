-- Executive reports, stored: the title, the period covered, the task that made it (no foreign
-- key: a pruned task leaves its reports), a small JSON summary and the Markdown and HTML bodies.
-- Rows are only inserted. Times are microseconds since the Unix epoch, like every time here.
CREATE TABLE reports (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NOT NULL,
    since      INTEGER NOT NULL,
    until      INTEGER NOT NULL CHECK (until > since),
    task_id    INTEGER,
    summary    TEXT    NOT NULL,
    markdown   TEXT    NOT NULL,
    html       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT    NOT NULL
);
