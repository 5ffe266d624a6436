#!/usr/bin/env node
// `npm run export -- --day YYYY-MM-DD [--app <app>] [--out <file>] [--list] [--parquet] [--forgotten] [--url <collector>]`:
// the raw events the collector received on a day (UTC), as NDJSON, from its R2 archive through
// the operator API (GET /v1/admin/archive/events, hour by hour): forgotten installs left out,
// each uuid once per hour. `--parquet --out <dir>` copies the day's objects instead, as Parquet
// without forgotten installs, into the archive's Hive-style tree under <dir>, for DuckDB,
// ClickHouse or Spark (GET /v1/admin/archive/object). `--list` shows the day's objects;
// `--forgotten` writes the tombstones (NDJSON) that readers of the bucket itself must leave out
// (docs/SCALING.md).
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseCommandLine, runScript, UsageError } from "./lib/cli.mjs";
import { adminTokenFor, LOCAL_URL, OperatorApiError, operatorApi } from "./lib/operator-api.mjs";

const HELP = `usage: npm run export -- --day YYYY-MM-DD [--app <app>] [--out <file>] [--list] [--url <collector>]
       npm run export -- --day YYYY-MM-DD [--app <app>] --parquet --out <dir> [--url <collector>]
       npm run export -- --forgotten [--out <file>] [--url <collector>]
  --day YYYY-MM-DD  the UTC day of arrival whose raw events to write (NDJSON, forgotten installs left out)
  --app <app>       only this app's events
  --out <file>      write to a file instead of stdout
  --parquet         copy the day's objects as Parquet (forgotten installs left out) into <dir>/events/app=…/day=…/hour=…/
  --list            list the day's archive objects instead
  --forgotten       write the tombstones (NDJSON) that readers of the bucket itself must leave out
  --url <collector> default ${LOCAL_URL} (npm start); the operator token comes from
                    EDGEHOG_ADMIN_TOKEN or ADMIN_TOKEN (locally: ADMIN_TOKEN in .dev.vars)`;

const { values } = parseCommandLine(HELP, {
  options: {
    url: { type: "string", default: LOCAL_URL },
    day: { type: "string" },
    app: { type: "string" },
    out: { type: "string" },
    list: { type: "boolean", default: false },
    parquet: { type: "boolean", default: false },
    forgotten: { type: "boolean", default: false },
  },
});

async function download(path, token, out) {
  const res = await fetch(new URL(`/v1/admin${path}`, values.url), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new OperatorApiError(`${path}: ${res.status} ${await res.text()}`);
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    if (!out.write(chunk)) await new Promise((resolve) => out.once("drain", resolve));
  }
  return bytes;
}

await runScript(HELP, async () => {
  if (!values.forgotten && !/^\d{4}-\d{2}-\d{2}$/.test(values.day ?? "")) {
    throw new UsageError("--day YYYY-MM-DD is required");
  }
  if (values.parquet && !values.out) throw new UsageError("--parquet needs --out <dir>");
  const token = adminTokenFor(values.url);
  if (values.parquet) {
    const app = values.app ? `&app=${encodeURIComponent(values.app)}` : "";
    const { objects } = await operatorApi(values.url, token)("GET", `/archive/objects?day=${values.day}${app}`);
    let events = 0;
    for (const object of objects) {
      const res = await fetch(new URL(`/v1/admin/archive/object?key=${encodeURIComponent(object.key)}`, values.url), {
        headers: { authorization: `Bearer ${token}` },
      });
      if (!res.ok) throw new OperatorApiError(`${object.key}: ${res.status} ${await res.text()}`);
      const path = join(values.out, object.key.replace(/\.ndjson\.gz$/, ".parquet"));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, Buffer.from(await res.arrayBuffer()));
      events += Number(res.headers.get("x-edgehog-events") ?? 0);
    }
    console.error(`wrote ${objects.length} Parquet objects (${events} events) under ${join(values.out, "events")}`);
    return;
  }
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  if (values.forgotten) {
    await download("/archive/forgotten", token, out);
  } else {
    const app = values.app ? `&app=${encodeURIComponent(values.app)}` : "";
    const { objects, events, bytes } = await operatorApi(values.url, token)(
      "GET",
      `/archive/objects?day=${values.day}${app}`,
    );
    if (values.list) {
      for (const o of objects) console.log(`${o.key}  ${o.events} events  ${o.bytes} bytes  ${o.uploaded}`);
      console.log(`${objects.length} objects, ${events} events, ${bytes} bytes`);
    } else {
      // Hour by hour: each answer stays small, and uuids repeated within an hour come once.
      for (const hour of [...new Set(objects.map((o) => o.hour))].sort()) {
        await download(`/archive/events?day=${values.day}${app}&hour=${hour}`, token, out);
      }
      if (values.out) console.error(`wrote the events of ${objects.length} objects to ${values.out}`);
    }
  }
  if (values.out) out.end();
});
