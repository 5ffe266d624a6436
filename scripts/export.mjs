#!/usr/bin/env node
// `npm run export -- --day YYYY-MM-DD [--app <app>] [--out <file>] [--list] [--forgotten] [--url <collector>]`:
// the raw events the collector received on a day (UTC), as NDJSON, from its R2 archive through
// the operator API (GET /v1/admin/archive/events, hour by hour): forgotten installs left out,
// each uuid once per hour. `--list` shows the day's objects instead; `--forgotten` writes the
// tombstones (NDJSON) that readers of the bucket itself must leave out (docs/SCALING.md).
import { createWriteStream } from "node:fs";
import { parseArgs } from "node:util";
import { adminTokenFor, operatorApi } from "./tenant.mjs";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? "8787"}` },
    day: { type: "string" },
    app: { type: "string" },
    out: { type: "string" },
    list: { type: "boolean", default: false },
    forgotten: { type: "boolean", default: false },
  },
});

async function download(path, token, out) {
  const res = await fetch(new URL(`/v1/admin${path}`, values.url), { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    if (!out.write(chunk)) await new Promise((resolve) => out.once("drain", resolve));
  }
  return bytes;
}

try {
  const token = adminTokenFor(values.url);
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  if (values.forgotten) {
    await download("/archive/forgotten", token, out);
  } else {
    if (!values.day || !/^\d{4}-\d{2}-\d{2}$/.test(values.day)) throw new Error("--day YYYY-MM-DD is required");
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
} catch (err) {
  console.error(err.message);
  process.exitCode = 1;
}
