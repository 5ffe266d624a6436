import { describe, expect, it } from "vitest";
import { rows } from "../helpers/harness";
import { batchMessage, deliver, storedEvent } from "../helpers/queue";

/** The consumer records each active install with the version, OS and country it was first seen with that day. */

const installRows = (distinctId: string) =>
  rows(
    "SELECT day, app_version, os, country FROM daily_active_installs WHERE distinct_id = ?1 ORDER BY day",
    distinctId,
  );

describe("daily_active_installs dimensions", () => {
  it("keeps the first values seen on a day, within a delivery and across deliveries", async () => {
    const id = crypto.randomUUID();
    const day = Date.parse("2026-11-20T08:00:00Z");
    await deliver([
      batchMessage([storedEvent({ distinct_id: id, timestamp: day, app_version: "17.0.1", os: "darwin" })], {
        country: "DE",
      }),
      batchMessage([storedEvent({ distinct_id: id, timestamp: day + 1000, app_version: "17.0.2", os: "linux" })], {
        country: "FR",
      }),
    ]);
    await deliver([
      batchMessage([storedEvent({ distinct_id: id, timestamp: day + 2000, app_version: "18.0.0", os: "win32" })], {
        country: "JP",
      }),
      // The next day is another row, with that day's first values.
      batchMessage(
        [storedEvent({ distinct_id: id, timestamp: day + 86_400_000, app_version: "18.0.0", os: "win32" })],
        {
          country: null,
        },
      ),
    ]);
    expect(await installRows(id)).toEqual([
      { day: "2026-11-20", app_version: "17.0.1", os: "darwin", country: "DE" },
      { day: "2026-11-21", app_version: "18.0.0", os: "win32", country: "" },
    ]);
  });

  it("adds nothing when a delivery is replayed", async () => {
    const id = crypto.randomUUID();
    const message = batchMessage([storedEvent({ distinct_id: id, app_version: "16.0.0" })], { country: "NL" });
    await deliver([message]);
    await deliver([{ ...message, batch_id: crypto.randomUUID() }]);
    expect(await installRows(id)).toEqual([{ day: "2026-11-20", app_version: "16.0.0", os: "linux", country: "NL" }]);
  });
});
