import { billingStartOf, countedFromOf } from "../billing/report-bounds";
import type { Rejection } from "../http/judge";
import type { RequestLimiter } from "../ratelimit/middleware";
import type { TenantRow } from "../tenants/store";
import { maxRowsStored } from "./fold";
import { type StoreOutcome, storeReports } from "./store";
import { MAX_REPORT_AGE_MS, type ValidatedReport, validateReports } from "./validate";

/**
 * Submitting usage reports, whatever the wire format: `POST /v1/usage` (JSON) and prehog's
 * `SubmitUsageReports` (protobuf) both decode their request into the JSON route's body shape
 * and call this, so both judge, charge and store reports exactly alike. An operator's backfill
 * (backfill-routes.ts) goes through the same judging and storing with a wider age bound.
 */

export interface SubmitOutcome {
  accepted: number;
  /** Reports repeated within the request or already stored for the tenant (a client retry). */
  duplicates: number;
  rejected: Rejection<"report_uuid">[];
  /** Every report of the request was rejected: nothing was stored. */
  allRejected: boolean;
}

/** The tenant's dates the bounds of its reports come from (src/billing/report-bounds.ts). */
export type ReportingTenant = Pick<TenantRow, "id" | "created_at" | "term_start">;

export interface SubmitContext {
  receivedAt: number;
  /** BILLING_GRACE_DAYS: when a period's figures become final. */
  graceDays: number;
}

/**
 * Validates `{ reports: [ … ] }`, charges the tenant, and stores the accepted reports in one D1
 * transaction. Resolves once they are committed; throws an ApiError for a request refused
 * whole (malformed envelope, too many reports, rate limit, storage unavailable). A report costs
 * one unit per row it can store (fold.ts, maxRowsStored), so the tenant's bucket bounds the
 * rows it writes; a rejected report costs one unit: judging it was work, and garbage is not free.
 */
export async function submitReports(
  db: D1Database,
  limiter: RequestLimiter,
  tenant: ReportingTenant,
  body: unknown,
  context: SubmitContext,
): Promise<SubmitOutcome> {
  const { outcome } = await judgeAndStore(db, tenant, body, context, MAX_REPORT_AGE_MS, (units) =>
    limiter.chargeTenant(tenant.id, units),
  );
  return outcome;
}

/**
 * Judges a request's reports within the tenant's billing start and `maxAgeMs`, calls `charge`
 * with what they cost before anything is written (a refused request leaves no trace), and stores
 * the accepted ones. Also resolves the accepted reports and what the store said of them.
 */
export async function judgeAndStore(
  db: D1Database,
  tenant: ReportingTenant,
  body: unknown,
  context: SubmitContext,
  maxAgeMs: number,
  charge: (units: number) => Promise<void>,
): Promise<{ outcome: SubmitOutcome; accepted: ValidatedReport[]; stored: StoreOutcome }> {
  const { receivedAt, graceDays } = context;
  const earliestStart = Date.parse(`${billingStartOf(tenant)}T00:00:00Z`);
  const validated = validateReports(body, receivedAt, earliestStart, maxAgeMs);
  await charge(validated.accepted.reduce((n, r) => n + maxRowsStored(r.report), validated.rejected.length));
  const countedFrom = countedFromOf(tenant, receivedAt, graceDays);
  const stored = await storeReports(db, tenant.id, validated.accepted, receivedAt, countedFrom);
  return {
    outcome: {
      accepted: stored.accepted,
      duplicates: stored.duplicates + validated.duplicates,
      rejected: validated.rejected,
      allRejected: validated.rejected.length === validated.total,
    },
    accepted: validated.accepted,
    stored,
  };
}
