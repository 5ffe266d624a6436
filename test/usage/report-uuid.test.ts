import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { TeleportReportingService } from "../../src/prehog/gen/prehog/v1/teleport_pb";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { rejection } from "../helpers/connect-error";
import { answerOf, bearer, countRows, postUsage } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";
import { digestOf, tenantWithToken } from "../helpers/tenants";
import { uuidv7 } from "../helpers/uuidv7";
import { client } from "../prehog/helpers";

/**
 * A report's uuid must be random (v4 or v7), on both doors: JSON `POST /v1/usage` and prehog's
 * `SubmitUsageReports`, where it is 16 bytes. Any other (v1, v3, v5, v6…, nil, max, a v4 of a
 * few digits) is refused for that report alone, with field report_uuid, and nothing is stored:
 * a second report with the nil uuid is refused, never taken for a duplicate of the first.
 */

const START = Math.floor(Date.now() / 900_000) * 900_000 - 900_000;

const notRandom = fc.oneof(
  fc.uuid({ version: [1, 2, 3, 5, 6, 8] }),
  fc.constantFrom(
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "00000000-0000-4000-8000-000000000000",
    "12121212-1212-4121-8121-212121212121",
    "c232ab00-9414-11ec-b3c8-9f6bdeced846", // v1: a time and a MAC address
  ),
);

const bytesOf = (uuid: string) =>
  Uint8Array.from(uuid.replace(/-/g, "").match(/../g) ?? [], (hex) => Number.parseInt(hex, 16));

beforeEach(() => forgetCachedTokens());

describe("report_uuid", () => {
  it("is refused on POST /v1/usage unless random, for that report alone", async () => {
    const { tenant, issued } = await tenantWithToken(`uuid-json-${crypto.randomUUID()}`);
    const start = new Date(START).toISOString();
    await fc.assert(
      fc.asyncProperty(notRandom, async (uuid) => {
        const good = await userActivityReport({ start, users: ["alice"] });
        const bad = await userActivityReport({ uuid: uuid.toUpperCase(), start, users: ["alice"] });
        const { status, body } = await answerOf(postUsage({ reports: [good, bad] }, bearer(issued.token)));
        expect(status).toBe(202);
        expect(body).toEqual({
          accepted: 1,
          duplicates: 0,
          rejected: [
            {
              index: 1,
              report_uuid: uuid.toLowerCase(),
              error: "invalid_uuid",
              field: "report_uuid",
              message: expect.stringMatching(/random UUID \(version 4 or 7\)/),
            },
          ],
        });
      }),
      { seed: 4242, numRuns: 25 },
    );
    expect(await countRows("usage_reports", "tenant_id = ?1", tenant.id)).toBe(25);
    // v4 and v7 are taken, in either case; the id is kept lower-cased.
    const v7 = uuidv7();
    const random = [crypto.randomUUID().toUpperCase(), v7];
    const reports = await Promise.all(random.map((uuid) => userActivityReport({ uuid, start, users: ["bob"] })));
    const taken = await answerOf(postUsage({ reports }, bearer(issued.token)));
    expect(taken.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
  });

  it("never takes a second nil-uuid report for a duplicate: both are refused, nothing is stored", async () => {
    const { tenant, issued } = await tenantWithToken(`uuid-nil-${crypto.randomUUID()}`);
    const nil = "00000000-0000-0000-0000-000000000000";
    const start = new Date(START).toISOString();
    for (const users of [["alice"], ["bob"]]) {
      const { status, body } = await answerOf(
        postUsage({ reports: [await userActivityReport({ uuid: nil, start, users })] }, bearer(issued.token)),
      );
      expect(status).toBe(400);
      expect(body).toMatchObject({
        accepted: 0,
        duplicates: 0,
        rejected: [{ error: "invalid_uuid", field: "report_uuid" }],
      });
    }
    expect(await countRows("usage_reports", "tenant_id = ?1", tenant.id)).toBe(0);
  });

  it("is refused on SubmitUsageReports (16 bytes) unless random, for that report alone", async () => {
    const { tenant, issued } = await tenantWithToken(`uuid-rpc-${crypto.randomUUID()}`);
    const rpc = client(TeleportReportingService);
    const mac = async (name: string) => Uint8Array.from(atob(await digestOf(name)), (ch) => ch.charCodeAt(0));
    const report = async (uuid: string) => ({
      reportUuid: bytesOf(uuid),
      clusterName: await mac("cluster-a"),
      reporterHostid: await mac("auth-1"),
      startTime: timestampFromMs(START),
      records: [{ userName: await mac("alice"), logins: 1n }],
    });
    await fc.assert(
      fc.asyncProperty(notRandom, async (uuid) => {
        const headers = new Headers();
        await rpc.submitUsageReports(
          { userActivity: [await report(crypto.randomUUID()), await report(uuid)] },
          { headers: bearer(issued.token), onHeader: (h) => h.forEach((v, k) => void headers.set(k, v)) },
        );
        expect([headers.get("edgehog-accepted"), headers.get("edgehog-rejected")]).toEqual(["1", "1"]);
        const alone = await rejection(
          rpc.submitUsageReports({ userActivity: [await report(uuid)] }, { headers: bearer(issued.token) }),
        );
        expect(alone.code).toBe(Code.InvalidArgument);
        expect(alone.rawMessage).toMatch(/^invalid_uuid \(report_uuid\): report_uuid must be a random UUID/);
      }),
      { seed: 4243, numRuns: 15 },
    );
    expect(await countRows("usage_reports", "tenant_id = ?1", tenant.id)).toBe(15);
    // A uuid of another length than 16 bytes is refused the same way.
    const short = { ...(await report(crypto.randomUUID())), reportUuid: new Uint8Array(15) };
    const refused = await rejection(
      rpc.submitUsageReports({ userActivity: [short] }, { headers: bearer(issued.token) }),
    );
    expect(refused.rawMessage).toMatch(/^invalid_uuid \(report_uuid\): /);
  });
});
