-- Billing figures that match the contract (docs/BILLING.md): subscription terms on tenants,
-- day-keyed aggregates with an hour mask and the cluster (MAU of humans; MWI of bots, bot
-- instances and SPIFFE IDs averaged hourly -> daily -> period; TPR per cluster), billing rows
-- for anchored periods with their dates and state, late reports counted, raw reports dated for
-- retention. The new aggregates are filled from the raw reports already stored, with the rules
-- src/usage/fold.ts applies to new reports (test/usage/migration-backfill.test.ts compares them).

-- Subscription terms: periods are anchored on term_start's day; a term lasts term_months and
-- renews. Every tenant gets the default, the 1st of its creation month and 12 months (the empty
-- default only exists to add the column to existing rows; the UPDATE below sets them all).
ALTER TABLE tenants ADD COLUMN term_start TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN term_months INTEGER NOT NULL DEFAULT 12;
UPDATE tenants SET term_start = strftime('%Y-%m-01', created_at / 1000, 'unixepoch') WHERE term_start = '';

-- A raw report that arrived once its period was closed is kept but not counted (late = 1).
ALTER TABLE usage_reports ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS usage_reports_start_time ON usage_reports (start_time);

-- The hours (bit h of `hours` = UTC hour h) in which a cluster sent a report of a kind: the
-- hours TPR (resource_presence) and MWI (user_activity, bot_instance_activity) average over.
CREATE TABLE IF NOT EXISTS tenant_reported_hours (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  cluster_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  hours INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day, cluster_name, kind)
) WITHOUT ROWID;

-- Users of kind human or unspecified with at least one non-zero counter, per day and cluster.
CREATE TABLE IF NOT EXISTS tenant_daily_users (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  cluster_name TEXT NOT NULL,
  user_name TEXT NOT NULL,
  PRIMARY KEY (tenant_id, day, cluster_name, user_name)
) WITHOUT ROWID;

-- Resources present, per day and cluster, with the hours they were reported in.
CREATE TABLE IF NOT EXISTS tenant_daily_resources (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  cluster_name TEXT NOT NULL,
  resource_kind TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  hours INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day, cluster_name, resource_kind, resource_id)
) WITHOUT ROWID;

-- Active workload identities (kind bot, bot_instance or spiffe_id), per day and cluster, with
-- the hours they were active in.
CREATE TABLE IF NOT EXISTS tenant_daily_workloads (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  cluster_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  hours INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day, cluster_name, kind, id)
) WITHOUT ROWID;

-- Reports that arrived after their period was closed, per tenant and UTC day of start_time.
CREATE TABLE IF NOT EXISTS late_usage_reports (
  tenant_id TEXT NOT NULL,
  day TEXT NOT NULL,
  reports INTEGER NOT NULL,
  last_received_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, day)
) WITHOUT ROWID;

-- Backfill from the raw reports (all kept so far). A record is active when one of its integer
-- fields (its counters) is above zero.
INSERT INTO tenant_reported_hours (tenant_id, day, cluster_name, kind, hours)
SELECT tenant_id, substr(hour, 1, 10), cluster_name, kind, 1 << CAST(substr(hour, 12, 2) AS INTEGER)
FROM usage_reports WHERE true
ON CONFLICT (tenant_id, day, cluster_name, kind) DO UPDATE SET hours = hours | excluded.hours;

INSERT OR IGNORE INTO tenant_daily_users (tenant_id, day, cluster_name, user_name)
SELECT u.tenant_id, substr(u.hour, 1, 10), u.cluster_name, r.value ->> 'user_name'
FROM usage_reports AS u, json_each(u.body, '$.records') AS r
WHERE u.kind = 'user_activity' AND r.value ->> 'user_kind' IN ('human', 'unspecified')
  AND EXISTS (SELECT 1 FROM json_each(r.value) AS c WHERE c.type = 'integer' AND c.value > 0);

INSERT INTO tenant_daily_resources (tenant_id, day, cluster_name, resource_kind, resource_id, hours)
SELECT u.tenant_id, substr(u.hour, 1, 10), u.cluster_name, g.value ->> 'kind', i.value,
       1 << CAST(substr(u.hour, 12, 2) AS INTEGER)
FROM usage_reports AS u, json_each(u.body, '$.resources') AS g, json_each(g.value, '$.ids') AS i
WHERE u.kind = 'resource_presence'
ON CONFLICT (tenant_id, day, cluster_name, resource_kind, resource_id) DO UPDATE SET hours = hours | excluded.hours;

-- Bots: users of kind bot, and the bot users of bot-instance records; then the bot instances.
-- (Reports stored before this migration carry no SPIFFE IDs: the JSON route did not take them.)
INSERT INTO tenant_daily_workloads (tenant_id, day, cluster_name, kind, id, hours)
SELECT u.tenant_id, substr(u.hour, 1, 10), u.cluster_name, 'bot', r.value ->> 'user_name',
       1 << CAST(substr(u.hour, 12, 2) AS INTEGER)
FROM usage_reports AS u, json_each(u.body, '$.records') AS r
WHERE u.kind = 'user_activity' AND r.value ->> 'user_kind' = 'bot'
  AND EXISTS (SELECT 1 FROM json_each(r.value) AS c WHERE c.type = 'integer' AND c.value > 0)
ON CONFLICT (tenant_id, day, cluster_name, kind, id) DO UPDATE SET hours = hours | excluded.hours;

INSERT INTO tenant_daily_workloads (tenant_id, day, cluster_name, kind, id, hours)
SELECT u.tenant_id, substr(u.hour, 1, 10), u.cluster_name, 'bot', r.value ->> 'bot_user_name',
       1 << CAST(substr(u.hour, 12, 2) AS INTEGER)
FROM usage_reports AS u, json_each(u.body, '$.records') AS r
WHERE u.kind = 'bot_instance_activity'
  AND EXISTS (SELECT 1 FROM json_each(r.value) AS c WHERE c.type = 'integer' AND c.value > 0)
ON CONFLICT (tenant_id, day, cluster_name, kind, id) DO UPDATE SET hours = hours | excluded.hours;

INSERT INTO tenant_daily_workloads (tenant_id, day, cluster_name, kind, id, hours)
SELECT u.tenant_id, substr(u.hour, 1, 10), u.cluster_name, 'bot_instance', r.value ->> 'bot_instance_id',
       1 << CAST(substr(u.hour, 12, 2) AS INTEGER)
FROM usage_reports AS u, json_each(u.body, '$.records') AS r
WHERE u.kind = 'bot_instance_activity'
  AND EXISTS (SELECT 1 FROM json_each(r.value) AS c WHERE c.type = 'integer' AND c.value > 0)
ON CONFLICT (tenant_id, day, cluster_name, kind, id) DO UPDATE SET hours = hours | excluded.hours;

DROP TABLE IF EXISTS tenant_daily_active_users;
DROP TABLE IF EXISTS tenant_hourly_resources;
DROP TABLE IF EXISTS tenant_daily_bot_instances;

-- Billing rows per anchored period. Rows written before this migration keep their figures
-- (formula_version 1: calendar months, MAU with bots, MWI = distinct bot instances); open ones
-- are recomputed by the next cron run with the current formulas (formula_version 2).
CREATE TABLE billing_usage_0004 (
  tenant_id TEXT NOT NULL,
  month TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  term_start TEXT,
  term_end TEXT,
  mau INTEGER NOT NULL,
  tpr REAL NOT NULL,
  mwi REAL NOT NULL,
  mau_high_water INTEGER NOT NULL,
  tpr_high_water REAL NOT NULL,
  mwi_high_water REAL NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'closing', 'final')),
  formula_version INTEGER NOT NULL,
  computed_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, month)
) WITHOUT ROWID;
INSERT INTO billing_usage_0004
SELECT tenant_id, month, month || '-01', date(month || '-01', '+1 month', '-1 day'), NULL, NULL,
       mau, tpr, mwi, mau_high_water, tpr_high_water, mwi_high_water,
       CASE final WHEN 1 THEN 'final' ELSE 'open' END, 1, computed_at
FROM billing_usage;
DROP TABLE billing_usage;
ALTER TABLE billing_usage_0004 RENAME TO billing_usage;
CREATE INDEX IF NOT EXISTS billing_usage_month ON billing_usage (month);
