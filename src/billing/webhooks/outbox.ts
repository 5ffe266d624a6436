import { toHex } from "../../lib/bytes";
import { sha256 } from "../../lib/crypto";
import { groupForSend } from "../../lib/queue-send";
import { webhookConfigOf } from "./config";
import type { WebhookMessage, WebhookTarget } from "./message";

/**
 * Billing's webhooks leave through an outbox (`billing_events`). An event is written in the same
 * D1 transaction as what it tells (a silence flagged, a threshold crossed, a period final), keyed
 * by what makes it one, so it exists once however often the hourly job runs; its `webhook-id` is
 * derived from that key, so every attempt, redelivery and re-drive carries the same id and a
 * receiver dedupes by it. The job then puts the events not yet queued on the webhook queue, one
 * message per endpoint, and marks them queued; a queue that refuses leaves them for the next run.
 *
 * Payloads carry figures, days and times, ids (tenant, event), digests (cluster names) and words
 * of a closed set: never a name, a secret or anything a client chose.
 */

export const EVENT_TYPES = [
  "billing.period.final",
  "billing.usage.threshold",
  "reporting.silent",
  "reporting.resumed",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface BillingEvent {
  type: EventType;
  tenantId: string;
  /** What makes the event one: a month; a month, figure and level; a cluster and its last report. */
  subject: string;
  data: Record<string, unknown>;
  /** ms; events of one run get consecutive times, in the order they were made. */
  createdAt: number;
}

/** The webhook-id of an event: `evt_` + 32 hex of SHA-256 of its type, tenant and subject. */
export async function eventId(type: EventType, tenantId: string, subject: string): Promise<string> {
  return `evt_${toHex(await sha256(`${type}\n${tenantId}\n${subject}`)).slice(0, 32)}`;
}

/** The body a receiver gets: Standard Webhooks' `{ type, timestamp, data }`. */
export function eventBody(event: BillingEvent): string {
  return JSON.stringify({ type: event.type, timestamp: new Date(event.createdAt).toISOString(), data: event.data });
}

/** The statement recording an event, once: to run in the transaction of what it tells. */
export async function eventStatement(db: D1Database, event: BillingEvent): Promise<D1PreparedStatement> {
  return db
    .prepare(
      `INSERT OR IGNORE INTO billing_events (tenant_id, type, subject, id, payload, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6)`,
    )
    .bind(
      event.tenantId,
      event.type,
      event.subject,
      await eventId(event.type, event.tenantId, event.subject),
      eventBody(event),
      event.createdAt,
    );
}

/** Whether the event was recorded before (its key exists). */
export async function eventExists(db: D1Database, type: EventType, tenantId: string, subject: string) {
  const row = await db
    .prepare("SELECT 1 AS found FROM billing_events WHERE tenant_id = ?1 AND type = ?2 AND subject = ?3")
    .bind(tenantId, type, subject)
    .first<{ found: number }>();
  return row !== null;
}

/** Events queued per run at most; the rest wait for the next run. */
const DISPATCH_LIMIT = 500;

interface PendingEvent {
  id: string;
  tenant_id: string;
  payload: string;
  tenant_url: string | null;
}

/**
 * Puts the events not yet queued on the webhook queue, oldest first, for each endpoint
 * configured now (the deployment's, the tenant's own), and marks them queued. An event with no
 * endpoint is marked queued for none. Throws when the configuration is malformed or the queue
 * refuses: what was not marked stays for the next run.
 */
export async function dispatchEvents(env: Env, now: number): Promise<{ events: number; messages: number }> {
  const config = webhookConfigOf(env);
  const { results } = await env.DB.prepare(
    `SELECT e.id, e.tenant_id, e.payload, c.webhook_url AS tenant_url
     FROM billing_events AS e LEFT JOIN tenant_contracts AS c ON c.tenant_id = e.tenant_id
     WHERE e.queued_at IS NULL ORDER BY e.created_at, e.id LIMIT ?1`,
  )
    .bind(DISPATCH_LIMIT)
    .all<PendingEvent>();
  if (results.length === 0) return { events: 0, messages: 0 };
  const marks: { id: string; targets: number }[] = [];
  const messages: { body: WebhookMessage; bytes: number }[] = [];
  for (const event of results) {
    const targets: WebhookTarget[] = [];
    if (config.url !== null) targets.push("deployment");
    if (event.tenant_url !== null && config.secret !== null) targets.push("tenant");
    for (const target of targets) {
      const body: WebhookMessage = { v: 1, id: event.id, target, tenant_id: event.tenant_id, payload: event.payload };
      messages.push({ body, bytes: event.payload.length + 200 });
    }
    marks.push({ id: event.id, targets: targets.length });
  }
  for (const group of groupForSend(messages)) {
    await env.WEBHOOK_QUEUE.sendBatch(group.map((message) => ({ body: message.body, contentType: "json" })));
  }
  await env.DB.prepare(
    `UPDATE billing_events SET queued_at = ?2, targets = m.value ->> 'targets'
     FROM json_each(?1) AS m WHERE billing_events.id = m.value ->> 'id'`,
  )
    .bind(JSON.stringify(marks), now)
    .run();
  return { events: marks.length, messages: messages.length };
}
