import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { vi } from "vitest";
import { consumeWebhooks } from "../../src/billing/webhooks/consumer";
import type { WebhookMessage } from "../../src/billing/webhooks/message";
import { isDigest } from "../../src/privacy/digest";
import { runHourlyCron } from "./harness";
import { deliver, recordingQueue } from "./queue";

/** Billing's webhooks on, to endpoints only the tests' receivers answer for. */
export const WEBHOOK_SECRET = `whsec_${btoa("a test secret of 32 random bytes")}`;
export const WEBHOOK_URL = "https://billing.example/webhooks";
export const WEBHOOKS: Partial<Env> = { BILLING_WEBHOOK_URL: WEBHOOK_URL, BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET };

export interface Received {
  id: string;
  url: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  /** The raw body, as signed. */
  body: string;
}

/**
 * A local receiver, as an invoicing system would run one: it verifies each post's signature
 * with the `standardwebhooks` package (an implementation of the specification independent of
 * ours), with the secret of the endpoint posted to, refuses what does not verify (401), answers
 * `answer(n)` (n counts posts; a number is a status, an Error no answer), and dedupes by
 * `webhook-id`, as the specification asks receivers to.
 */
export function webhookReceiver(
  secrets: Record<string, string> = { [WEBHOOK_URL]: WEBHOOK_SECRET },
  answer: (n: number) => number | Error = () => 200,
) {
  const posts: { url: string; headers: Headers; body: string; status: number }[] = [];
  const received: Received[] = [];
  const seen = new Set<string>();
  const refused: string[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const body = await request.text();
    const reply = answer(posts.length);
    const post = { url: request.url, headers: request.headers, body, status: typeof reply === "number" ? reply : 0 };
    posts.push(post);
    if (reply instanceof Error) throw reply;
    const secret = secrets[request.url];
    let verified: { type: string; timestamp: string; data: Record<string, unknown> };
    try {
      if (!secret) throw new Error(`no secret for ${request.url}`);
      verified = new Webhook(secret).verify(body, Object.fromEntries(request.headers)) as typeof verified;
    } catch (err) {
      refused.push(String(err));
      return new Response("bad signature", { status: 401 });
    }
    const id = request.headers.get("webhook-id") ?? "";
    if (reply >= 200 && reply < 300 && !seen.has(`${request.url} ${id}`)) {
      seen.add(`${request.url} ${id}`);
      received.push({ id, url: request.url, ...verified, body });
    }
    return new Response(null, { status: reply });
  }) as typeof fetch;
  return { fetcher, posts, received, refused };
}

/** The webhook queue's double: it keeps what it is sent (no consumer runs). */
export function recordingWebhookQueue() {
  const { queue, bodies } = recordingQueue<WebhookMessage>();
  return { queue: queue as Queue, messages: bodies };
}

/** Delivers webhook-queue messages to the consumer, as the Queue would, posting with `fetcher`. */
export async function deliverWebhooks(
  bodies: unknown[],
  fetcher: typeof fetch,
  options: { attempts?: number; ids?: string[]; bindings?: Partial<Env> } = {},
) {
  const result = await deliver(
    bodies,
    { ...env, ...WEBHOOKS, ...options.bindings },
    {
      queue: "edgehog-webhooks",
      ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
      ...(options.ids === undefined ? {} : { ids: options.ids }),
      consume: (batch, bindings) => consumeWebhooks(batch, bindings, fetcher),
    },
  );
  return {
    acked: [...result.explicitAcks],
    retried: result.retryMessages.map((m: { msgId: string }) => m.msgId),
    retryDelays: result.retryDelays,
    ids: result.ids,
  };
}

/**
 * Runs the hourly cron at `now` with webhooks on (its jobs' one-line summaries kept off the test
 * output); resolves to the messages it put on the webhook queue.
 */
export async function runCron(now: number, bindings: Partial<Env> = {}): Promise<WebhookMessage[]> {
  const { queue, messages } = recordingWebhookQueue();
  const quiet = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await runHourlyCron(now, { ...WEBHOOKS, WEBHOOK_QUEUE: queue, ...bindings });
  } finally {
    quiet.mockRestore();
  }
  return messages;
}

/** Signals the walk-through prints: what was received, in order. */
export function describeReceived(received: readonly Received[]): string[] {
  return received.map((r) => {
    const d = r.data;
    const what =
      r.type === "billing.usage.threshold"
        ? `${d.month} ${d.figure} ${d.level}% (${d.value} of ${d.contracted})`
        : r.type === "billing.period.final"
          ? `${d.month} mau=${d.mau} tpr=${d.tpr} mwi=${d.mwi}`
          : `${d.cluster_name === null ? "tenant" : `cluster ${String(d.cluster_name).slice(0, 8)}…`} last report ${d.last_report_at}`;
    return `${r.type} ${r.id} ${what}`;
  });
}

const WORDS = new Set([
  "billing.period.final",
  "billing.usage.threshold",
  "reporting.silent",
  "reporting.resumed",
  "mau",
  "tpr",
  "mwi",
]);

/**
 * The strings of a webhook payload outside its allow-list: tenant ids, months, days, times,
 * digests (cluster names) and the closed set of types and figure names. No name, secret or
 * anything a client chose fits.
 */
export function disallowedStrings(value: unknown): string[] {
  if (typeof value === "string") {
    const allowed =
      /^tn_[0-9a-f]{20}$/.test(value) ||
      /^\d{4}-\d{2}(-\d{2})?$/.test(value) ||
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) ||
      isDigest(value) ||
      WORDS.has(value);
    return allowed ? [] : [value];
  }
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(disallowedStrings);
  return [];
}
