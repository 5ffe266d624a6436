import { env } from "cloudflare:workers";
import { consumeForward } from "../../src/forward/consumer";
import type { ForwardMessage } from "../../src/forward/message";
import { deliver, recordingQueue } from "../helpers/queue";

/** Forwarding on, to a host only the test's fake fetch answers for. */
export const FORWARDING: Partial<Env> = { POSTHOG_HOST: "https://posthog.example", POSTHOG_API_KEY: "phc_test_key" };

export interface UpstreamPost {
  url: string;
  headers: Headers;
  body: { api_key: string; batch: { uuid: string; properties: Record<string, unknown>; [key: string]: unknown }[] };
}

/**
 * A fake upstream PostHog: answers each post with `answer(n)` (n counts posts from 0; a number
 * is a status, an Error a network failure) and keeps the posts it accepted (2xx) apart.
 */
export function fakeUpstream(answer: (n: number) => number | Error | Response = () => 200) {
  const posts: UpstreamPost[] = [];
  const accepted: UpstreamPost[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const inflated = request.body?.pipeThrough(new DecompressionStream("gzip"));
    const post: UpstreamPost = {
      url: request.url,
      headers: request.headers,
      body: JSON.parse(await new Response(inflated ?? null).text()),
    };
    const reply = answer(posts.length);
    posts.push(post);
    if (reply instanceof Error) throw reply;
    const res = typeof reply === "number" ? new Response(JSON.stringify({ status: 1 }), { status: reply }) : reply;
    if (res.ok) accepted.push(post);
    return res;
  }) as typeof fetch;
  return { fetcher, posts, accepted, acceptedUuids: () => accepted.flatMap((p) => p.body.batch.map((e) => e.uuid)) };
}

/** Delivers forward messages to the forward consumer, as the Queue would, with a fake upstream. */
export async function deliverForward(
  bodies: unknown[],
  fetcher: typeof fetch,
  options: { attempts?: number; ids?: string[]; bindings?: Partial<Env> } = {},
) {
  const result = await deliver(
    bodies,
    { ...env, ...FORWARDING, ...options.bindings },
    { ...options, queue: "edgehog-forward", consume: (batch, bindings) => consumeForward(batch, bindings, fetcher) },
  );
  return {
    acked: [...result.explicitAcks],
    retried: result.retryMessages.map((m: { msgId: string }) => m.msgId),
    retryDelays: result.retryDelays,
    ids: result.ids,
  };
}

/** The app's forwarding counters, summed over every day. */
export async function forwardCounts(app = "teleport-connect") {
  return (
    (await env.DB.prepare(
      `SELECT COALESCE(SUM(forwarded), 0) AS forwarded, COALESCE(SUM(duplicates), 0) AS duplicates,
              COALESCE(SUM(failed_posts), 0) AS failed_posts, COALESCE(SUM(not_queued), 0) AS not_queued,
              COALESCE(SUM(forgotten), 0) AS forgotten
       FROM forward_counts WHERE app = ?1`,
    )
      .bind(app)
      .first<{
        forwarded: number;
        duplicates: number;
        failed_posts: number;
        not_queued: number;
        forgotten: number;
      }>()) ?? {
      forwarded: 0,
      duplicates: 0,
      failed_posts: 0,
      not_queued: 0,
      forgotten: 0,
    }
  );
}

/**
 * Stores events-queue messages with the events consumer, forwarding on (FORWARDING unless
 * `bindings` say otherwise), its forward queue recording what it is sent.
 */
export async function storeForwarding(bodies: unknown[], bindings: Partial<Env> = {}, attempts = 1) {
  const forward = recordingQueue<ForwardMessage>();
  const result = await deliver(
    bodies,
    { ...env, ...FORWARDING, FORWARD_QUEUE: forward.queue, ...bindings },
    { attempts },
  );
  return {
    acked: [...result.explicitAcks],
    retried: result.retryMessages.map((m: { msgId: string }) => m.msgId),
    ids: result.ids,
    messages: forward.bodies,
    forwarded: forward.bodies.flatMap((message) => message.events),
  };
}
