import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/lib/bytes";
import { installId } from "../../src/privacy/ids";
import { eventsBody, randomDigest } from "../helpers/events";
import { forget, postEvents, randomIp } from "../helpers/harness";
import { recordingQueue } from "../helpers/queue";
import { failingNamespace } from "../ratelimit/helpers";

/**
 * A forget is judged like an event of its install: its id must be one an event could have been
 * stored under (a random UUID of version 4 or 7, or a random-looking digest), and it is charged
 * like one event of the install plus one forget of the client's and of the app's small
 * allowances, so a tombstone is neither a place to store an identifier nor free.
 */

const tombstones = async (id: string) =>
  (
    await env.DB.prepare("SELECT COUNT(*) AS n FROM forgotten_installs WHERE distinct_id = ?1")
      .bind(id)
      .first<{ n: number }>()
  )?.n ?? 0;

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-fA-F]{${n}}$`));
/** Strings shaped like UUIDs of any version and variant, in any case, low-entropy ones among them. */
const uuidShaped = fc
  .tuple(
    hex(8),
    hex(4),
    fc.constantFrom(..."0123456789abcdefF"),
    hex(3),
    fc.constantFrom(..."0123456789abcdefB"),
    hex(3),
    hex(12),
  )
  .map(([a, b, version, c, variant, d, e]) => `${a}-${b}-${version}${c}-${variant}${d}-${e}`);
const candidates = fc.oneof(
  uuidShaped,
  fc.constant("00000000-0000-0000-0000-000000000000"),
  fc.constant("ffffffff-ffff-ffff-ffff-ffffffffffff"),
  fc.constant("00000000-0000-4000-8000-000000000000"),
  fc.constant(crypto.randomUUID().toUpperCase()),
  fc.constant(randomDigest()),
  // Base64 of 32 bytes of text: a digest's shape, not its randomness.
  fc.constant(toBase64(new TextEncoder().encode("alice@example.com".padEnd(32, " ")))),
  fc.constant("alice@example.com"),
  fc.constant("616c696365406578616d706c652e636f6d"),
  fc.string({ maxLength: 40 }),
);

describe("POST /v1/forget judges the id like an event's", () => {
  it("answers 400 invalid_distinct_id, storing nothing, for every id an event could not carry; forgets the rest", async () => {
    await fc.assert(
      fc.asyncProperty(candidates, async (id) => {
        const res = await forget(id, { bindings: {} });
        const canonical = installId(id);
        if (canonical === undefined) {
          expect(res.status).toBe(400);
          expect(await res.json()).toMatchObject({ error: "invalid_distinct_id", message: expect.any(String) });
          expect(await tombstones(id)).toBe(0);
        } else {
          expect(res.status).toBe(200);
          expect(await res.json()).toMatchObject({ distinct_id: canonical });
          expect(await tombstones(canonical)).toBe(1);
        }
      }),
      { seed: 2026, numRuns: 40 },
    );
  });

  it("charges a client five forgets, then about one every five minutes", async () => {
    const ip = randomIp();
    for (let i = 0; i < 5; i++) expect((await forget(crypto.randomUUID(), { ip, bindings: {} })).status).toBe(200);
    const id = crypto.randomUUID();
    const refused = await forget(id, { ip, bindings: {} });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(200);
    expect(await refused.json()).toMatchObject({ error: "rate_limited", limit: "client_forgets" });
    expect(await tombstones(id)).toBe(0);
  });

  it("refuses forgets while the limiter is down (a forget is sent again later; events are not refused)", async () => {
    const down = { RATE_LIMITER: failingNamespace(() => Promise.reject(new Error("object exploded"))) };
    const id = crypto.randomUUID();
    const res = await forget(id, { bindings: down });
    expect(res.status).toBe(429);
    expect(await tombstones(id)).toBe(0);
    const events = await postEvents(
      eventsBody(crypto.randomUUID(), 2),
      {},
      {
        ip: randomIp(),
        bindings: { ...down, EVENTS_QUEUE: recordingQueue().queue },
      },
    );
    expect(events.status).toBe(202);
  });

  // Last: it spends the app's forget allowance for the rest of this file.
  it("bounds an app's forgets whatever the addresses they come from", async () => {
    const refusedIds: string[] = [];
    let admitted = 0;
    for (let i = 0; i < 130 && refusedIds.length < 5; i++) {
      const id = crypto.randomUUID();
      const res = await forget(id, { bindings: {} });
      if (res.status === 200) admitted++;
      else {
        expect(res.status).toBe(429);
        expect(await res.json()).toMatchObject({ limit: "app_forgets" });
        refusedIds.push(id);
      }
    }
    expect(refusedIds).toHaveLength(5);
    expect(admitted).toBeLessThanOrEqual(100);
    for (const id of refusedIds) expect(await tombstones(id)).toBe(0);
  });
});
