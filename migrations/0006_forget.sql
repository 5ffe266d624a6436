-- POST /v1/forget: installs whose data was deleted at their request, so that every later
-- writer and every export can honour it, and lookups by install id for the deletion itself.

-- Tombstones: the forgotten install id (random, so it identifies nobody) and when. The queue
-- consumer stores and counts nothing more under these ids; an archive or export of raw events
-- must leave out every event whose distinct_id is listed here. One row per forgotten install,
-- kept for ever (a raw-event archive may outlive D1's retention).
CREATE TABLE IF NOT EXISTS forgotten_installs (
  distinct_id TEXT PRIMARY KEY,
  forgotten_at INTEGER NOT NULL         -- ms since the epoch
) WITHOUT ROWID;

-- What a forget deletes, found by install id rather than by scanning every row.
CREATE INDEX IF NOT EXISTS events_distinct_id ON events (distinct_id);
CREATE INDEX IF NOT EXISTS daily_active_installs_distinct_id ON daily_active_installs (distinct_id);
