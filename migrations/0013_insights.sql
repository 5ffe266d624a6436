-- Insights (src/insights/, docs/INSIGHTS.md): what the product team asks of the events, kept
-- per install-day and per group, never per event.

-- The features an install used that day: one bit per catalogue event it sent, and per value of
-- an event's enum and bool properties it sent (src/catalog/feature-bits.ts). Written with the
-- install-day row, and again only when a delivery adds a bit.
ALTER TABLE daily_active_installs ADD COLUMN features INTEGER NOT NULL DEFAULT 0;

-- Events per value of each declared enum and bool property, by event day (UTC) and OS, counted
-- exactly once like daily_event_counts. Bounded per app-day by the catalogue (its properties'
-- values) times the OS values; not by version, which would multiply the rows a delivery writes.
CREATE TABLE IF NOT EXISTS daily_property_counts (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  event TEXT NOT NULL,
  property TEXT NOT NULL,
  value TEXT NOT NULL,
  os TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (app, day, event, property, value, os)
) WITHOUT ROWID;

-- Events refused as unknown_event, per received day (UTC) and name: a name the catalogue
-- declares (for another app, or an event this app may not send) under itself, any other as
-- "(other)" (src/ingest/unknown-events.ts): a client-chosen name can spell an identifier, so it
-- is never stored as sent. Bounded per app-day by the catalogue; kept AGGREGATE_RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS daily_unknown_events (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  event TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (app, day, event)
) WITHOUT ROWID;

-- Requests refused with 429, per UTC day and limit (a closed set: src/ratelimit/decisions.ts),
-- added to by each isolate at most once a minute. Kept AGGREGATE_RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS daily_refusals (
  day TEXT NOT NULL,
  limit_kind TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, limit_kind)
) WITHOUT ROWID;
