-- Queue messages that kept failing, parked by the dead-letter consumer until an operator
-- re-drives them (POST /v1/admin/dead-letters/redrive, npm run redrive). Nothing is dropped.
CREATE TABLE IF NOT EXISTS parked_messages (
  id TEXT PRIMARY KEY,                  -- the queue message id: parking twice keeps one row
  queue TEXT NOT NULL,                  -- the queue it is re-driven to
  body TEXT NOT NULL,                   -- the message body, JSON
  attempts INTEGER NOT NULL,            -- deliveries before it was dead-lettered
  parked_at INTEGER NOT NULL            -- ms since the epoch
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS parked_messages_queue ON parked_messages (queue, parked_at);

-- The cron's runs, one row per job and run, kept 30 days: the operator's "last cron run".
CREATE TABLE IF NOT EXISTS cron_runs (
  job TEXT NOT NULL,
  started_at INTEGER NOT NULL,          -- ms since the epoch
  finished_at INTEGER NOT NULL,
  ok INTEGER NOT NULL,                  -- 1: the job succeeded
  summary TEXT NOT NULL,                -- what it did, or why it failed
  PRIMARY KEY (job, started_at)
) WITHOUT ROWID;
