import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { objectKey } from "../../src/archive/objects";
import { purgeTombstones } from "../../src/forget/purge";
import { archiveReachedFrom, tombstoneLifetimeMs } from "../../src/forget/tombstones";
import { DAY_MS, HOUR_MS, utcDay } from "../../src/lib/time";
import { forget, runHourlyCron } from "../helpers/harness";
import { batchMessage, deliver, emptyArchive, storedEvent } from "../helpers/queue";

/**
 * Tombstones are kept only while they can matter (src/forget/tombstones.ts): until no event
 * sent before the forget can reach the consumer or the forwarder, while a message parked
 * before then is still parked, while the archive rewrite is pending, and, for an install the
 * collector held rows of, while the archive holds objects older than the rewrite could reach.
 */

interface Tombstone {
  forgotten_at: number;
  expires_at: number | null;
  archive_held_before: string | null;
}

const tombstoneOf = (distinctId: string) =>
  env.DB.prepare("SELECT forgotten_at, expires_at, archive_held_before FROM forgotten_installs WHERE distinct_id = ?1")
    .bind(distinctId)
    .first<Tombstone>();

/** An object of another install's events on an arrival day, as an old part of the archive. */
async function archiveObjectOn(day: string): Promise<string> {
  const key = objectKey("teleport-connect", day, "10", crypto.randomUUID().replaceAll("-", ""));
  await env.ARCHIVE.put(key, "");
  return key;
}

beforeEach(async () => {
  await env.DB.batch([env.DB.prepare("DELETE FROM parked_messages"), env.DB.prepare("DELETE FROM archive_scrubs")]);
  await emptyArchive();
});

describe("tombstones", () => {
  it("of an id never seen last the acceptance window and two queues' retries (38 days), then go", async () => {
    const id = crypto.randomUUID();
    expect((await forget(id, { bindings: {} })).status).toBe(200);
    const tombstone = await tombstoneOf(id);
    expect(tombstoneLifetimeMs(env)).toBe(38 * DAY_MS);
    expect(tombstone?.expires_at).toBe((tombstone?.forgotten_at ?? 0) + 38 * DAY_MS);
    expect(tombstone?.archive_held_before).toBeNull();
    const expiresAt = tombstone?.expires_at ?? 0;
    await runHourlyCron(expiresAt - HOUR_MS);
    expect(await tombstoneOf(id)).not.toBeNull();
    await runHourlyCron(expiresAt + HOUR_MS);
    expect(await tombstoneOf(id)).toBeNull();
  });

  it("are extended by a repeated forget: events sent up to then are stopped for another lifetime", async () => {
    const id = crypto.randomUUID();
    await forget(id, { bindings: {} });
    const first = await tombstoneOf(id);
    await env.DB.prepare("UPDATE forgotten_installs SET expires_at = expires_at - ?2 WHERE distinct_id = ?1")
      .bind(id, 10 * DAY_MS)
      .run();
    await forget(id, { bindings: {} });
    const second = await tombstoneOf(id);
    expect(second?.forgotten_at).toBe(first?.forgotten_at);
    expect(second?.expires_at ?? 0).toBeGreaterThanOrEqual(first?.expires_at ?? Number.POSITIVE_INFINITY);
  });

  it("of an install the collector held rows of stay while the archive holds objects older than the rewrite reached", async () => {
    const id = crypto.randomUUID();
    const now = Date.now();
    await deliver([
      batchMessage([storedEvent({ distinct_id: id, timestamp: now - 2 * DAY_MS })], { received_at: now - 2 * DAY_MS }),
    ]);
    expect((await forget(id, { bindings: {} })).status).toBe(200);
    const tombstone = await tombstoneOf(id);
    const heldBefore = archiveReachedFrom(env, tombstone?.forgotten_at ?? 0);
    expect(tombstone?.archive_held_before).toBe(heldBefore);
    expect(heldBefore).toBe(utcDay((tombstone?.forgotten_at ?? 0) - 15 * DAY_MS)); // 45 exact days − 30

    const old = await archiveObjectOn(utcDay(Date.parse(`${heldBefore}T00:00:00Z`) - DAY_MS));
    const afterExpiry = (tombstone?.expires_at ?? 0) + HOUR_MS;
    await runHourlyCron(afterExpiry);
    expect(await tombstoneOf(id)).not.toBeNull(); // exports still filter that object's lines by it
    await env.ARCHIVE.delete(old); // the bucket's lifecycle rule
    await archiveObjectOn(heldBefore);
    await runHourlyCron(afterExpiry);
    expect(await tombstoneOf(id)).toBeNull();
  });

  it("stay while a rewrite is pending, or a message parked before they expired is still parked", async () => {
    const id = crypto.randomUUID();
    await forget(id, { bindings: {} });
    const tombstone = (await tombstoneOf(id)) as Tombstone;
    const afterExpiry = (tombstone.expires_at ?? 0) + HOUR_MS;

    await env.DB.prepare(
      "INSERT INTO archive_scrubs (app, day, distinct_id, requested_at) VALUES ('teleport-connect', '2026-11-01', ?1, ?2)",
    )
      .bind(crypto.randomUUID(), tombstone.forgotten_at)
      .run();
    expect(await purgeTombstones(env, afterExpiry)).toBe(0);
    await env.DB.prepare("DELETE FROM archive_scrubs").run();

    await env.DB.prepare(
      "INSERT INTO parked_messages (id, queue, body, attempts, parked_at) VALUES ('parked-1', 'edgehog-forward', '{}', 101, ?1)",
    )
      .bind((tombstone.expires_at ?? 0) - DAY_MS)
      .run();
    expect(await purgeTombstones(env, afterExpiry)).toBe(0);
    // A message parked only after the tombstone expired cannot hold an event it must stop.
    await env.DB.prepare("UPDATE parked_messages SET parked_at = ?1")
      .bind(afterExpiry - 1)
      .run();
    expect(await purgeTombstones(env, afterExpiry)).toBe(1);
    expect(await tombstoneOf(id)).toBeNull();
  });

  it("from before they had an expiry expire a lifetime after their forget, held by the archive from their day", async () => {
    const id = crypto.randomUUID();
    const forgottenAt = Date.parse("2026-10-01T12:00:00Z");
    await env.DB.prepare(
      "INSERT INTO forgotten_installs (distinct_id, forgotten_at, archive_held_before) VALUES (?1, ?2, '2026-10-01')",
    )
      .bind(id, forgottenAt)
      .run();
    const afterExpiry = forgottenAt + tombstoneLifetimeMs(env) + HOUR_MS;
    await archiveObjectOn("2026-09-30");
    expect(await purgeTombstones(env, afterExpiry - 2 * HOUR_MS)).toBe(0);
    expect(await purgeTombstones(env, afterExpiry)).toBe(0);
    await emptyArchive();
    expect(await purgeTombstones(env, afterExpiry)).toBe(1);
  });
});
