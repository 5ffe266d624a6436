-- POST /v1/forget: installs whose data was deleted at their request, so that every later
-- writer and every export can honour it, and the lookup by install id the deletion starts with.

-- Tombstones: the forgotten install id (random, so it identifies nobody) and when. The queue
-- consumer stores and counts nothing more under these ids; an archive or export of raw events
-- must leave out every event whose distinct_id is listed here. One row per forgotten install,
-- kept for ever (a raw-event archive may outlive D1's retention).
CREATE TABLE IF NOT EXISTS forgotten_installs (
  distinct_id TEXT PRIMARY KEY,
  forgotten_at INTEGER NOT NULL         -- ms since the epoch
) WITHOUT ROWID;

-- An install's daily rows by install id: what a forget deletes, and where its raw events start
-- (found through events_received_at from there; raw events get no index by install id, which
-- would cost every stored event a random index insert).
CREATE INDEX IF NOT EXISTS daily_active_installs_distinct_id ON daily_active_installs (distinct_id);
