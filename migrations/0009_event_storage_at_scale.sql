-- Events at scale: raw events go to R2 (the consumer archives each delivery before it
-- acknowledges it), and D1 keeps what must be transactional: aggregates, a compact dedupe
-- index, exact per-install rows for recent days only, and per-day sketches for older ones
-- (docs/SCALING.md). The `events` table stays: the consumer writes it only when
-- RAW_EVENT_DEBUG_DAYS is set, and the rows written before this migration are still found by
-- the dedupe check until the retention job removes them.

-- The dedupe index: one row per stored event (about 30 bytes). `at` is the event's timestamp
-- as its client sent it (in seconds), which every resend repeats, so a resend is found with one
-- lookup; new rows land near the end of the index, so a delivery touches few pages however
-- large the table. Purged once `at` is older than the oldest event accepted.
CREATE TABLE IF NOT EXISTS event_uuids (
  at INTEGER NOT NULL,
  uuid BLOB NOT NULL,                   -- the event uuid's 16 bytes
  PRIMARY KEY (at, uuid)
) WITHOUT ROWID;

-- Active installs of days past EXACT_INSTALL_DAYS, once their per-install rows are folded:
-- per app and day, the exact number of installs (overall, and per app version, OS and country)
-- and a HyperLogLog sketch of them, from which distinct installs over a range are estimated.
CREATE TABLE IF NOT EXISTS install_history (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  dimension TEXT NOT NULL,              -- '' (every install of the day), 'app_version', 'os' or 'country'
  value TEXT NOT NULL,                  -- the dimension's value ('' for dimension '')
  installs INTEGER NOT NULL,            -- distinct installs that day, exact
  sketch BLOB NOT NULL,                 -- their HyperLogLog sketch (src/lib/hyperloglog.ts)
  PRIMARY KEY (app, day, dimension, value)
) WITHOUT ROWID;

-- Archive days to rewrite without a forgotten install's events (POST /v1/forget fills it, the
-- hourly job empties it: src/archive/scrub.ts).
CREATE TABLE IF NOT EXISTS archive_scrubs (
  app TEXT NOT NULL,
  day TEXT NOT NULL,                    -- an event day (archive partition) that may hold its events
  distinct_id TEXT NOT NULL,
  requested_at INTEGER NOT NULL,        -- ms since the epoch
  PRIMARY KEY (app, day, distinct_id)
) WITHOUT ROWID;
