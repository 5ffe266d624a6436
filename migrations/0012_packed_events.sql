-- The dedupe index, packed (src/aggregate/packs.ts): D1 bills every row written, and one row per
-- event was almost the whole bill. A client batch comes from one install, so a delivery's uuids
-- are stored per install and day of their dedupe second, up to 240 in a row (16 bytes each):
-- a 100-event batch writes one row and one index entry instead of 100 rows. `event_uuids` stays
-- until the retention job has emptied it (within RAW_EVENT_RETENTION_DAYS + 2 days); its rows
-- are looked up while any are left, so an event stored before this migration is still found.
CREATE TABLE IF NOT EXISTS event_packs (
  id INTEGER PRIMARY KEY,              -- rowid: a pack is written once, read through the index
  at_day INTEGER NOT NULL,             -- the UTC day of its events' dedupe second (days since the epoch)
  distinct_id TEXT NOT NULL,           -- the install
  first_at INTEGER NOT NULL,           -- the earliest and latest dedupe second of its events
  last_at INTEGER NOT NULL,
  uuids BLOB NOT NULL                  -- the events' uuids, 16 bytes each
);
-- A lookup reads the packs of one install and day that end at or after the event's second; the
-- retention job deletes by day.
CREATE INDEX IF NOT EXISTS event_packs_span ON event_packs (at_day, distinct_id, last_at, first_at);
