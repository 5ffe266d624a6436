import { reportStatements } from "../db/usage-writes";
import { backendUnavailable } from "../http/errors";
import type { ValidatedReport } from "./validate-reports";

export interface StoreOutcome {
  accepted: number;
  /** Reports already stored for this tenant (a client retry): acknowledged, not counted again. */
  duplicates: number;
}

/**
 * Stores reports and their aggregates in one D1 transaction. It resolves only once D1 has
 * committed, so a 2xx always means the reports are durable; any failure is a 503 with
 * Retry-After, and since nothing was committed the client's resend is harmless.
 */
export async function storeReports(
  db: D1Database,
  tenantId: string,
  reports: readonly ValidatedReport[],
  receivedAt: number,
): Promise<StoreOutcome> {
  if (reports.length === 0) return { accepted: 0, duplicates: 0 };
  const { statements, rawInsertIndexes } = reportStatements(db, tenantId, reports, receivedAt);
  let results: D1Result[];
  try {
    results = await db.batch(statements);
  } catch (err) {
    console.error("storing usage reports failed", err);
    throw backendUnavailable(
      "storage_unavailable",
      "the reports could not be stored right now; nothing was accepted, retry the whole request later",
    );
  }
  let accepted = 0;
  for (const index of rawInsertIndexes) {
    if ((results[index]?.meta.changes ?? 0) > 0) accepted++;
  }
  return { accepted, duplicates: reports.length - accepted };
}
