-- edgehog D1 schema. Idempotent: `npm start`, the tests and a deploy all apply it as is.

-- Raw accepted events, kept RAW_EVENT_RETENTION_DAYS (by received_at). The uuid primary key
-- is what makes redelivered messages and client retries harmless.
CREATE TABLE IF NOT EXISTS events (
  uuid TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  event TEXT NOT NULL,
  distinct_id TEXT NOT NULL,
  timestamp INTEGER NOT NULL,       -- ms since the epoch, after clock-skew correction
  received_at INTEGER NOT NULL,     -- ms since the epoch, the collector's clock
  day TEXT NOT NULL,                -- UTC day of timestamp
  app_version TEXT NOT NULL,
  os TEXT NOT NULL,
  country TEXT,                     -- from request.cf; the client IP is never stored
  tenant_id TEXT,
  properties TEXT NOT NULL          -- JSON object of declared properties only
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);

-- Daily event counts per app / event / app version / OS (by event timestamp, UTC).
CREATE TABLE IF NOT EXISTS daily_event_counts (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  event TEXT NOT NULL,
  app_version TEXT NOT NULL,
  os TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (app, day, event, app_version, os)
) WITHOUT ROWID;

-- One row per install seen on a day: daily active installs, and distinct installs over any
-- range (DAU/MAU). distinct_id is a random install id or a digest, never a person's name.
CREATE TABLE IF NOT EXISTS daily_active_installs (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  distinct_id TEXT NOT NULL,
  PRIMARY KEY (app, day, distinct_id)
) WITHOUT ROWID;

-- Visible drops: rejected events per day (received, UTC) / app / error code.
CREATE TABLE IF NOT EXISTS daily_rejections (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  error TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (app, day, error)
) WITHOUT ROWID;

-- Undeclared properties that were dropped, per day (received, UTC) / app / event / name.
CREATE TABLE IF NOT EXISTS daily_dropped_properties (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  event TEXT NOT NULL,
  property TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (app, day, event, property)
) WITHOUT ROWID;

-- Queue messages whose per-batch counters were added (rejections, dropped properties), so a
-- redelivered message adds them once. Purged with the raw events.
CREATE TABLE IF NOT EXISTS processed_batches (
  batch_id TEXT PRIMARY KEY,
  processed_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS processed_batches_processed_at ON processed_batches (processed_at);
