import fc from "fast-check";
import { digestOf } from "./tenants";

/**
 * Random usage reports for property tests: two clusters, users of every kind with or without
 * activity and SPIFFE IDs, bot instances of three bots, resources of three kinds, at quarter
 * hours of a window. Names are plain; `wireReport` digests them as a cluster would.
 */

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
const few = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { maxLength: 4 });

const userRecord = fc.record({
  user: pick("u1", "u2", "u3", "u4", "u5", "u6"),
  kind: pick("human", "unspecified", "bot", "system"),
  logins: pick(0, 0, 1),
  ssh: pick(0, 2),
  spiffe: fc.array(fc.record({ id: pick("svc-a", "svc-b", "svc-c"), svids: pick(0, 1, 4) }), { maxLength: 2 }),
});
const botRecord = fc.record({
  instance: pick("i1", "i2", "i3", "i4", "i5"),
  bot: pick("bot-a", "bot-b", "bot-c"),
  joins: pick(0, 1),
  certs: pick(0, 0, 2),
});
const group = fc.record({
  kind: pick("node", "db_server", "app_server"),
  ids: few(pick("r1", "r2", "r3", "r4", "r5")),
});
const body = fc.oneof(
  fc.record({ kind: fc.constant("user_activity" as const), users: few(userRecord) }),
  fc.record({ kind: fc.constant("bot_instance_activity" as const), bots: few(botRecord) }),
  fc.record({ kind: fc.constant("resource_presence" as const), groups: fc.array(group, { maxLength: 3 }) }),
);
/** A report at one of `quarters` quarter hours of a window (`secondBatch`: for tests that send in two). */
export const randomReport = (quarters: number) =>
  fc.record({
    quarter: fc.integer({ min: 0, max: quarters - 1 }),
    cluster: pick("A", "B"),
    body,
    secondBatch: fc.boolean(),
  });
export type RandomReport = ReturnType<typeof randomReport> extends fc.Arbitrary<infer T> ? T : never;

/** The report as a cluster sends it, starting `g.quarter` quarter hours after `windowStart`. */
export async function wireReport(g: RandomReport, windowStart: number): Promise<Record<string, unknown>> {
  const header = {
    kind: g.body.kind,
    report_uuid: crypto.randomUUID(),
    cluster_name: await digestOf(`cluster-${g.cluster}`),
    reporter_hostid: await digestOf(`auth-${g.cluster}`),
    start_time: new Date(windowStart + g.quarter * 15 * 60_000).toISOString(),
  };
  switch (g.body.kind) {
    case "user_activity":
      return {
        ...header,
        records: await Promise.all(
          g.body.users.map(async (u) => ({
            user_name: await digestOf(u.user),
            user_kind: u.kind,
            logins: u.logins,
            ssh_sessions: u.ssh,
            spiffe_ids_issued: await Promise.all(
              u.spiffe.map(async (s) => ({ spiffe_id: await digestOf(s.id), svids_issued: s.svids })),
            ),
          })),
        ),
      };
    case "bot_instance_activity":
      return {
        ...header,
        records: await Promise.all(
          g.body.bots.map(async (b) => ({
            bot_instance_id: await digestOf(b.instance),
            bot_user_name: await digestOf(b.bot),
            bot_joins: b.joins,
            certificates_issued: b.certs,
          })),
        ),
      };
    case "resource_presence":
      return {
        ...header,
        resources: await Promise.all(
          g.body.groups.map(async (grp) => ({
            kind: grp.kind,
            ids: await Promise.all(grp.ids.map((id) => digestOf(id))),
          })),
        ),
      };
  }
}
