import type { Rejection } from "../http/judge";
import type { RequestLimiter } from "../ratelimit/middleware";
import type { TenantRow } from "../tenants/store";
import type { UsageReport } from "./schema";
import { storeReports } from "./store";
import { validateReports } from "./validate";

/**
 * Submitting usage reports, whatever the wire format: `POST /v1/usage` (JSON) and prehog's
 * `SubmitUsageReports` (protobuf) both decode their request into the JSON route's body shape
 * and call this, so both judge, charge and store reports exactly alike.
 */

export interface SubmitOutcome {
  accepted: number;
  /** Reports repeated within the request or already stored for the tenant (a client retry). */
  duplicates: number;
  rejected: Rejection<"report_uuid">[];
  /** Every report of the request was rejected: nothing was stored. */
  allRejected: boolean;
}

/**
 * Validates `{ reports: [ … ] }`, charges the tenant, and stores the accepted reports in one D1
 * transaction. Resolves once they are committed; throws an ApiError for a request refused
 * whole (malformed envelope, too many reports, rate limit, storage unavailable). Rejected
 * reports are charged too (one unit each): judging them was work, and garbage is not free.
 */
export async function submitReports(
  db: D1Database,
  limiter: RequestLimiter,
  tenant: Pick<TenantRow, "id" | "created_at">,
  body: unknown,
  receivedAt: number,
): Promise<SubmitOutcome> {
  const validated = validateReports(body, receivedAt, tenant.created_at);
  // Charged before anything is written: a refused request leaves no trace.
  await limiter.chargeTenant(
    tenant.id,
    validated.accepted.reduce((n, r) => n + reportUnits(r.report), validated.rejected.length),
  );
  const stored = await storeReports(db, tenant.id, validated.accepted, receivedAt);
  return {
    accepted: stored.accepted,
    duplicates: stored.duplicates + validated.duplicates,
    rejected: validated.rejected,
    allRejected: validated.rejected.length === validated.total,
  };
}

/** What a report costs against its tenant's rate limit: one, plus one per record or resource id. */
function reportUnits(report: UsageReport): number {
  if (report.kind === "resource_presence") return 1 + report.resources.reduce((n, r) => n + r.ids.length, 0);
  return 1 + report.records.length;
}
