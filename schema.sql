-- edgehog's D1 schema, whole and readable: what applying every file of migrations/ yields (a
-- test checks it). Databases are created and upgraded with the migrations, never with this
-- file: `wrangler d1 migrations apply edgehog` (npm start does it locally).

-- Every accepted event is archived to R2 (src/archive/); D1 keeps raw events only as a short
-- debugging window (RAW_EVENT_DEBUG_DAYS, default 0: not written), purged by received_at. Rows
-- written before raw events moved to R2 are still found by the dedupe check until purged. A
-- rowid table: rows are large and arrive in rowid order, so only the uuid index takes random
-- inserts.
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
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
);
CREATE INDEX IF NOT EXISTS events_received_at ON events (received_at);

-- The dedupe index of single keys, from before packs (below): one row per stored event, `at`
-- the second the client says it happened. No longer written; looked up while the retention job
-- empties it (within RAW_EVENT_RETENTION_DAYS + 2 days of the upgrade).
CREATE TABLE IF NOT EXISTS event_uuids (
  at INTEGER NOT NULL,
  uuid BLOB NOT NULL,                   -- the event uuid's 16 bytes
  PRIMARY KEY (at, uuid)
) WITHOUT ROWID;

-- The dedupe index, packed (src/aggregate/packs.ts): per install and UTC day of the events'
-- dedupe second, up to 240 uuids (16 bytes each) in a row, with the span of their seconds. A
-- 100-event batch of one install writes one row and one index entry. Purged by day once its
-- events would be refused as too old.
CREATE TABLE IF NOT EXISTS event_packs (
  id INTEGER PRIMARY KEY,
  at_day INTEGER NOT NULL,             -- days since the epoch
  distinct_id TEXT NOT NULL,
  first_at INTEGER NOT NULL,           -- seconds
  last_at INTEGER NOT NULL,
  uuids BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS event_packs_span ON event_packs (at_day, distinct_id, last_at, first_at);

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

-- Events per value of each declared enum and bool property, by event day and OS, counted
-- exactly once like daily_event_counts; bounded per app-day by the catalogue and the OS values.
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

-- The app versions counted as a dimension on each app's day: at most VERSIONS_PER_APP_DAY of
-- them (src/aggregate/statements.ts); events with any other version count as "(other)". Only
-- days that can still receive events need it: it is purged with the raw events.
CREATE TABLE IF NOT EXISTS daily_versions (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  app_version TEXT NOT NULL,
  PRIMARY KEY (app, day, app_version)
) WITHOUT ROWID;

-- One row per install seen on a day, for the last EXACT_INSTALL_DAYS days: daily active
-- installs, and distinct installs over any range of those days (DAU/MAU); older days are
-- folded into install_history by the retention job. distinct_id is a random install id or a digest, never a person's name.
-- The dimensions are those of the install's first event of the day ('' when unknown); the
-- breakdowns count installs per value and hide values with too few (STATS_MIN_INSTALLS).
CREATE TABLE IF NOT EXISTS daily_active_installs (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  distinct_id TEXT NOT NULL,
  app_version TEXT NOT NULL DEFAULT '',
  os TEXT NOT NULL DEFAULT '',
  country TEXT NOT NULL DEFAULT '',  -- two letters from request.cf, never the IP
  first_received TEXT,               -- UTC days its events of that day arrived on, first and last
  last_received TEXT,                -- (the archive's partitions; NULL on rows from before 0010)
  features INTEGER NOT NULL DEFAULT 0, -- bits of the events and property values it sent that day (catalog/feature-bits.ts)
  PRIMARY KEY (app, day, distinct_id)
) WITHOUT ROWID;
-- POST /v1/forget finds an install's rows: what it deletes, and the archive days to rewrite.
CREATE INDEX IF NOT EXISTS daily_active_installs_distinct_id ON daily_active_installs (distinct_id);

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
-- redelivered message adds them once; a message without counters is not recorded. Purged
-- after RAW_EVENT_RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS processed_batches (
  batch_id TEXT PRIMARY KEY,
  processed_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS processed_batches_processed_at ON processed_batches (processed_at);

-- Installs forgotten at their request (POST /v1/forget): only the random id and when. The
-- queue consumer stores, counts and archives nothing more under these ids, the forwarder sends
-- nothing of them, the archive's days its events arrived on are rewritten without it, and every
-- export leaves it out. One row per install, in the event database the id belongs to
-- (EVENT_DATABASES), kept only while it can matter (src/forget/tombstones.ts).
CREATE TABLE IF NOT EXISTS forgotten_installs (
  distinct_id TEXT PRIMARY KEY,
  forgotten_at INTEGER NOT NULL,        -- ms since the epoch
  expires_at INTEGER,                   -- ms: no event sent before the forget can arrive after it
  archive_held_before TEXT              -- day: older archive objects may hold its events unrewritten
) WITHOUT ROWID;

-- Archive days to rewrite without a forgotten install's events (POST /v1/forget fills it, the
-- hourly job empties it: src/archive/scrub.ts).
CREATE TABLE IF NOT EXISTS archive_scrubs (
  app TEXT NOT NULL,
  day TEXT NOT NULL,                    -- an arrival day (archive partition) that holds its events
  distinct_id TEXT NOT NULL,
  requested_at INTEGER NOT NULL,        -- ms since the epoch
  after_key TEXT,                       -- the last object key rewritten so far (NULL: none yet)
  PRIMARY KEY (app, day, distinct_id)
) WITHOUT ROWID;

-- Tenants: the customers whose servers report billable usage. `name` is the operator's handle
-- (lowercase letters, digits, dashes); `id` starts with "tn_", so the two never look alike.
CREATE TABLE IF NOT EXISTS tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  plan TEXT NOT NULL DEFAULT 'standard',
  disabled INTEGER NOT NULL DEFAULT 0,  -- 1: its tokens answer 403 tenant_disabled
  created_at INTEGER NOT NULL,          -- ms since the epoch
  -- The subscription term: billing periods start on term_start's day of the month; a term
  -- lasts term_months and renews (docs/BILLING.md). Always written; the empty default only
  -- let migration 0004 add the column to existing rows, which it then set.
  term_start TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD
  term_months INTEGER NOT NULL DEFAULT 12
) WITHOUT ROWID;

-- Tenant tokens. Only the SHA-256 of a token is stored: the token itself is shown once. A
-- tenant may hold several live tokens at once, so a token can be rotated without downtime.
CREATE TABLE IF NOT EXISTS tenant_tokens (
  id TEXT PRIMARY KEY,                  -- "tok_" + 16 hex, for the operator
  token_hash TEXT NOT NULL UNIQUE,      -- lowercase hex SHA-256 of the whole token
  prefix TEXT NOT NULL,                 -- the token's first 12 characters, to recognise it
  tenant_id TEXT NOT NULL REFERENCES tenants (id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER,                   -- NULL: never expires
  revoked_at INTEGER                    -- NULL: not revoked
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tenant_tokens_tenant ON tenant_tokens (tenant_id);
CREATE INDEX IF NOT EXISTS tenant_tokens_prefix ON tenant_tokens (prefix);

-- Raw usage reports as accepted by POST /v1/usage or SubmitUsageReports (normalised JSON): the
-- billing evidence, from which a period's aggregates can be rebuilt (src/usage/replay.ts). The
-- primary key makes a resent report a duplicate. Kept USAGE_REPORT_RETENTION_DAYS after
-- start_time, and in any case until their period is final (src/usage/retention.ts).
CREATE TABLE IF NOT EXISTS usage_reports (
  tenant_id TEXT NOT NULL,
  report_uuid TEXT NOT NULL,
  kind TEXT NOT NULL,                   -- user_activity | resource_presence | bot_instance_activity |
                                        -- identity_security_summaries | identity_security
  cluster_name TEXT NOT NULL,           -- digest
  reporter_hostid TEXT NOT NULL,        -- digest
  start_time INTEGER NOT NULL,          -- ms since the epoch
  end_time INTEGER NOT NULL,            -- ms since the epoch
  hour TEXT NOT NULL,                   -- UTC hour of start_time, "YYYY-MM-DDTHH"
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  late INTEGER NOT NULL DEFAULT 0,      -- 1: arrived once its period was closed; kept, not counted
  PRIMARY KEY (tenant_id, report_uuid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS usage_reports_tenant_kind_hour ON usage_reports (tenant_id, kind, hour);
CREATE INDEX IF NOT EXISTS usage_reports_start_time ON usage_reports (start_time);

-- The aggregates the billing figures are computed from (src/usage/fold.ts writes them, in the
-- report's transaction; src/billing/series.ts reads them). Keyed by UTC day and cluster; an
-- hourly fact is a bit of `hours` (bit h = UTC hour h), so an identity active all day costs one
-- row, not 24. Kept for ever: rows per tenant and day are bounded by the identities it has
-- (docs/BILLING.md, storage).

-- The hours in which a cluster sent a report of a kind: TPR averages over the hours with a
-- resource_presence report, MWI over those with a user_activity or bot_instance_activity one.
CREATE TABLE IF NOT EXISTS tenant_reported_hours (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,                    -- YYYY-MM-DD (UTC)
  cluster_name TEXT NOT NULL,           -- digest
  kind TEXT NOT NULL,                   -- the report kind
  hours INTEGER NOT NULL,               -- bit mask of UTC hours
  PRIMARY KEY (tenant_id, day, cluster_name, kind)
) WITHOUT ROWID;

-- MAU: users of kind human or unspecified with at least one non-zero counter.
CREATE TABLE IF NOT EXISTS tenant_daily_users (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  cluster_name TEXT NOT NULL,
  user_name TEXT NOT NULL,              -- digest
  PRIMARY KEY (tenant_id, day, cluster_name, user_name)
) WITHOUT ROWID;

-- TPR: resources present, with the hours they were reported in.
CREATE TABLE IF NOT EXISTS tenant_daily_resources (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  cluster_name TEXT NOT NULL,
  resource_kind TEXT NOT NULL,
  resource_id TEXT NOT NULL,            -- digest
  hours INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day, cluster_name, resource_kind, resource_id)
) WITHOUT ROWID;

-- MWI: active bots, bot instances and SPIFFE IDs, with the hours they were active in.
CREATE TABLE IF NOT EXISTS tenant_daily_workloads (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  cluster_name TEXT NOT NULL,
  kind TEXT NOT NULL,                   -- bot | bot_instance | spiffe_id
  id TEXT NOT NULL,                     -- digest
  hours INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day, cluster_name, kind, id)
) WITHOUT ROWID;

-- Reports that arrived after their period was closed (stored, flagged late, not counted), per
-- tenant and UTC day of start_time: the visible late counter.
CREATE TABLE IF NOT EXISTS late_usage_reports (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  reports INTEGER NOT NULL,
  last_received_at INTEGER NOT NULL,    -- ms since the epoch
  PRIMARY KEY (tenant_id, day)
) WITHOUT ROWID;

-- Billing figures per tenant and period, written by the cron (src/billing/compute.ts). A period
-- starts on the term's anchor day and is named by the month it starts in. Open rows are
-- recomputed on every run; a closing row is being made final (reports for its days are late
-- from then on); a final row is never written again.
CREATE TABLE IF NOT EXISTS billing_usage (
  tenant_id TEXT NOT NULL,
  month TEXT NOT NULL,                  -- YYYY-MM: the month the period starts in
  period_start TEXT NOT NULL,           -- YYYY-MM-DD, first day
  period_end TEXT NOT NULL,             -- YYYY-MM-DD, last day (included)
  term_start TEXT,                      -- the term the high-water marks run over (first and
  term_end TEXT,                        --   last day); NULL in formula_version 1 rows
  mau INTEGER NOT NULL,
  tpr REAL NOT NULL,
  mwi REAL NOT NULL,
  mau_high_water INTEGER NOT NULL,
  tpr_high_water REAL NOT NULL,
  mwi_high_water REAL NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closing', 'final')),
  formula_version INTEGER NOT NULL,     -- 1: calendar months, before migration 0004; 2: docs/BILLING.md
  computed_at INTEGER NOT NULL,         -- ms since the epoch
  PRIMARY KEY (tenant_id, month)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS billing_usage_month ON billing_usage (month);
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
  forgotten INTEGER NOT NULL DEFAULT 0,  -- events not sent: their install was forgotten meanwhile
  PRIMARY KEY (app, day)
) WITHOUT ROWID;

-- Teleport's full reporting stream (docs/PREHOG.md, docs/BILLING.md): the origin of each user
-- counted in MAU, the aggregates of Identity Security's reports, and their billing figures.

-- Where a user counted that day comes from (local, sso, okta, scim, entraid), the smallest known
-- origin its reports gave; 'unspecified' when none did (reports stored before this migration).
ALTER TABLE tenant_daily_users ADD COLUMN user_origin TEXT NOT NULL DEFAULT 'unspecified';

-- Identity Security sums per tenant, UTC day, cluster, metric and dimension: summaries generated,
-- summary input and output tokens (per session type), audit log entries ingested (per provider).
CREATE TABLE IF NOT EXISTS tenant_daily_usage_sums (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,                    -- YYYY-MM-DD (UTC)
  cluster_name TEXT NOT NULL,           -- digest
  metric TEXT NOT NULL,                 -- summaries_generated | summary_input_tokens | summary_output_tokens | logs_ingested
  dimension TEXT NOT NULL,              -- a session type or a provider, from a closed set (else 'other')
  value INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day, cluster_name, metric, dimension)
) WITHOUT ROWID;

-- Identity Security graph sizes per tenant, UTC day, cluster, provider and hour: the largest size
-- reported in that hour.
CREATE TABLE IF NOT EXISTS tenant_hourly_graph_sizes (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,                    -- YYYY-MM-DD (UTC)
  cluster_name TEXT NOT NULL,           -- digest
  provider TEXT NOT NULL,               -- from a closed set (else 'other')
  hour INTEGER NOT NULL,                -- UTC hour, 0-23
  identities INTEGER NOT NULL,
  resources INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day, cluster_name, provider, hour)
) WITHOUT ROWID;

-- The period's MAU by user origin (JSON object origin → users), and Identity Security's figures:
-- sums over the period, graph sizes averaged hourly → daily → period (like TPR), and per provider
-- (JSON object provider → { identities, resources, logs_ingested }).
ALTER TABLE billing_usage ADD COLUMN mau_by_origin TEXT NOT NULL DEFAULT '{}';
ALTER TABLE billing_usage ADD COLUMN summaries_generated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE billing_usage ADD COLUMN summary_input_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE billing_usage ADD COLUMN summary_output_tokens INTEGER NOT NULL DEFAULT 0;
ALTER TABLE billing_usage ADD COLUMN graph_identities REAL NOT NULL DEFAULT 0;
ALTER TABLE billing_usage ADD COLUMN graph_resources REAL NOT NULL DEFAULT 0;
ALTER TABLE billing_usage ADD COLUMN audit_logs_ingested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE billing_usage ADD COLUMN identity_security_by_provider TEXT NOT NULL DEFAULT '{}';

-- Billing operations (docs/BILLING.md, "Contracts, reporting and webhooks"): each tenant's
-- contract, the silences flagged among its reporters, and the signed webhooks billing sends
-- (an outbox, and a ledger of what each endpoint took).

-- A tenant's contract: whether its clusters must report, and the quantities it bought (NULL:
-- none). Thresholds are judged from the period holding `changed_at` on. `webhook_url`: the
-- tenant's own endpoint (NULL: the deployment's only); its secret is derived, never stored.
CREATE TABLE IF NOT EXISTS tenant_contracts (
  tenant_id TEXT PRIMARY KEY,
  reporting_required INTEGER NOT NULL DEFAULT 0,
  reporting_since INTEGER,              -- ms: since when reporting is required (NULL: it is not)
  mau INTEGER,                          -- contracted users, resources, identities; NULL: none
  tpr INTEGER,
  mwi INTEGER,
  webhook_url TEXT,
  changed_at INTEGER NOT NULL           -- ms since the epoch
) WITHOUT ROWID;

-- Silences flagged by the hourly job (a reporting.silent webhook sent), until reports resume
-- (reporting.resumed). cluster_name '' is the tenant as a whole.
CREATE TABLE IF NOT EXISTS reporting_silences (
  tenant_id TEXT NOT NULL,
  cluster_name TEXT NOT NULL,
  last_report_at INTEGER NOT NULL,      -- ms: the last report before the silence (or since required)
  flagged_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, cluster_name)
) WITHOUT ROWID;

-- The webhooks' outbox: each event once, keyed by what makes it one (a final period's month; a
-- threshold's month, figure and level; a silence's cluster and last report), written in the same
-- transaction as what it tells; the hourly job puts those not yet queued on the webhook queue.
CREATE TABLE IF NOT EXISTS billing_events (
  tenant_id TEXT NOT NULL,
  type TEXT NOT NULL,                   -- billing.period.final | billing.usage.threshold | reporting.silent | reporting.resumed
  subject TEXT NOT NULL,
  id TEXT NOT NULL UNIQUE,              -- the webhook-id: evt_ + 32 hex of SHA-256(type, tenant, subject)
  payload TEXT NOT NULL,                -- the JSON body, as signed and sent
  created_at INTEGER NOT NULL,          -- ms; events of one run sort in the order they were made
  queued_at INTEGER,                    -- ms; NULL: not on the queue yet
  targets INTEGER,                      -- endpoints it was queued for (0: none was configured)
  PRIMARY KEY (tenant_id, type, subject)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS billing_events_unqueued ON billing_events (created_at) WHERE queued_at IS NULL;


-- Which endpoint took which event (2xx): each event is posted once per endpoint, whatever the
-- queue redelivers.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  event_id TEXT NOT NULL,
  target TEXT NOT NULL,                 -- deployment | tenant
  delivered_at INTEGER NOT NULL,
  PRIMARY KEY (event_id, target)
) WITHOUT ROWID;

-- Events refused as unknown_event, per received day and name: a name the catalogue declares
-- under itself, any other as "(other)" (src/ingest/unknown-events.ts); kept AGGREGATE_RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS daily_unknown_events (
  app TEXT NOT NULL,
  day TEXT NOT NULL,
  event TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (app, day, event)
) WITHOUT ROWID;

-- Requests refused with 429, per UTC day and limit kind, added to by each isolate at most once
-- a minute (src/ratelimit/refusals.ts); kept AGGREGATE_RETENTION_DAYS.
CREATE TABLE IF NOT EXISTS daily_refusals (
  day TEXT NOT NULL,
  limit_kind TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (day, limit_kind)
) WITHOUT ROWID;
