import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { RunningCollector } from "../e2e/wrangler-dev";

/**
 * Seeds a running collector the way real clients would (POST /v1/events, tenants through the
 * operator API, POST /v1/usage with their tokens, the cron through /cdn-cgi/handler/scheduled), and keeps a
 * model of what was sent, from which the dashboard tests derive what each page must show.
 */

const DAY_MS = 86_400_000;
const digest = () => randomBytes(32).toString("base64");
const mac = (value: string) => createHmac("sha256", "dashboard-test-cluster").update(value).digest("base64");

export const APP = "teleport-connect";

/** An install of the model: its dimensions never change, so the breakdowns are exact. */
export interface Install {
  id: string;
  version: string;
  os: string;
}

export interface SentEvent {
  install: Install;
  day: string;
  event: string;
}

export interface Model {
  days: string[];
  installs: Install[];
  events: SentEvent[];
  rejections: Record<string, number>;
  dropped: { event: string; property: string; n: number };
  tenants: { name: string; mau: number; tpr: number; mwi: number; period?: { start: string; end: string } }[];
  /** The tenant whose term starts mid-month, with a contract, and a cluster that last reported two days ago. */
  midMonth?: { name: string; anchor: number; contractedMau: number; silentCluster: string };
}

/** 19 installs: four versions (two of them rare), three OSes. */
function makeInstalls(): Install[] {
  const versions = [
    ...Array<string>(8).fill("17.0.1"),
    ...Array<string>(6).fill("16.4.7"),
    ...Array<string>(3).fill("15.2.0"),
    ...Array<string>(2).fill("14.0.0"),
  ];
  const oses = ["darwin", "linux", "win32"];
  return versions.map((version, i) => ({ id: randomUUID(), version, os: oses[i % 3] ?? "linux" }));
}

/** Which events install `i` sends on day `k`: a fixed pattern, so the days differ. */
function eventsOf(i: number, k: number): string[] {
  const events: string[] = [];
  if ((i + k) % 3 !== 0) events.push(...Array<string>(1 + ((i + k) % 2)).fill("connect.protocol.use"));
  if ((i * k) % 5 === 1) events.push("connect.cluster.login");
  if (k % 2 === 0 && i % 4 === 0) events.push("connect.fileTransfer.run");
  return events;
}

function propertiesOf(event: string): Record<string, unknown> {
  const common = { cluster_name: digest(), user_name: digest() };
  if (event === "connect.protocol.use") return { ...common, protocol: "ssh" };
  if (event === "connect.cluster.login") return { ...common, connector_type: "github" };
  return { ...common, is_upload: true };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Sends the events of the model (the last 7 days), with a few that must be rejected or trimmed. */
export async function seedEvents(collector: RunningCollector, now: number): Promise<Model> {
  const days = Array.from({ length: 7 }, (_, k) => new Date(now - k * DAY_MS).toISOString().slice(0, 10));
  const installs = makeInstalls();
  const events: SentEvent[] = [];
  const wire: unknown[] = [];
  installs.forEach((install, i) => {
    days.forEach((day, k) => {
      eventsOf(i, k).forEach((event, n) => {
        events.push({ install, day, event });
        const timestamp = Math.min(Date.parse(`${day}T00:00:00Z`) + (i * 60 + n) * 1000, now - 1000);
        const dropped = i === 0 && event === "connect.protocol.use" ? { hostname: "alice-laptop" } : {};
        wire.push({
          uuid: randomUUID(),
          event,
          distinct_id: install.id,
          timestamp: new Date(timestamp).toISOString(),
          properties: { ...propertiesOf(event), ...dropped, app_version: install.version, os: install.os },
        });
      });
    });
  });
  const answer = (await post(`${collector.url}/v1/events`, { app: APP, events: wire })) as { accepted: number };
  if (answer.accepted !== wire.length) throw new Error(`only ${answer.accepted} of ${wire.length} events accepted`);
  const droppedCount = events.filter((e) => e.install === installs[0] && e.event === "connect.protocol.use").length;

  // What misbehaving clients send: refused one by one, counted by code.
  const bad = [
    { event: "connect.protocol.use", properties: { user_name: "alice@example.com" } },
    { event: "connect.protocol.use", properties: { user_name: "bob@example.com" } },
    { event: "connect.protocol.use", uuid: "not-a-uuid" },
    { event: "connect.telemetry.nope" },
  ].map((b) => ({
    uuid: b.uuid ?? randomUUID(),
    event: b.event,
    distinct_id: randomUUID(),
    timestamp: new Date(now - 1000).toISOString(),
    properties: { ...propertiesOf("connect.protocol.use"), ...b.properties },
  }));
  const badAnswer = await fetch(`${collector.url}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ app: APP, events: bad }),
  });
  if (badAnswer.status !== 400) throw new Error(`the bad batch answered ${badAnswer.status}`);
  return {
    days,
    installs,
    events,
    rejections: { not_anonymized: 2, invalid_uuid: 1, unknown_event: 1 },
    // An undeclared name the catalogue does not know is counted, never kept: it shows as (other).
    dropped: { event: "connect.protocol.use", property: "(other)", n: droppedCount },
    tenants: [],
  };
}

/** The day of the month a term must start on for today's period to have started last month (or on the 15th). */
function midMonthAnchor(now: number): number {
  const date = new Date(now).getUTCDate();
  return date < 28 ? date + 1 : 15;
}

/** The first and last day of the period holding `now` for a term anchored on `anchor` (as src/billing/periods.ts has it). */
function periodOf(now: number, anchor: number): { start: string; end: string } {
  const d = new Date(now);
  const startIn = (y: number, m: number) =>
    new Date(Date.UTC(y, m, Math.min(anchor, new Date(Date.UTC(y, m + 1, 0)).getUTCDate())));
  let start = startIn(d.getUTCFullYear(), d.getUTCMonth());
  if (start.getTime() > now) start = startIn(d.getUTCFullYear(), d.getUTCMonth() - 1);
  const next = startIn(start.getUTCFullYear(), start.getUTCMonth() + 1);
  const day = (t: Date) => t.toISOString().slice(0, 10);
  return { start: day(start), end: day(new Date(next.getTime() - DAY_MS)) };
}

/**
 * Two tenants with tokens from the operator API, their usage reports, then the cron. acme's term
 * starts mid-month (its open period started last month), it must report and has bought 4 users;
 * one of its clusters last reported two days ago (not silent yet: reporting became required now).
 */
export async function seedBilling(collector: RunningCollector, model: Model, now: number): Promise<void> {
  const admin = { authorization: `Bearer ${collector.adminToken}` };
  const anchor = midMonthAnchor(now);
  const plan = [
    { name: "acme", users: 3, nodes: 4, bots: 2, termStart: `2025-01-${String(anchor).padStart(2, "0")}` },
    { name: "globex", users: 7, nodes: 2, bots: 1, termStart: undefined },
  ];
  for (const tenant of plan) {
    await post(`${collector.url}/v1/admin/tenants`, { name: tenant.name, term_start: tenant.termStart }, admin);
    const { token } = (await post(`${collector.url}/v1/admin/tenants/${tenant.name}/tokens`, {}, admin)) as {
      token: string;
    };
    const start = new Date(now - 10 * 60_000).toISOString();
    const base = { cluster_name: mac(`${tenant.name}-cluster`), reporter_hostid: mac("auth-1"), start_time: start };
    const reports: Record<string, unknown>[] = [
      {
        ...base,
        kind: "user_activity",
        report_uuid: randomUUID(),
        records: Array.from({ length: tenant.users }, (_, i) => ({ user_name: mac(`user-${i}`), logins: 1 })),
      },
      {
        ...base,
        kind: "resource_presence",
        report_uuid: randomUUID(),
        resources: [{ kind: "node", ids: Array.from({ length: tenant.nodes }, (_, i) => mac(`node-${i}`)) }],
      },
      {
        ...base,
        kind: "bot_instance_activity",
        report_uuid: randomUUID(),
        records: Array.from({ length: tenant.bots }, (_, i) => ({
          bot_instance_id: mac(`bot-${i}`),
          bot_user_name: mac("bot-ci"),
          bot_joins: 1,
        })),
      },
    ];
    // MWI: the bot instances, plus the one bot they run as (all in the same hour).
    let mwi = tenant.bots + (tenant.bots > 0 ? 1 : 0);
    if (tenant.termStart) {
      await fetch(`${collector.url}/v1/admin/tenants/${tenant.name}/contract`, {
        method: "PUT",
        headers: { ...admin, "content-type": "application/json" },
        body: JSON.stringify({ plan: "enterprise", reporting_required: true, mau: 4 }),
      });
      // A second cluster that last reported two days ago, one idle bot instance: an MWI hour of 0 that day.
      reports.push({
        kind: "bot_instance_activity",
        report_uuid: randomUUID(),
        cluster_name: mac(`${tenant.name}-quiet-cluster`),
        reporter_hostid: mac("auth-2"),
        start_time: new Date(now - 2 * DAY_MS).toISOString(),
        records: [{ bot_instance_id: mac("idle-bot"), bot_user_name: mac("bot-ci") }],
      });
      mwi = mwi / 2;
      model.midMonth = {
        name: tenant.name,
        anchor,
        contractedMau: 4,
        silentCluster: mac(`${tenant.name}-quiet-cluster`),
      };
    }
    const answer = (await post(`${collector.url}/v1/usage`, { reports }, { authorization: `Bearer ${token}` })) as {
      accepted: number;
    };
    if (answer.accepted !== reports.length)
      throw new Error(`${tenant.name}: only ${answer.accepted} of ${reports.length} reports accepted`);
    model.tenants.push({
      name: tenant.name,
      mau: tenant.users,
      tpr: tenant.nodes,
      mwi,
      ...(tenant.termStart ? { period: periodOf(now, anchor) } : {}),
    });
  }
  const cron = await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`);
  if (cron.status !== 200) throw new Error(`the cron answered ${cron.status}`);
}

/** Waits until the stats API shows every accepted event of the model (the queue is asynchronous). */
export async function waitForEvents(collector: RunningCollector, model: Model, extra = 0): Promise<void> {
  const from = model.days[model.days.length - 1];
  const to = model.days[0];
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${collector.url}/v1/stats/events?app=${APP}&from=${from}&to=${to}`, {
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    const stats = (await res.json()) as {
      days: { events: Record<string, number>; rejected: Record<string, number> }[];
    };
    const count = (pick: (d: (typeof stats.days)[number]) => Record<string, number>) =>
      stats.days.reduce((n, d) => n + Object.values(pick(d)).reduce((a, b) => a + b, 0), 0);
    if (count((d) => d.events) === model.events.length + extra && count((d) => d.rejected) === 4) return;
    if (Date.now() > deadline) throw new Error(`the events did not all arrive: ${JSON.stringify(stats)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
