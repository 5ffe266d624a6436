import { parkOrRetry } from "../../deadletters/consumer";
import { MAX_RETRY_SECONDS, retryDelaySeconds } from "../../lib/backoff";
import { SECOND_MS } from "../../lib/time";
import { tenantSecretBytes, type WebhookConfig, webhookConfigOf } from "./config";
import { type WebhookMessage, webhookMessageSchema } from "./message";
import { signWebhook } from "./signature";

/**
 * The webhook queue's consumer: posts each event to its endpoint, signed (Standard Webhooks),
 * once per endpoint: the ledger (`webhook_deliveries`) holds what an endpoint took, so a message
 * delivered again is acknowledged without a post. A post that fails with a retryable answer
 * (408, 429, 5xx, no answer) is retried with growing delays (at least the endpoint's
 * Retry-After), and so is every later message of the batch for the same endpoint, so an
 * endpoint gets a batch's events in order; after `max_retries` they go to
 * `edgehog-webhooks-dlq` and are parked. A post refused for good (another 4xx), a malformed
 * message, or an endpoint no longer configured parks the message at once: re-drive it with
 * `npm run redrive -- --queue edgehog-webhooks`. Logs name events and endpoints' kinds, never
 * a URL's secret part, a secret or a signature.
 */

const TIMEOUT_MS = 30 * SECOND_MS;

type Outcome = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterSeconds?: number };

interface Endpoint {
  url: string;
  secret: Uint8Array<ArrayBuffer>;
}

export async function consumeWebhooks(batch: MessageBatch<unknown>, env: Env, send: typeof fetch = fetch) {
  const valid: { message: Message<unknown>; body: WebhookMessage }[] = [];
  const park: Message<unknown>[] = [];
  for (const message of batch.messages) {
    const parsed = webhookMessageSchema.safeParse(message.body);
    if (parsed.success) valid.push({ message, body: parsed.data });
    else park.push(message);
  }
  let config: WebhookConfig;
  try {
    config = webhookConfigOf(env);
  } catch (err) {
    console.error("billing webhooks are misconfigured; retrying later:", err instanceof Error ? err.message : err);
    for (const { message } of valid) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    if (park.length > 0) await parkOrRetry(env.DB, batch.queue, park);
    return;
  }
  let delivered: Set<string>;
  try {
    delivered = await deliveredAmong(
      env.DB,
      valid.map(({ body }) => key(body)),
    );
  } catch (err) {
    console.error("reading the webhook ledger failed; retrying later", err);
    for (const { message } of valid) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return;
  }
  /** Endpoints with a message waiting for a retry in this batch: their later messages wait too. */
  const held = new Map<string, number>();
  for (const { message, body } of valid) {
    const endpointKey = `${body.target} ${body.target === "tenant" ? body.tenant_id : ""}`;
    const holdFor = held.get(endpointKey);
    if (holdFor !== undefined) {
      message.retry({ delaySeconds: Math.max(retryDelaySeconds(message.attempts), holdFor) });
      continue;
    }
    if (delivered.has(key(body))) {
      message.ack();
      continue;
    }
    const endpoint = await endpointOf(env.DB, config, body).catch((err) => {
      console.error("reading a tenant's webhook endpoint failed", err);
      return undefined;
    });
    if (endpoint === undefined) {
      const delay = retryDelaySeconds(message.attempts);
      held.set(endpointKey, delay);
      message.retry({ delaySeconds: delay });
      continue;
    }
    if (endpoint === null) {
      console.error(`webhook ${body.id}: no ${body.target} endpoint is configured any more; parking it`);
      park.push(message);
      continue;
    }
    const outcome = await post(send, endpoint, body);
    if (outcome.ok) {
      await env.DB.prepare(
        "INSERT OR IGNORE INTO webhook_deliveries (event_id, target, delivered_at) VALUES (?1, ?2, ?3)",
      )
        .bind(body.id, body.target, Date.now())
        .run()
        // The endpoint has it but the ledger does not: a redelivery posts the same id again,
        // which the receiver dedupes.
        .catch((err) => console.error(`recording webhook ${body.id} as delivered failed`, err));
      message.ack();
    } else if (outcome.retry) {
      const delay = Math.max(
        retryDelaySeconds(message.attempts),
        Math.min(outcome.retryAfterSeconds ?? 0, MAX_RETRY_SECONDS),
      );
      console.error(
        `webhook ${body.id} to the ${body.target} endpoint failed (${outcome.reason}); retrying in ${delay} s`,
      );
      held.set(endpointKey, delay);
      message.retry({ delaySeconds: delay });
    } else {
      console.error(`the ${body.target} endpoint refused webhook ${body.id} (${outcome.reason}); parking it`);
      park.push(message);
    }
  }
  if (park.length > 0) await parkOrRetry(env.DB, batch.queue, park);
}

const key = (body: Pick<WebhookMessage, "id" | "target">) => `${body.id} ${body.target}`;

async function deliveredAmong(db: D1Database, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const { results } = await db
    .prepare(
      `SELECT event_id || ' ' || target AS k FROM webhook_deliveries
       WHERE event_id || ' ' || target IN (SELECT value FROM json_each(?1))`,
    )
    .bind(JSON.stringify(keys))
    .all<{ k: string }>();
  return new Set(results.map((row) => row.k));
}

/** The message's endpoint and secret now; null when it is no longer configured. */
async function endpointOf(db: D1Database, config: WebhookConfig, body: WebhookMessage): Promise<Endpoint | null> {
  if (config.secret === null) return null;
  if (body.target === "deployment") return config.url === null ? null : { url: config.url, secret: config.secret };
  const row = await db
    .prepare("SELECT webhook_url FROM tenant_contracts WHERE tenant_id = ?1")
    .bind(body.tenant_id)
    .first<{ webhook_url: string | null }>();
  if (!row?.webhook_url) return null;
  return { url: row.webhook_url, secret: await tenantSecretBytes(config.secret, body.tenant_id) };
}

async function post(send: typeof fetch, endpoint: Endpoint, body: WebhookMessage): Promise<Outcome> {
  const headers = await signWebhook(endpoint.secret, body.id, Math.floor(Date.now() / SECOND_MS), body.payload);
  let res: Response;
  try {
    res = await send(endpoint.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "edgehog", ...headers },
      body: body.payload,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const reason = err instanceof Error && err.name === "TimeoutError" ? "timeout" : "no answer";
    return { ok: false, retry: true, reason };
  }
  await res.body?.cancel().catch(() => {});
  if (res.ok) return { ok: true };
  const retryAfter = Number(res.headers.get("retry-after"));
  return {
    ok: false,
    retry: res.status === 408 || res.status === 429 || res.status >= 500,
    reason: `HTTP ${res.status}`,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
  };
}
