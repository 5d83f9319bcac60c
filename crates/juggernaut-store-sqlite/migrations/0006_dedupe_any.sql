-- Dedupe keys of tasks in any state, for work that must happen once per key even after its task
-- ended (a proactive template's slot of the day). Most tasks carry no key, so the index is small.
CREATE INDEX tasks_dedupe_any ON tasks (dedupe_key) WHERE dedupe_key IS NOT NULL;
