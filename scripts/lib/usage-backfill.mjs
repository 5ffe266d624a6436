// Backfilling usage reports through the operator API (`npm run tenant -- backfill <tenant>
// <file>`, src/usage/backfill-routes.ts): a file of reports is read, sent in requests the collector
// takes, and the answers added up. Reports of periods already final are stored late, counted on
// the period's row and never in its figures.

/** What the collector takes per request: 10 reports, and a body under MAX_BODY_BYTES (1 MiB). */
const REPORTS_PER_REQUEST = 10;
const BYTES_PER_REQUEST = 900_000;

/** The reports of a file: `{ "reports": [ … ] }`, a JSON array, or one report per line (NDJSON). */
export function reportsIn(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    try {
      const parsed = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed;
      if (Array.isArray(parsed?.reports)) return parsed.reports;
    } catch {
      // Not one JSON document: read it as NDJSON below.
    }
  }
  return trimmed.split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    try {
      return [JSON.parse(line)];
    } catch {
      throw new Error(`line ${i + 1} is not JSON: give { "reports": [ … ] }, a JSON array, or one report per line`);
    }
  });
}

/**
 * Sends `reports` to the tenant's backfill endpoint in requests the collector takes (10 reports,
 * under 1 MiB), and adds up its answers; each rejection's `index` is the report's position in
 * `reports`. Resending the same file is harmless: stored reports come back as duplicates.
 */
export async function backfill(call, tenant, reports) {
  const totals = { accepted: 0, counted: 0, late: 0, duplicates: 0, rejected: [] };
  const path = `/tenants/${encodeURIComponent(tenant)}/usage/backfill`;
  const send = async (first, batch) => {
    const answer = await call("POST", path, { reports: batch }).catch((err) => {
      // Every report of the request refused: a 400 that still carries them, one by one.
      if (err.answer?.rejected) return { accepted: 0, counted: 0, late: 0, duplicates: 0, ...err.answer };
      throw err;
    });
    for (const key of ["accepted", "counted", "late", "duplicates"]) totals[key] += answer[key];
    totals.rejected.push(...answer.rejected.map((r) => ({ ...r, index: first + r.index })));
  };
  let first = 0;
  let batch = [];
  let bytes = 0;
  for (const [i, report] of reports.entries()) {
    const size = JSON.stringify(report).length + 1;
    if (batch.length === REPORTS_PER_REQUEST || (batch.length > 0 && bytes + size > BYTES_PER_REQUEST)) {
      await send(first, batch);
      [first, batch, bytes] = [i, [], 0];
    }
    batch.push(report);
    bytes += size;
  }
  if (batch.length > 0) await send(first, batch);
  return totals;
}

/** Prints what `backfill` resolved; a rejection makes the exit code 1. */
export function printBackfill(tenant, file, totals) {
  console.log(
    `backfilled ${totals.accepted} reports of ${file} for tenant ${tenant}: ${totals.counted} counted, ` +
      `${totals.late} stored late (their periods are final; counted on the period's row, not in its figures), ` +
      `${totals.duplicates} already stored, ${totals.rejected.length} rejected`,
  );
  for (const r of totals.rejected) {
    const field = r.field ? ` (${r.field})` : "";
    console.log(`  report ${r.index}${r.report_uuid ? ` ${r.report_uuid}` : ""}: ${r.error}${field}: ${r.message}`);
  }
  if (totals.rejected.length > 0) process.exitCode = 1;
}
