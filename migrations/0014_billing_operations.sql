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

-- Final periods billed before webhooks existed are not announced now.
INSERT OR IGNORE INTO billing_events (tenant_id, type, subject, id, payload, created_at, queued_at, targets)
SELECT tenant_id, 'billing.period.final', month, 'evt_' || lower(hex(randomblob(16))), 'null', computed_at,
       computed_at, 0
FROM billing_usage WHERE state = 'final';

-- Which endpoint took which event (2xx): each event is posted once per endpoint, whatever the
-- queue redelivers.
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  event_id TEXT NOT NULL,
  target TEXT NOT NULL,                 -- deployment | tenant
  delivered_at INTEGER NOT NULL,
  PRIMARY KEY (event_id, target)
) WITHOUT ROWID;
