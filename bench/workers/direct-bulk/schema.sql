-- The direct-bulk baseline's table: raw events as sent, a resent uuid stored once. A rowid
-- table with a unique uuid index, as edgehog's own raw table was.
CREATE TABLE IF NOT EXISTS raw_events (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  app TEXT NOT NULL,
  event TEXT NOT NULL,
  distinct_id TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  properties TEXT NOT NULL
);
