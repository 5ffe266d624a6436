#!/usr/bin/env node
// `npm run doctor -- --url https://<collector>`: the check after a deploy, against the running
// collector. One ✓ or ✗ line per check, exit 1 on any ✗:
//   - GET /healthz answers;
//   - the operator API accepts the token (--token, else ADMIN_TOKEN or EDGEHOG_ADMIN_TOKEN);
//   - GET /v1/admin/doctor: every event database reachable and migrated as far as the Worker
//     was built for, the Queues and R2 bound, every rate-limiter object answering, the secrets
//     present and strong enough (src/doctor/checks.ts);
//   - a real event sent to POST /v1/events is stored and counted: GET /v1/admin/doctor/events/…
//     until its uuid is in the dedupe index, which the consumer fills with the counts.
import { randomBytes, randomUUID } from "node:crypto";
import { parseCommandLine, runScript, wholeNumber } from "./lib/cli.mjs";
import { adminTokenFor, LOCAL_URL } from "./lib/operator-api.mjs";

const HELP = `usage: npm run doctor -- --url https://<collector> [--token <operator token>] [--wait <seconds>] [--skip-event]
  Checks a running collector, one ✓ or ✗ line each, and exits 1 on any ✗: /healthz answers, the
  operator API accepts the token, D1 is reachable and migrated, the Queues and R2 are bound, the
  rate limiter's Durable Objects answer, the secrets are set and strong enough, and a test event
  sent to POST /v1/events is counted.
  --url <collector>  default ${LOCAL_URL} (npm start)
  --token <token>    the operator token; default ADMIN_TOKEN or EDGEHOG_ADMIN_TOKEN from the
                     environment (locally: ADMIN_TOKEN in .dev.vars)
  --wait <seconds>   how long the test event may take to be counted (default 60)
  --skip-event       send no test event
The test event is real: one "connect.protocol.use" of teleport-connect from a new random
install, with app_version 0.0.0; it counts in that day's figures like any other.`;

const { values } = parseCommandLine(HELP, {
  options: {
    url: { type: "string", default: LOCAL_URL },
    token: { type: "string" },
    wait: { type: "string" },
    "skip-event": { type: "boolean", default: false },
  },
});

/** The test event: a catalogue event whose every id and digest is random. */
const PROBE = { app: "teleport-connect", event: "connect.protocol.use", appVersion: "0.0.0" };

let failures = 0;
const pass = (line) => console.log(`✓ ${line}`);
const fail = (line) => {
  failures++;
  console.log(`✗ ${line}`);
};

/** A version 7 UUID: the milliseconds now, then random bits (the collector keys its dedupe index by that time). */
function uuidv7(now = Date.now()) {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

async function request(path, init = {}) {
  const res = await fetch(new URL(path, values.url), { ...init, signal: AbortSignal.timeout(15_000) });
  const body = await res.json().catch(() => ({}));
  return { status: res.status, body };
}

const said = ({ status, body }) =>
  `${status}${body.error ? ` ${body.error}` : ""}${body.message ? `: ${body.message}` : ""}`;

async function main() {
  const waitSeconds = wholeNumber(values, "wait", { max: 3600, fallback: 60 });
  console.log(`edgehog doctor: ${values.url}`);
  try {
    const health = await request("/healthz");
    if (health.status !== 200 || health.body.ok !== true) return fail(`GET /healthz answers ${said(health)}`);
    pass("GET /healthz answers");
  } catch (err) {
    return fail(`GET /healthz: cannot reach the collector (${err.cause?.code ?? err.message})`);
  }

  let token;
  try {
    token = adminTokenFor(values.url, values.token);
  } catch (err) {
    return fail(`${err.message} (or pass --token)`);
  }
  const operator = { authorization: `Bearer ${token}` };
  const doctor = await request("/v1/admin/doctor", { headers: operator });
  if (!Array.isArray(doctor.body.checks)) return fail(`the operator API refuses: ${said(doctor)}`);
  pass("the operator API accepts the token");
  for (const { check, ok, detail } of doctor.body.checks) (ok ? pass : fail)(`${check}: ${detail}`);

  if (values["skip-event"]) return;
  const event = {
    uuid: uuidv7(),
    event: PROBE.event,
    distinct_id: randomUUID(),
    timestamp: new Date().toISOString(),
    properties: {
      cluster_name: randomBytes(32).toString("base64"),
      user_name: randomBytes(32).toString("base64"),
      protocol: "ssh",
      app_version: PROBE.appVersion,
    },
  };
  const sent = await request("/v1/events", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ app: PROBE.app, sent_at: new Date().toISOString(), events: [event] }),
  });
  if (sent.status !== 202 || sent.body.accepted !== 1) {
    return fail(
      `POST /v1/events did not accept the test event: ${said(sent)} ${JSON.stringify(sent.body.rejected ?? [])}`,
    );
  }
  pass(`POST /v1/events accepted a test event (${event.uuid})`);

  const started = Date.now();
  const path = `/v1/admin/doctor/events/${event.uuid}?distinct_id=${event.distinct_id}`;
  for (;;) {
    const lookup = await request(path, { headers: operator });
    if (lookup.status !== 200) return fail(`looking the test event up failed: ${said(lookup)}`);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    if (lookup.body.stored) return pass(`the test event was stored and counted after ${seconds} s`);
    if (seconds >= waitSeconds) {
      return fail(
        `the test event was not counted within ${waitSeconds} s: is the edgehog-events consumer running? (npx wrangler tail; GET /v1/stats/health for parked messages)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

await runScript(HELP, main);
if (failures > 0) {
  console.log(`${failures} check${failures === 1 ? "" : "s"} failed`);
  process.exitCode = 1;
}
