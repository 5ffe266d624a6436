import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/http/errors";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { userActivityReport } from "../helpers/reports";

/** A D1 whose transactions always fail, as during an outage. */
const failingDb = {
  prepare: () => ({ bind: () => ({}) }),
  batch: () => Promise.reject(new Error("D1_ERROR: database unavailable")),
} as unknown as D1Database;

describe("storeReports", () => {
  it("turns a D1 failure into 503 with Retry-After, never a 2xx", async () => {
    const now = Date.now();
    const { accepted: reports } = validateReports(
      { reports: [await userActivityReport({ start: new Date(now).toISOString(), users: ["a"] })] },
      now,
      0,
    );
    const error = await storeReports(failingDb, "tn_x", reports, now).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 503, code: "storage_unavailable", headers: { "Retry-After": "5" } });
  });
});
