// Storage: N events from N / 10 installs over today so far (ten events per install and day, in
// one batch, two event kinds, the realistic properties) sent through POST /v1/events; once the
// aggregates count them all, the collector is stopped and its local D1 file is sized table by
// table (bench/lib/sqlite-pages.mjs, what SQLite's dbstat reports); the archive's objects are
// sized through the operator API. D1 bytes per event are over every table of the database.
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { collectorAggregated, waitUntil } from "../lib/drain.mjs";
import { sendAll } from "../lib/load.mjs";
import { ADMIN_TOKEN, collectorDef } from "../lib/servers.mjs";
import { sqliteBytesByName } from "../lib/sqlite-pages.mjs";

const SERVER = "collector-storage";
const EVENTS = { full: 100_000, quick: 20_000, smoke: 2_000 };
const PER_REQUEST = 50;
/** The target for D1 bytes per stored event. */
export const D1_BYTES_TARGET = 64;

function bodies(count) {
  const installs = Array.from({ length: Math.max(1, count / 10) }, () => randomUUID());
  const mac = (value) => createHmac("sha256", "bench").update(value).digest("base64");
  const clusters = Array.from({ length: 20 }, (_, i) => mac(`cluster-${i}`));
  // Spread over today (UTC) up to now: each install is active on one day.
  const now = Date.now();
  const dayStart = now - (now % 86_400_000);
  const step = (now - dayStart) / 600;
  const list = [];
  for (let sent = 0; sent < count; sent += PER_REQUEST) {
    const events = [];
    for (let i = sent; i < Math.min(count, sent + PER_REQUEST); i++) {
      const login = i % 2 === 1;
      events.push({
        uuid: randomUUID(),
        event: login ? "connect.cluster.login" : "connect.protocol.use",
        // An install's ten events of the day come in one batch, as a client sends them.
        distinct_id: installs[Math.floor(i / 10) % installs.length],
        timestamp: new Date(now - Math.floor((i % 600) * step)).toISOString(),
        properties: {
          cluster_name: clusters[i % clusters.length],
          user_name: randomBytes(32).toString("base64"),
          app_version: `17.0.${i % 5}`,
          os: ["darwin", "linux", "win32"][i % 3],
          os_version: "23.1.0",
          arch: "arm64",
          ...(login ? { connector_type: "saml" } : { protocol: "ssh" }),
        },
      });
    }
    list.push(JSON.stringify({ app: "teleport-connect", events }));
  }
  return list;
}

/** Bytes of the archive's objects for the days around now, through GET /v1/admin/archive/objects. */
async function archivedBytes(worker) {
  let bytes = 0;
  let objects = 0;
  for (const offset of [-1, 0, 1]) {
    const day = new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const res = await fetch(`${worker.url}/v1/admin/archive/objects?day=${day}`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    if (res.status === 404) return null; // a collector without an archive
    const body = await res.json();
    bytes += body.bytes;
    objects += body.objects.length;
  }
  return { bytes, objects };
}

function d1File(persistTo) {
  const dir = join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
  const name = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!name) throw new Error(`no D1 file under ${dir}`);
  return join(dir, name);
}

export default {
  name: "storage",
  order: 60,
  description: "D1 bytes per stored event (every table, measured on the file) and R2 bytes per archived event",
  servers: [SERVER],
  serverDefs: { [SERVER]: collectorDef() },
  async run(ctx) {
    const events = EVENTS[ctx.options.mode];
    const worker = ctx.servers[SERVER];
    const send = await sendAll({ baseUrl: worker.url, bodies: bodies(events), concurrency: 8, deadlineMs: 240_000 });
    const wait = await waitUntil(() => collectorAggregated(worker), send.accepted, { timeoutMs: 120_000, pollMs: 250 });
    const archive = await archivedBytes(worker);
    await ctx.stopServer(SERVER);
    const file = d1File(worker.persistTo);
    for (const suffix of ["-wal", "-journal"]) {
      try {
        if (statSync(file + suffix).size > 0)
          ctx.log(`storage: ${file}${suffix} is not empty: its pages are not counted`);
      } catch {
        /* none */
      }
    }
    const { bytes, pageSize } = sqliteBytesByName(file);
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    const stored = wait.value;
    const perEvent = Math.round((total / stored) * 10) / 10;
    const tables = Object.fromEntries(Object.entries(bytes).sort((a, b) => b[1] - a[1]));
    const largest = Object.entries(tables)
      .slice(0, 4)
      .map(([name, n]) => `${name} ${Math.round((n / stored) * 10) / 10}`)
      .join(", ");
    ctx.log(`storage: ${stored} events, D1 ${total} bytes (${perEvent} per event: ${largest})`);
    return {
      events: stored,
      installs: events / 10,
      lost: send.accepted - stored,
      d1_bytes: total,
      d1_bytes_per_event: perEvent,
      d1_page_size: pageSize,
      d1_tables: tables,
      r2_bytes: archive?.bytes ?? null,
      r2_objects: archive?.objects ?? null,
      r2_bytes_per_event: archive ? Math.round((archive.bytes / stored) * 10) / 10 : null,
      summary:
        `${stored.toLocaleString("en-US")} events from ${(events / 10).toLocaleString("en-US")} installs: D1 ${perEvent} bytes per event (target ≤ ${D1_BYTES_TARGET}; ${largest})` +
        (archive
          ? `, R2 ${Math.round((archive.bytes / stored) * 10) / 10} bytes per event in ${archive.objects} objects`
          : ""),
      ok: wait.reachedAt !== null && send.failures === 0,
    };
  },
};
