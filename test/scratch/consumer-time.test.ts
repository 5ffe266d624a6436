import { env } from "cloudflare:workers";
import { it } from "vitest";
import { planDelivery } from "../../src/aggregate/plan";
import { shardStatements } from "../../src/aggregate/statements";
import type { BatchMessage, StoredEvent } from "../../src/ingest/queue-message";
import { toBase64, toHex } from "../../src/lib/bytes";
import { DAY_MS, SECOND_MS } from "../../src/lib/time";
function generator(seed: number) {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff);
  const uuid = () => {
    const b = bytes(16);
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    const hex = toHex(b);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return { next, uuid, digest: () => toBase64(bytes(32)), below: (n: number) => next() % n };
}
const INSTALLS = 50_000;
const PER_MESSAGE = 100;
const STREAM_START = Date.parse("2026-11-20T08:00:00Z");
const DELIVERY_SPAN_MS = 10 * SECOND_MS;

const installIds = (() => {
  const random = generator(7);
  return Array.from({ length: INSTALLS }, () => random.uuid());
})();
const clusters = (() => {
  const random = generator(11);
  return Array.from({ length: 40 }, () => random.digest());
})();

function delivery(round: number, events: number): BatchMessage[] {
  const random = generator(1_000_003 + round);
  const arrivedFrom = STREAM_START + round * DELIVERY_SPAN_MS;
  const messages: BatchMessage[] = [];
  for (let m = 0; m * PER_MESSAGE < events; m++) {
    const receivedAt = arrivedFrom + Math.floor((m * PER_MESSAGE * DELIVERY_SPAN_MS) / events);
    const install = installIds[random.below(INSTALLS)] as string;
    const late = random.below(50) === 0;
    const list: StoredEvent[] = [];
    for (let i = 0; i < PER_MESSAGE && m * PER_MESSAGE + i < events; i++) {
      const timestamp = receivedAt - (late ? random.below(30 * DAY_MS) : random.below(60 * SECOND_MS));
      const version = ["17.0.1", "17.0.2", "16.4.7", "17.1.0-rc.1"][random.below(4)] as string;
      const os = ["darwin", "linux", "win32"][random.below(3)] as string;
      list.push({
        uuid: random.uuid(),
        event: ["connect.protocol.use", "connect.cluster.login", "connect.fileTransfer.run"][random.below(3)] as string,
        distinct_id: install,
        timestamp,
        client_timestamp: timestamp,
        app_version: version,
        os,
        properties: {
          cluster_name: clusters[random.below(clusters.length)] as string,
          user_name: random.digest(),
          protocol: "ssh",
          app_version: version,
          os,
        },
      });
    }
    messages.push({
      v: 1,
      batch_id: `bench-${round}-${m}`,
      app: "teleport-connect",
      received_at: receivedAt,
      country: "DE",
      tenant_id: null,
      events: list,
      rejections: {},
      dropped_properties: {},
    });
  }
  return messages;
}

async function time<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t = Date.now();
  const r = await f();
  console.log(label.padEnd(28), Date.now() - t, "ms");
  return r;
}

it("consumer statements", async () => {
  const db = env.DB;
  await db.prepare(`WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 200000 - 1)
       INSERT OR IGNORE INTO event_uuids (at, uuid) SELECT ?1 + n * 108 / 1000, randomblob(16) FROM i`).bind((STREAM_START - 6 * 3_600_000) / 1000).run();
  for (let round = 0; round < 4; round++) {
    const messages = delivery(round, 10_000);
    const plan = planDelivery(messages, { shardCount: 1, shardOf: () => 0, windowMs: 30 * DAY_MS, keepRaw: false });
    const statements = shardStatements(db, plan.shards[0]!, plan.counters, Date.now());
    console.log(`round ${round}: ${plan.shards[0]!.installDays.length} install days, ${plan.shards[0]!.groups.length} groups, ${statements.length} statements`);
    const names = ["versions", "counts", "uuids", "installs", "forgotten"];
    for (const [i, st] of statements.entries()) await time(names[i] ?? String(i), () => st.run());
    await time("batch again (all dup)", () => db.batch(statements));
  }
});

it("variants", async () => {
  const db = env.DB;
  const FORG = `SELECT i.key FROM json_each(?3) AS i WHERE EXISTS (SELECT 1 FROM forgotten_installs WHERE distinct_id = i.value)`;
  const variants: Record<string, string> = {
    base: `SELECT r.value->>2 AS grp, count(*) FROM json_each(?1) AS r WHERE NOT EXISTS (SELECT 1 FROM event_uuids WHERE at = r.value->>1 AND uuid = unhex(r.value->>0, '-')) AND NOT EXISTS (SELECT 1 FROM events WHERE uuid = r.value->>0) AND r.value->>3 NOT IN (${FORG}) GROUP BY grp`,
    nolegacy: `SELECT r.value->>2 AS grp, count(*) FROM json_each(?1) AS r WHERE NOT EXISTS (SELECT 1 FROM event_uuids WHERE at = r.value->>1 AND uuid = unhex(r.value->>0, '-')) AND r.value->>3 NOT IN (${FORG}) GROUP BY grp`,
    jsonb: `SELECT r.value->>2 AS grp, count(*) FROM json_each(jsonb(?1)) AS r WHERE NOT EXISTS (SELECT 1 FROM event_uuids WHERE at = r.value->>1 AND uuid = unhex(r.value->>0, '-')) AND NOT EXISTS (SELECT 1 FROM events WHERE uuid = r.value->>0) AND r.value->>3 NOT IN (${FORG}) GROUP BY grp`,
    onlyjson: `SELECT r.value->>2 AS grp, count(*) FROM json_each(?1) AS r GROUP BY grp`,
    onlyjsonb: `SELECT r.value->>2 AS grp, count(*) FROM json_each(jsonb(?1)) AS r GROUP BY grp`,
    extract4: `SELECT count(r.value->>0), count(r.value->>1), count(r.value->>2), count(r.value->>3) FROM json_each(?1) AS r`,
    extract4b: `SELECT count(r.value->>0), count(r.value->>1), count(r.value->>2), count(r.value->>3) FROM json_each(jsonb(?1)) AS r`,
    lookup: `SELECT count(*) FROM json_each(?1) AS r WHERE NOT EXISTS (SELECT 1 FROM event_uuids WHERE at = r.value->>1 AND uuid = unhex(r.value->>0, '-'))`,
  };
  for (let round = 10; round < 13; round++) {
    const messages = delivery(round, 10_000);
    const plan = planDelivery(messages, { shardCount: 1, shardOf: () => 0, windowMs: 30 * DAY_MS, keepRaw: false });
    const rows = `[${plan.shards[0]!.events.join(",")}]`;
    const installs = JSON.stringify(plan.shards[0]!.installs);
    for (const [name, sql] of Object.entries(variants)) await time(name, () => (sql.includes("?3") ? db.prepare(sql).bind(rows, null, installs) : db.prepare(sql).bind(rows)).all());
  }
});

it("js costs", async () => {
  const { archiveDelivery } = await import("../../src/archive/writer");
  const { gzipLines } = await import("../../src/archive/objects");
  for (let round = 20; round < 24; round++) {
    const messages = delivery(round, 10_000);
    await scheduler.wait(1);
    let t = Date.now();
    const plan = planDelivery(messages, { shardCount: 1, shardOf: () => 0, windowMs: 30 * DAY_MS, keepRaw: false });
    await scheduler.wait(1);
    const planMs = Date.now() - t - 1;
    t = Date.now();
    const lines = plan.events.map(({ message, event }) => JSON.stringify({ uuid: event.uuid, app: message.app, event: event.event, distinct_id: event.distinct_id, timestamp: new Date(event.timestamp).toISOString(), received_at: "x", app_version: event.app_version, os: event.os, country: message.country, tenant_id: null, properties: event.properties }));
    await scheduler.wait(1);
    const linesMs = Date.now() - t - 1;
    t = Date.now();
    const gz = await gzipLines(lines);
    const gzipMs = Date.now() - t;
    t = Date.now();
    await archiveDelivery(env.ARCHIVE, messages, plan.events, new Set());
    const archiveMs = Date.now() - t;
    console.log(`plan ${planMs} ms, lines ${linesMs} ms, gzip ${gzipMs} ms (${lines.join("\n").length} → ${gz.byteLength}), archiveDelivery ${archiveMs} ms`);
  }
});

it("thread", async () => {
  const db = env.DB;
  for (let round = 30; round < 34; round++) {
    const messages = delivery(round, 10_000);
    const plan = planDelivery(messages, { shardCount: 1, shardOf: () => 0, windowMs: 30 * DAY_MS, keepRaw: false });
    const statements = shardStatements(db, plan.shards[0]!, plan.counters, Date.now());
    let t = Date.now();
    await db.batch(statements);
    const alone = Date.now() - t;
    const messages2 = delivery(round + 100, 10_000);
    const plan2 = planDelivery(messages2, { shardCount: 1, shardOf: () => 0, windowMs: 30 * DAY_MS, keepRaw: false });
    const statements2 = shardStatements(db, plan2.shards[0]!, plan2.counters, Date.now());
    t = Date.now();
    const p = db.batch(statements2);
    await scheduler.wait(0);
    let x = 0;
    const until = performance.now();
    for (let i = 0; i < 3e7; i++) x += i % 7;
    await p;
    const both = Date.now() - t;
    await scheduler.wait(1);
    t = Date.now();
    for (let i = 0; i < 3e7; i++) x += i % 7;
    await scheduler.wait(1);
    const busy = Date.now() - t - 1;
    console.log(`d1 alone ${alone}, busy alone ${busy}, both ${both} (${x > 0})`);
  }
});

it("sorted", async () => {
  const db = env.DB;
  const INS = "INSERT OR IGNORE INTO event_uuids (at, uuid) SELECT r.value->>1, unhex(r.value->>0, '-') FROM json_each(?1) AS r";
  for (let round = 40; round < 46; round++) {
    const messages = delivery(round, 10_000);
    const plan = planDelivery(messages, { shardCount: 1, shardOf: () => 0, windowMs: 30 * DAY_MS, keepRaw: false });
    const rows = plan.shards[0]!.events.slice();
    const sorted = round % 2 === 0;
    if (sorted) rows.sort((a, b) => { const x = a.slice(39, 51), y = b.slice(39, 51); return x < y ? -1 : x > y ? 1 : a < b ? -1 : 1; });
    const t = Date.now();
    await db.prepare(INS).bind(`[${rows.join(",")}]`).run();
    console.log(sorted ? "sorted" : "unsorted", Date.now() - t, rows[0]);
  }
});

it("ab sort", async () => {
  const db = env.DB;
  const totals = { sorted: 0, unsorted: 0 };
  for (let round = 50; round < 70; round++) {
    const messages = delivery(round, 10_000);
    const plan = planDelivery(messages, { shardCount: 1, shardOf: () => 0, windowMs: 30 * DAY_MS, keepRaw: false });
    const shard = plan.shards[0]!;
    const sorted = round % 2 === 0;
    if (!sorted) shard.events = shard.events.slice().sort(() => Math.random() - 0.5);
    const t = Date.now();
    await db.batch(shardStatements(db, shard, plan.counters, Date.now()));
    totals[sorted ? "sorted" : "unsorted"] += Date.now() - t;
  }
  console.log(JSON.stringify(totals));
});
