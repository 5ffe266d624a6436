-- Forwarding accepted events to an upstream PostHog (docs/POSTHOG.md).

-- The uuids the upstream accepted: an event is forwarded once, however often it is accepted
-- (client retries) or its message delivered. Kept RAW_EVENT_RETENTION_DAYS, like the raw
-- events: the hourly cron deletes older rows.
CREATE TABLE IF NOT EXISTS forwarded_events (
  uuid TEXT PRIMARY KEY,
  forwarded_at INTEGER NOT NULL          -- ms since the epoch
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS forwarded_events_at ON forwarded_events (forwarded_at);

-- What forwarding did, per app and UTC day (one row per app and day, kept like the aggregates).
CREATE TABLE IF NOT EXISTS forward_counts (
  app TEXT NOT NULL,
  day TEXT NOT NULL,                     -- YYYY-MM-DD (UTC) the counts were taken
  forwarded INTEGER NOT NULL DEFAULT 0,  -- events the upstream accepted
  duplicates INTEGER NOT NULL DEFAULT 0, -- events not sent: their uuid was already forwarded
  failed_posts INTEGER NOT NULL DEFAULT 0, -- posts that failed; their events are retried later
  not_queued INTEGER NOT NULL DEFAULT 0, -- accepted events the forward queue refused: never forwarded
  last_success_at INTEGER,               -- ms since the epoch
  last_failure_at INTEGER,               -- ms since the epoch
  last_failure TEXT,                     -- why the last post failed ("HTTP 503", "timeout"…)
  PRIMARY KEY (app, day)
) WITHOUT ROWID;
