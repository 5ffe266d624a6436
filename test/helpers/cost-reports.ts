import fc from "fast-check";
import { digestOf } from "./tenants";

/**
 * Random usage reports of every kind for the cost suite (test/usage/report-cost.test.ts): dense
 * ones (many SPIFFE IDs, resource ids, bot instances, summaries and providers per report), at
 * starts in a final and an open period of a tenant whose term began 2026-04-01.
 */

const name = (prefix: string, max: number) => fc.integer({ min: 0, max }).map((n) => `${prefix}-${n}`);
export const costedReport = fc.record({
  // April is final by the calendar on May 20 (the tenant's term began April 1, it was created
  // May 20): a report for it is stored late. May is open: counted.
  start: fc.constantFrom("2026-04-20T10:00:00Z", "2026-05-19T10:00:00Z", "2026-05-20T11:00:00Z"),
  body: fc.oneof(
    fc.record({
      kind: fc.constant("user_activity" as const),
      records: fc.array(
        fc.record({
          user: name("user", 30),
          kind: fc.constantFrom("human", "bot", "system"),
          logins: fc.constantFrom(0, 1),
          origin: fc.constantFrom("unspecified", "local", "sso"),
          // Kept only in the raw row: they cost nothing more.
          accessed: fc.array(fc.record({ resource: name("resource", 20), count: fc.constantFrom(0, 2) }), {
            maxLength: 3,
          }),
          spiffe: fc.array(fc.record({ id: name("spiffe", 200), svids: fc.constantFrom(0, 1, 3) }), {
            maxLength: 60,
            size: "max",
          }),
        }),
        { maxLength: 6 },
      ),
    }),
    fc.record({
      kind: fc.constant("bot_instance_activity" as const),
      records: fc.array(
        fc.record({ instance: name("instance", 80), bot: name("bot", 5), joins: fc.constantFrom(0, 1) }),
        {
          maxLength: 30,
          size: "max",
        },
      ),
    }),
    fc.record({
      kind: fc.constant("identity_security_summaries" as const),
      records: fc.array(
        fc.record({
          type: fc.constantFrom("ssh", "k8s", "db", "desktop", "rdp"),
          summaries: fc.constantFrom(0, 1, 4),
          input: fc.nat(5000),
          output: fc.nat(500),
        }),
        { maxLength: 12, size: "max" },
      ),
    }),
    fc.record({
      kind: fc.constant("identity_security" as const),
      graphs: fc.array(
        fc.record({ provider: fc.constantFrom("aws", "okta", "teleport", "acme"), size: fc.nat(1000) }),
        { maxLength: 6 },
      ),
      logs: fc.array(fc.record({ provider: fc.constantFrom("cloudtrail", "teleport", "acme"), n: fc.nat(100_000) }), {
        maxLength: 5,
      }),
    }),
    fc.record({
      kind: fc.constant("resource_presence" as const),
      groups: fc.array(
        fc.record({
          kind: fc.constantFrom("node", "db_server"),
          ids: fc.array(name("resource", 150), { maxLength: 80, size: "max" }),
        }),
        { maxLength: 3 },
      ),
    }),
  ),
});
export type CostedReport = typeof costedReport extends fc.Arbitrary<infer T> ? T : never;

/** The report as a cluster sends it to POST /v1/usage. */
export async function wireCostedReport(g: CostedReport): Promise<Record<string, unknown>> {
  const header = {
    kind: g.body.kind,
    report_uuid: crypto.randomUUID(),
    cluster_name: await digestOf("cluster-a"),
    reporter_hostid: await digestOf("auth-1"),
    start_time: g.start,
  };
  switch (g.body.kind) {
    case "user_activity":
      return {
        ...header,
        records: await Promise.all(
          g.body.records.map(async (r) => ({
            user_name: await digestOf(r.user),
            user_kind: r.kind,
            logins: r.logins,
            user_origin: r.origin,
            session_summaries_accessed: await Promise.all(
              r.accessed.map(async (a) => ({
                session_type: "ssh",
                resource_name: await digestOf(a.resource),
                count: a.count,
              })),
            ),
            spiffe_ids_issued: await Promise.all(
              r.spiffe.map(async (s) => ({ spiffe_id: await digestOf(s.id), svids_issued: s.svids })),
            ),
          })),
        ),
      };
    case "bot_instance_activity":
      return {
        ...header,
        records: await Promise.all(
          g.body.records.map(async (r) => ({
            bot_instance_id: await digestOf(r.instance),
            bot_user_name: await digestOf(r.bot),
            bot_joins: r.joins,
          })),
        ),
      };
    case "resource_presence":
      return {
        ...header,
        resources: await Promise.all(
          g.body.groups.map(async (group) => ({ kind: group.kind, ids: await Promise.all(group.ids.map(digestOf)) })),
        ),
      };
    case "identity_security_summaries":
      return {
        ...header,
        records: g.body.records.map((r) => ({
          session_type: r.type,
          summaries_generated: r.summaries,
          total_input_tokens: r.input,
          total_output_tokens: r.output,
        })),
      };
    case "identity_security":
      return {
        ...header,
        graph_size_records: g.body.graphs.map((r) => ({
          provider: r.provider,
          total_identities: r.size,
          total_resources: r.size,
        })),
        audit_log_records: g.body.logs.map((r) => ({ provider: r.provider, logs_ingested: r.n })),
      };
  }
}
