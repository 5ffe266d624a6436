import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { setContract } from "../../src/billing/contracts";
import { type BillingReportRow, readBillingUsage } from "../../src/billing/queries";
import type { WebhookMessage } from "../../src/billing/webhooks/message";
import { DAY_MS, HOUR_MS, utcDay } from "../../src/lib/time";
import { createTenant } from "../../src/tenants/admin";
import { aggregatesOf } from "../helpers/aggregates";
import { at, report } from "../helpers/bill-co";
import { getPage, signIn } from "../helpers/dashboard";
import { countRows, operatorGet } from "../helpers/harness";
import { elementsOf } from "../helpers/html";
import { resourcePresenceReport, userActivityReport } from "../helpers/reports";
import { digestOf } from "../helpers/tenants";
import { deliverWebhooks, describeReceived, disallowedStrings, runCron, webhookReceiver } from "../helpers/webhooks";

/**
 * A tenant walked through a whole term with a local receiver that verifies every signature with
 * the `standardwebhooks` package: a term starting on the 15th (periods run mid-month to
 * mid-month), a contract of 10 users, two clusters reporting every three days for twelve
 * periods, the hourly cron every three days, each run's webhooks delivered twice (a queue's
 * redelivery) and one post failing with a 503 (retried). On the way: thresholds crossed in
 * periods that later become final, a cluster that goes silent for two weeks and resumes, a late
 * report after a period is final. The receiver gets every event once, in order.
 */

const SILENCE_HOURS = "100";
/** MAU of each period (2025-11 … 2026-10) against a contract of 10: 90 % is 9. */
const MAU = [3, 6, 9, 12, 8, 10, 5, 7, 9, 11, 4, 6];
const MONTHS = MAU.map((_, k) => new Date(Date.UTC(2025, 10 + k, 15)).toISOString().slice(0, 7));
/** Cluster B sends nothing from this day to the next one listed (a firewall, say). */
const B_SILENT = ["2026-05-20", "2026-06-04"];
const LAST_RUN = at("2026-11-19T23:00:00Z"); // 2026-10 (Oct 15 – Nov 14) is final from Nov 18

let tenantId: string;
/** Cluster B's last report before its silence. */
let lastOfB = "";
const receiver = webhookReceiver(undefined, (n) => (n === 3 ? 503 : 200));
const runs: { at: number; messages: WebhookMessage[] }[] = [];

async function clusterB<T extends Record<string, unknown>>(body: Promise<T>): Promise<T> {
  return { ...(await body), cluster_name: await digestOf("cluster-b"), reporter_hostid: await digestOf("auth-b") };
}

async function row(month: string): Promise<BillingReportRow | undefined> {
  return (await readBillingUsage(env.DB, month, tenantId))[0];
}

/** Delivers a run's messages as the queue would, twice (a redelivery); a retried message comes back once more. */
async function deliver(messages: WebhookMessage[]) {
  if (messages.length === 0) return;
  const first = await deliverWebhooks(messages, receiver.fetcher);
  const retried = first.retried.map((id: string) => messages[first.ids.indexOf(id)]);
  await deliverWebhooks(messages, receiver.fetcher, { attempts: 2 });
  if (retried.length > 0) await deliverWebhooks(retried, receiver.fetcher, { attempts: 3 });
}

beforeAll(async () => {
  const created = at("2025-11-15T00:00:00Z");
  tenantId = (await createTenant(env.DB, { name: "term-co", termStart: "2025-11-15", termMonths: 12, now: created }))
    .id;
  await setContract(env.DB, tenantId, { plan: "enterprise", reporting_required: true, mau: 10, tpr: 5 }, created);
  for (let day = created; day <= LAST_RUN; day += 3 * DAY_MS) {
    const today = utcDay(day);
    const k = MONTHS.indexOf(
      today >= `${today.slice(0, 8)}15` ? today.slice(0, 7) : utcDay(day - 15 * DAY_MS).slice(0, 7),
    );
    {
      // Past the twelve periods, the clusters go on reporting one user (the next term's first period).
      const start = `${today}T10:00:00Z`;
      const users = Array.from({ length: k >= 0 ? (MAU[k] ?? 0) : 1 }, (_, i) => `user-${i}`);
      const reports = [
        await userActivityReport({ start, users }),
        await resourcePresenceReport({ start, nodes: ["n1", "n2"] }),
      ];
      if (today < (B_SILENT[0] ?? "") || today >= (B_SILENT[1] ?? "")) {
        reports.push(await clusterB(userActivityReport({ start, users: ["user-0"] })));
        reports.push(await clusterB(resourcePresenceReport({ start, nodes: ["n3"] })));
        if (today < (B_SILENT[0] ?? "")) lastOfB = new Date(start).toISOString();
      }
      await report(tenantId, Date.parse(start) + HOUR_MS, ...reports);
    }
    const when = Date.parse(`${today}T23:00:00Z`);
    const messages = await runCron(when, { REPORTING_SILENCE_HOURS: SILENCE_HOURS });
    runs.push({ at: when, messages });
    await deliver(messages);
  }
  const messages = await runCron(LAST_RUN + HOUR_MS, { REPORTING_SILENCE_HOURS: SILENCE_HOURS });
  await deliver(messages);
}, 240_000);

describe("a tenant through a term, with a local receiver", () => {
  it("bills twelve periods, each final, with the term's high-water marks", async () => {
    const rows = await Promise.all(MONTHS.map(row));
    expect(rows.map((r) => [r?.month, r?.state, r?.mau])).toEqual(MONTHS.map((m, k) => [m, "final", MAU[k]]));
    expect(rows.map((r) => r?.mau_high_water)).toEqual(MAU.map((_, k) => Math.max(...MAU.slice(0, k + 1))));
  });

  it("receives every webhook once, verified by an independent implementation, in order", () => {
    console.log(`webhooks received, in order:\n  ${describeReceived(receiver.received).join("\n  ")}`);
    expect(receiver.refused).toEqual([]);
    for (const r of receiver.received) expect(disallowedStrings(JSON.parse(r.body))).toEqual([]);
    const ids = receiver.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Each id was posted until the receiver took it, and never after: once per logical event.
    const taken = new Map<string, number>();
    for (const post of receiver.posts) {
      if (post.status === 200)
        taken.set(post.headers.get("webhook-id") ?? "", (taken.get(post.headers.get("webhook-id") ?? "") ?? 0) + 1);
    }
    expect([...taken.values()].every((n) => n === 1)).toBe(true);
    expect(receiver.posts.some((post) => post.status === 503)).toBe(true);

    const finals = receiver.received.filter((r) => r.type === "billing.period.final");
    expect(finals.map((r) => r.data.month)).toEqual(MONTHS);
    expect(finals.map((r) => r.data.mau)).toEqual(MAU);
    const thresholds = receiver.received.filter((r) => r.type === "billing.usage.threshold");
    const expected = MONTHS.flatMap((month, k) =>
      [90, 100].filter((level) => (MAU[k] ?? 0) * 100 >= 10 * level).map((level) => `${month} mau ${level}`),
    );
    expect(thresholds.map((r) => `${r.data.month} ${r.data.figure} ${r.data.level}`)).toEqual(expected);
    // A period's thresholds come before its final row; events arrive in the order they happened.
    for (const t of thresholds) {
      const final = finals.find((f) => f.data.month === t.data.month);
      expect(receiver.received.indexOf(t)).toBeLessThan(receiver.received.indexOf(final as (typeof finals)[number]));
    }
    const times = receiver.received.map((r) => r.timestamp);
    expect(times).toEqual([...times].sort());
  });

  it("flags the silent cluster once, and clears it once when it reports again", async () => {
    const b = await digestOf("cluster-b");
    const silences = receiver.received.filter((r) => r.type.startsWith("reporting."));
    expect(silences.map((r) => [r.type, r.data.cluster_name])).toEqual([
      ["reporting.silent", b],
      ["reporting.resumed", b],
    ]);
    const [silent, resumed] = silences;
    expect(silent?.data.last_report_at).toBe(lastOfB);
    expect(resumed?.data.silent_after).toBe(lastOfB);
    // Flagged at the first run after its last reported hour ended more than 100 hours before.
    const flaggedAt = Date.parse(String(silent?.timestamp));
    expect(flaggedAt - (Date.parse(lastOfB) + HOUR_MS)).toBeGreaterThan(100 * HOUR_MS);
    expect(flaggedAt - (Date.parse(lastOfB) + HOUR_MS)).toBeLessThanOrEqual((100 + 72) * HOUR_MS);
    expect(Date.parse(String(resumed?.data.last_report_at))).toBeGreaterThanOrEqual(
      Date.parse(`${B_SILENT[1]}T10:00:00Z`),
    );
    expect(await countRows("reporting_silences", "1")).toBe(0);
  });

  it("stores a late report after a period is final: no figure changes, nothing is announced again", async () => {
    const before = await row("2026-10");
    expect(before?.state).toBe("final");
    const aggregates = await aggregatesOf(tenantId);
    const late = await userActivityReport({ start: "2026-11-10T10:00:00Z", users: ["late-1", "late-2", "late-3"] });
    expect(await report(tenantId, LAST_RUN + 2 * HOUR_MS, late)).toMatchObject({ accepted: 1, late: 1 });
    const messages = await runCron(LAST_RUN + 3 * HOUR_MS, { REPORTING_SILENCE_HOURS: SILENCE_HOURS });
    expect(messages).toEqual([]);
    expect(await row("2026-10")).toEqual({ ...before, late_reports: 1, last_late_report_at: LAST_RUN + 2 * HOUR_MS });
    expect(await aggregatesOf(tenantId)).toEqual(aggregates);
  });

  it("gives the history of the twelve periods, as the API answers it", async () => {
    const history = await operatorGet<{
      from: string;
      to: string;
      peak: Record<string, number>;
      periods: { month: string; period_start: string; period_end: string; mau: number; final: boolean }[];
    }>("/v1/billing/usage/history?tenant=term-co&months=12&to=2026-10");
    console.log(
      `history of term-co (12 periods):\n  ${history.periods.map((p) => `${p.month} ${p.period_start}→${p.period_end} mau=${p.mau} ${p.final ? "final" : "open"}`).join("\n  ")}`,
    );
    expect(history).toMatchObject({ from: "2025-11", to: "2026-10", peak: { mau: 12 } });
    expect(history.periods.map((p) => [p.month, p.mau, p.final])).toEqual(MONTHS.map((m, k) => [m, MAU[k], true]));
    expect(history.periods.every((p) => p.period_start.endsWith("-15") && p.period_end.endsWith("-14"))).toBe(true);

    // The dashboard's tenant page draws the same twelve periods.
    const page = await (
      await getPage("/dashboard/billing/tenant?tenant=term-co&month=2026-10&months=12", await signIn())
    ).text();
    const bars = (await elementsOf(page, "svg#history-mau rect > title")).map((t) => t.text);
    expect(bars).toEqual(MONTHS.map((m, k) => `${m}: ${MAU[k]} users`));
    expect((await elementsOf(page, "svg#history-mau line.limit")).length).toBe(12);
  });
});
