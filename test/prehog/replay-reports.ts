import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  ResourceKind,
  SubmitUsageReportsRequestSchema,
  UserKind,
  UserOrigin,
} from "../../src/prehog/gen/prehog/v1/teleport_pb";
import { digestOf } from "../helpers/tenants";
import { digestBytes, uuidBytes } from "./wire";

/**
 * An hour of a cluster's usage reports, as Teleport's aggregating reporter cuts them, for the
 * replay test (teleport-replay.test.ts works out its figures by hand from what is written here).
 */

const d = (name: string) => digestOf(name).then(digestBytes);

/** The hour's reports (starting at `hour`), in two SubmitUsageReports requests of at most 10. */
export async function hourOfUsageReports(hour: number) {
  const [cluster, auth1, auth2] = await Promise.all([d("prod"), d("auth-1"), d("auth-2")]);
  const header = (start: number, reporter = auth1) => ({
    reportUuid: uuidBytes(crypto.randomUUID()),
    clusterName: cluster,
    reporterHostid: reporter,
    startTime: timestampFromMs(start),
  });
  const user = async (name: string, fields: Record<string, unknown>) => ({ userName: await d(name), ...fields });
  const quarters = [0, 1, 2, 3].map((q) => hour + q * 15 * 60_000);
  // 32 human users: h0-h14 local, h15-h24 SSO, h25-h27 Okta (their logins say so); h28, h29 never
  // log in this hour (origin unknown); h30 only opens session summaries, h31 only queries the
  // access graph. h99 has nothing but zeros. Three system users log in; bot-ci is a bot.
  const userActivity = await Promise.all(
    quarters.map(async (start, q) => {
      const records = [];
      for (let i = q; i < 28; i += 4) {
        const origin = i < 15 ? UserOrigin.LOCAL : i < 25 ? UserOrigin.SSO : UserOrigin.OKTA;
        records.push(
          await user(`h${i}`, { userKind: UserKind.HUMAN, logins: 1n, sshSessions: 2n, userOrigin: origin }),
        );
      }
      if (q === 0) {
        records.push(await user("h28", { userKind: UserKind.HUMAN, kubeRequests: 7n }));
        records.push(await user("h29", { userKind: UserKind.UNSPECIFIED, dbSessions: 1n, linuxDesktopSessions: 1n }));
        records.push(
          await user("h30", {
            userKind: UserKind.HUMAN,
            sessionSummariesAccessed: [{ sessionType: "ssh", resourceName: await digestOf("n1"), count: 2n }],
          }),
        );
        records.push(await user("h31", { userKind: UserKind.HUMAN, accessGraphQueries: 4n }));
        records.push(await user("h99", { userKind: UserKind.HUMAN }));
        for (const s of ["okta-svc", "scim-svc", "entra-svc"])
          records.push(await user(s, { userKind: UserKind.SYSTEM, logins: 3n }));
        records.push(
          await user("bot-ci", {
            userKind: UserKind.BOT,
            certificatesIssued: 2n,
            spiffeIdsIssued: [
              { spiffeId: await d("svc-a"), svidsIssued: 3 },
              { spiffeId: await d("svc-b"), svidsIssued: 1 },
            ],
          }),
        );
      }
      return { ...header(start), records };
    }),
  );
  const ids = (prefix: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) =>
        new DataView(digestBytes(await digestOf(`${prefix}${i}`)).buffer).getBigUint64(0, true),
      ),
    );
  const resourcePresence = [
    {
      ...header(hour),
      resourceKindReports: [
        { resourceKind: ResourceKind.NODE, resourceIds: await ids("n", 20) },
        { resourceKind: ResourceKind.DB_SERVER, resourceIds: await ids("db", 5) },
        { resourceKind: ResourceKind.NODE_OPENSSH_EICE, resourceIds: await ids("eice", 3) },
        { resourceKind: ResourceKind.LINUX_DESKTOP, resourceIds: await ids("ld", 2) },
      ],
    },
  ];
  const botInstanceActivity = await Promise.all(
    quarters.map(async (start, q) => ({
      ...header(start),
      records: [{ botInstanceId: await d(`i${q}`), botUserName: await d("bot-ci"), botJoins: 1n }],
    })),
  );
  const summaries = await Promise.all(
    quarters.map(async (start) => ({
      ...header(start),
      records: [
        {
          sessionType: "ssh",
          resourceName: await digestOf("n1"),
          summariesGenerated: 2n,
          totalInputTokens: 1000n,
          totalOutputTokens: 100n,
        },
        {
          sessionType: "k8s",
          resourceName: await digestOf("k1"),
          summariesGenerated: 1n,
          totalInputTokens: 500n,
          totalOutputTokens: 50n,
        },
      ],
    })),
  );
  const security = [
    {
      ...header(hour),
      graphSizeRecords: [
        { provider: "aws", totalIdentities: 120n, totalResources: 400n },
        { provider: "okta", totalIdentities: 80n, totalResources: 10n },
      ],
      auditLogRecords: [
        { provider: "cloudtrail", logsIngested: 9000n },
        { provider: "teleport", logsIngested: 1500n },
      ],
    },
    // The second Auth Service reports the same graph a little earlier: the hour keeps the largest.
    {
      ...header(hour + 60_000, auth2),
      graphSizeRecords: [{ provider: "aws", totalIdentities: 118n, totalResources: 390n }],
    },
  ];
  return [
    create(SubmitUsageReportsRequestSchema, {
      userActivity,
      resourcePresence,
      botInstanceActivity,
      identitySecuritySummariesReport: summaries.slice(0, 1),
    }),
    create(SubmitUsageReportsRequestSchema, {
      identitySecuritySummariesReport: summaries.slice(1),
      identitySecurityReport: security,
    }),
  ];
}
