import { env } from "cloudflare:workers";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { setTenantWebhookUrl } from "../../src/billing/contracts";
import { secretBytes, tenantSecret, webhookConfigOf } from "../../src/billing/webhooks/config";
import type { WebhookMessage } from "../../src/billing/webhooks/message";
import { dispatchEvents, eventId, eventStatement } from "../../src/billing/webhooks/outbox";
import { signWebhook } from "../../src/billing/webhooks/signature";
import { fromBase64 } from "../../src/lib/bytes";
import { createTenant } from "../../src/tenants/admin";
import { countRows } from "../helpers/harness";
import { recordingQueue, unavailableDb } from "../helpers/queue";
import {
  deliverWebhooks,
  recordingWebhookQueue,
  WEBHOOK_SECRET,
  WEBHOOK_URL,
  WEBHOOKS,
  webhookReceiver,
} from "../helpers/webhooks";

/**
 * Billing's webhooks on their own: Standard Webhooks signatures as an independent
 * implementation (the `standardwebhooks` package) verifies them, the outbox and its dispatch,
 * the consumer's once-per-endpoint ledger, retries, parking, per-tenant endpoints, and secrets
 * kept out of every log line.
 */

let tenantId: string;
let n = 0;

beforeAll(async () => {
  tenantId = (await createTenant(env.DB, { name: "hook-co", now: Date.now() })).id;
});
afterEach(() => vi.restoreAllMocks());

/** A message of a new event, as the dispatcher queues it. */
async function message(target: WebhookMessage["target"] = "deployment"): Promise<WebhookMessage> {
  n++;
  const subject = `test-${n}-${crypto.randomUUID()}`;
  return {
    v: 1,
    id: await eventId("billing.period.final", tenantId, subject),
    target,
    tenant_id: tenantId,
    payload: JSON.stringify({ type: "billing.period.final", timestamp: new Date().toISOString(), data: { n } }),
  };
}

async function parked(id: string): Promise<boolean> {
  return (await countRows("parked_messages", "id = ?1", id)) > 0;
}

describe("signatures", () => {
  it("verify with the standardwebhooks package for any secret, id and body (and fail when any part changes)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 24, maxLength: 64 }),
        fc.stringMatching(/^evt_[0-9a-f]{32}$/),
        fc.string({ unit: "binary", maxLength: 200 }),
        async (bytes, id, body) => {
          const secret = `whsec_${btoa(String.fromCharCode(...bytes))}`;
          const key = secretBytes(secret);
          if (typeof key === "string") throw new Error(key);
          const now = Math.floor(Date.now() / 1000);
          const headers = await signWebhook(key, id, now, body);
          expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
          new Webhook(secret).verify(body, { ...headers }, { jsonParse: false });
          expect(() => new Webhook(secret).verify(`${body}x`, { ...headers }, { jsonParse: false })).toThrow();
          expect(() =>
            new Webhook(secret).verify(body, { ...headers, "webhook-id": `${id}0` }, { jsonParse: false }),
          ).toThrow();
        },
      ),
      { seed: 20261206, numRuns: 60 },
    );
  });

  it("derive a tenant's secret from the deployment's and the tenant id, and sign its posts with it", async () => {
    const key = secretBytes(WEBHOOK_SECRET) as Uint8Array<ArrayBuffer>;
    const secret = await tenantSecret(key, tenantId);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(await tenantSecret(key, tenantId)).toBe(secret);
    expect(await tenantSecret(key, "tn_other")).not.toBe(secret);
    expect(fromBase64(secret.slice(6))?.length).toBe(32);

    const tenantUrl = "https://hook-co.example/in";
    await setTenantWebhookUrl(env.DB, tenantId, tenantUrl, Date.now());
    const receiver = webhookReceiver({ [WEBHOOK_URL]: WEBHOOK_SECRET, [tenantUrl]: secret });
    const messages = [await message("deployment"), await message("tenant")];
    const result = await deliverWebhooks(messages, receiver.fetcher);
    expect(result.acked).toEqual(result.ids);
    expect(receiver.refused).toEqual([]);
    expect(receiver.received.map((r) => r.url)).toEqual([WEBHOOK_URL, tenantUrl]);
    await setTenantWebhookUrl(env.DB, tenantId, null, Date.now());
  });
});

describe("the configuration", () => {
  it("refuses an http URL off loopback, a secret that is not whsec_ of 24-64 bytes, and a URL without a secret", () => {
    const bad: Partial<Env>[] = [
      { BILLING_WEBHOOK_URL: "http://billing.example/in", BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET },
      { BILLING_WEBHOOK_URL: "not a url", BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET },
      { BILLING_WEBHOOK_URL: WEBHOOK_URL, BILLING_WEBHOOK_SECRET: "" },
      { BILLING_WEBHOOK_URL: WEBHOOK_URL, BILLING_WEBHOOK_SECRET: "whsec_c2hvcnQ=" },
      { BILLING_WEBHOOK_URL: WEBHOOK_URL, BILLING_WEBHOOK_SECRET: "a-plain-password-of-some-length-123" },
    ];
    for (const vars of bad) {
      let message = "";
      try {
        webhookConfigOf({ ...vars });
      } catch (err) {
        message = String(err);
      }
      expect(message, JSON.stringify(vars)).toMatch(/BILLING_WEBHOOK_(URL|SECRET)/);
      // The error names the variable, never its value.
      if (vars.BILLING_WEBHOOK_SECRET) expect(message).not.toContain(vars.BILLING_WEBHOOK_SECRET.slice(6));
    }
    expect(
      webhookConfigOf({ BILLING_WEBHOOK_URL: "http://127.0.0.1:9/in", BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET }).url,
    ).toBe("http://127.0.0.1:9/in");
    expect(webhookConfigOf({})).toEqual({ url: null, secret: null });
  });
});

describe("the outbox", () => {
  it("records an event once, and queues each once, for each endpoint configured, oldest first", async () => {
    const now = Date.now();
    const events = [0, 1, 2].map((i) => ({
      type: "reporting.silent" as const,
      tenantId,
      subject: `outbox-${i}`,
      data: { i },
      createdAt: now + i,
    }));
    const again = { ...events[0], data: { i: "changed" } } as unknown as (typeof events)[number];
    const statements = await Promise.all([...events, again].map((event) => eventStatement(env.DB, event)));
    const written = await env.DB.batch(statements);
    expect(written.map((r) => r.meta.changes)).toEqual([1, 1, 1, 0]);

    const failing = recordingQueue({ fail: "throw" }).queue as Queue;
    await expect(dispatchEvents({ ...env, ...WEBHOOKS, WEBHOOK_QUEUE: failing }, now)).rejects.toThrow(
      "queue unavailable (test)",
    );
    const { queue, messages } = recordingWebhookQueue();
    expect(await dispatchEvents({ ...env, ...WEBHOOKS, WEBHOOK_QUEUE: queue }, now)).toMatchObject({ events: 3 });
    const ours = messages.filter((m) => m.tenant_id === tenantId);
    expect(ours.map((m) => JSON.parse(m.payload).data.i)).toEqual([0, 1, 2]);
    expect(ours.map((m) => m.target)).toEqual(["deployment", "deployment", "deployment"]);
    expect(ours[0]?.id).toBe(await eventId("reporting.silent", tenantId, "outbox-0"));
    // Queued once: the next run has nothing to send.
    const next = recordingWebhookQueue();
    expect(await dispatchEvents({ ...env, ...WEBHOOKS, WEBHOOK_QUEUE: next.queue }, now)).toEqual({
      events: 0,
      messages: 0,
    });
  });
});

describe("the consumer", () => {
  it("posts each event once per endpoint, however often the queue delivers it", async () => {
    const receiver = webhookReceiver();
    const messages = [await message(), await message()];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await deliverWebhooks(messages, receiver.fetcher, { attempts: attempt });
      expect(result.acked).toEqual(result.ids);
    }
    expect(receiver.posts.length).toBe(2);
    expect(receiver.received.map((r) => r.id)).toEqual(messages.map((m) => m.id));
  });

  it("retries what failed with growing delays, holding the endpoint's later messages back so they arrive in order", async () => {
    const receiver = webhookReceiver(undefined, (i) => (i === 0 ? 503 : 200));
    const messages = [await message(), await message(), await message()];
    const first = await deliverWebhooks(messages, receiver.fetcher);
    expect(first.retried).toEqual(first.ids);
    expect(receiver.posts.length).toBe(1);
    expect(first.retryDelays[first.ids[0] ?? ""]).toBe(10);
    const second = await deliverWebhooks(messages, receiver.fetcher, { attempts: 2 });
    expect(second.acked).toEqual(second.ids);
    expect(receiver.received.map((r) => r.id)).toEqual(messages.map((m) => m.id));
  });

  it("waits at least the endpoint's Retry-After, and retries when nothing answers", async () => {
    const slow = webhookReceiver(undefined, () => 429);
    const [one] = [await message()];
    const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await slow.fetcher(input, init);
      return new Response(null, { status: res.status, headers: { "retry-after": "120" } });
    }) as typeof fetch;
    const result = await deliverWebhooks([one], fetcher);
    expect(result.retryDelays[result.ids[0] ?? ""]).toBe(120);
    const down = webhookReceiver(undefined, () => new Error("connection refused"));
    expect((await deliverWebhooks([one], down.fetcher)).retried.length).toBe(1);
  });

  it("parks what the endpoint refuses for good, what is malformed, and what has no endpoint any more", async () => {
    const refusing = webhookReceiver(undefined, () => 410);
    const refused = await deliverWebhooks([await message()], refusing.fetcher);
    expect(await parked(refused.ids[0] ?? "")).toBe(true);
    const malformed = await deliverWebhooks([{ v: 1, id: "not-an-event" }], webhookReceiver().fetcher);
    expect(await parked(malformed.ids[0] ?? "")).toBe(true);
    const orphan = await deliverWebhooks([await message("tenant")], webhookReceiver().fetcher);
    expect(await parked(orphan.ids[0] ?? "")).toBe(true);
  });

  it("retries everything when the configuration is broken or D1 cannot be read", async () => {
    const receiver = webhookReceiver();
    const broken = await deliverWebhooks([await message()], receiver.fetcher, {
      bindings: { BILLING_WEBHOOK_SECRET: "whsec_broken" },
    });
    expect(broken.retried.length).toBe(1);
    const noDb = await deliverWebhooks([await message()], receiver.fetcher, { bindings: { DB: unavailableDb } });
    expect(noDb.retried.length).toBe(1);
    expect(receiver.posts).toEqual([]);
  });

  it("never logs a secret, a signature or the tenant's derived secret", async () => {
    const lines: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg))).join(" "));
      });
    }
    const key = secretBytes(WEBHOOK_SECRET) as Uint8Array<ArrayBuffer>;
    const derived = await tenantSecret(key, tenantId);
    await setTenantWebhookUrl(env.DB, tenantId, "https://hook-co.example/in", Date.now());
    const signatures: string[] = [];
    const failing = (async (input: RequestInfo | URL, init?: RequestInit) => {
      signatures.push(new Request(input, init).headers.get("webhook-signature") ?? "");
      return new Response(null, { status: 500 });
    }) as typeof fetch;
    await deliverWebhooks([await message(), await message("tenant")], failing);
    await deliverWebhooks([await message()], failing, { bindings: { BILLING_WEBHOOK_SECRET: `${WEBHOOK_SECRET}!` } });
    await deliverWebhooks([await message()], webhookReceiver(undefined, () => 400).fetcher);
    await setTenantWebhookUrl(env.DB, tenantId, null, Date.now());
    expect(lines.length).toBeGreaterThan(3);
    const text = lines.join("\n");
    for (const secret of [WEBHOOK_SECRET.slice(6), derived.slice(6), ...signatures.map((s) => s.slice(3))]) {
      expect(text).not.toContain(secret);
    }
  });
});
