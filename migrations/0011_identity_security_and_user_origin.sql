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
