import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * "Existing engines query the archive directly": events sent to the collector under wrangler
 * dev, a client's resend among them and an install forgotten after its events were archived;
 * `npm run export -- --parquet` copies the day's objects (Parquet, Hive-style partitions) and
 * DuckDB reads them with the query docs/SCALING.md shows, getting exactly the stored events:
 * each once, field for field, the forgotten install's none.
 */

const APP = "teleport-connect";
const digest = () => randomBytes(32).toString("base64");

/** The query docs/SCALING.md shows for the export (DuckDB over a local copy instead of r2://). */
const duckdbQuery = (root: string) => `
SELECT uuid, app, event, distinct_id, "timestamp", app_version, os, country, properties::VARCHAR AS properties
FROM read_parquet('${root}/events/app=*/day=*/hour=*/*.parquet', hive_partitioning = true)
QUALIFY row_number() OVER (PARTITION BY uuid ORDER BY received_at) = 1
ORDER BY uuid`;

describe("the archive, read by DuckDB", () => {
  let collector: RunningCollector;
  const out = mkdtempSync(join(tmpdir(), "edgehog-duckdb-"));
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it("reads the exported Parquet objects and gets exactly the stored events", async () => {
    const now = Date.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const installs = Array.from({ length: 4 }, () => randomUUID());
    const forgotten = installs[3] as string;
    const versions = ["17.0.1", "16.4.7", "17.1.0-rc.1", "17.0.2"];
    // Four installs, two batches each, as clients send them.
    const batches = installs.flatMap((install, i) =>
      [0, 1].map((b) =>
        Array.from({ length: 25 }, (_, k) => ({
          uuid: randomUUID(),
          event: k % 5 === 0 ? "connect.cluster.login" : "connect.protocol.use",
          distinct_id: install,
          timestamp: new Date(Math.min(now, Date.now()) - (60 - b * 25 - k) * 1000).toISOString(),
          properties:
            k % 5 === 0
              ? {
                  cluster_name: digest(),
                  user_name: digest(),
                  connector_type: "saml",
                  app_version: versions[i],
                  os: "linux",
                }
              : {
                  cluster_name: digest(),
                  user_name: digest(),
                  protocol: "ssh",
                  app_version: versions[i],
                  os: "darwin",
                },
        })),
      ),
    );
    const post = async (events: unknown[]) => {
      const res = await fetch(`${collector.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ app: APP, events }),
      });
      expect(res.status).toBe(202);
    };
    for (const batch of batches) await post(batch);
    // A client's resend, re-batched: the archive holds these events twice, the aggregates once.
    await post([...(batches[0] ?? []).slice(10), ...(batches[1] ?? []).slice(0, 5)]);
    const sent = batches.flat();
    const admin = { authorization: `Bearer ${collector.adminToken}` };
    const counted = async () => {
      const res = await fetch(`${collector.url}/v1/stats/events?app=${APP}&from=${day}&to=${day}`, { headers: admin });
      const stats = (await res.json()) as { days: { events: Record<string, number> }[] };
      return Object.values(stats.days[0]?.events ?? {}).reduce((a, b) => a + b, 0);
    };
    const deadline = Date.now() + 30_000;
    while ((await counted()) < sent.length) {
      if (Date.now() > deadline) throw new Error("the queue did not drain in 30 s");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await counted()).toBe(sent.length);
    // Forgotten after its events were archived: the objects still hold them until the hourly rewrite.
    const forget = await fetch(`${collector.url}/v1/forget`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ app: APP, distinct_id: forgotten }),
    });
    expect(forget.status).toBe(200);

    await promisify(execFile)(
      process.execPath,
      ["scripts/export.mjs", "--day", day, "--parquet", "--out", out, "--url", collector.url],
      { env: { ...process.env, EDGEHOG_ADMIN_TOKEN: collector.adminToken } },
    );

    const connection = await (await DuckDBInstance.create(":memory:")).connect();
    const rows = (await connection.runAndReadAll(duckdbQuery(out))).getRowObjectsJson();
    const expected = sent
      .filter((event) => event.distinct_id !== forgotten)
      .map((event) => ({
        uuid: event.uuid,
        app: APP,
        event: event.event,
        distinct_id: event.distinct_id,
        timestamp: event.timestamp,
        app_version: event.properties.app_version,
        os: event.properties.os,
        properties: event.properties,
      }))
      .sort((a, b) => a.uuid.localeCompare(b.uuid));
    expect(rows).toHaveLength(expected.length);
    expect(
      rows.map((row) => ({
        uuid: row.uuid,
        app: row.app,
        event: row.event,
        distinct_id: row.distinct_id,
        timestamp: new Date(String(row.timestamp)).toISOString(),
        app_version: row.app_version,
        os: row.os,
        properties: JSON.parse(String(row.properties)),
      })),
    ).toEqual(expected);
    // What DuckDB counts is what the collector counted, per event, the forgotten install's aside.
    const byEvent = (
      await connection.runAndReadAll(
        `SELECT event, count(*) AS n FROM (${duckdbQuery(out)}) GROUP BY event ORDER BY event`,
      )
    ).getRowObjectsJson();
    expect(byEvent).toEqual([
      { event: "connect.cluster.login", n: "30" },
      { event: "connect.protocol.use", n: "120" },
    ]);
  });
});
