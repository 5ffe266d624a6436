-- Forgetting, bounded (src/forget/, docs/CLIENT.md): an install's archive rewrite covers only the
-- days its events arrived on, a day is rewritten a budget of objects at a time, tombstones are
-- kept only while they can matter, and forwarding counts what a forget kept from the upstream.

-- The UTC days the install's events of that day arrived on (first and last; the archive is
-- partitioned by arrival). Written when the install-day row is, and again only when a later
-- delivery widens the span. NULL on rows stored before: their span is assumed, as before, from
-- the day before the event day to RAW_EVENT_RETENTION_DAYS after it.
ALTER TABLE daily_active_installs ADD COLUMN first_received TEXT;
ALTER TABLE daily_active_installs ADD COLUMN last_received TEXT;

-- How long a tombstone is kept. `expires_at`: until no event sent before the forget can still
-- reach the consumer or the forwarder (RAW_EVENT_RETENTION_DAYS and the queues' retries);
-- NULL on older tombstones, which expire as if forgotten_at had set it. `archive_held_before`:
-- the archive may hold the install's events on arrival days before this one that the rewrite
-- could not find (days past EXACT_INSTALL_DAYS): exports filter them by the tombstone, so it is
-- kept until the archive holds no object that old. Older tombstones hold from their forget day.
ALTER TABLE forgotten_installs ADD COLUMN expires_at INTEGER;
ALTER TABLE forgotten_installs ADD COLUMN archive_held_before TEXT;
UPDATE forgotten_installs SET archive_held_before = strftime('%Y-%m-%d', forgotten_at / 1000, 'unixepoch');

-- Where the rewrite of a large day stopped (the last object key done; NULL: from the start), so
-- the next hourly run goes on from there.
ALTER TABLE archive_scrubs ADD COLUMN after_key TEXT;

-- Stored events the forwarder did not send because their install was forgotten meanwhile.
ALTER TABLE forward_counts ADD COLUMN forgotten INTEGER NOT NULL DEFAULT 0;
