import { isDevProxyRestart, sendPastDevProxyRestarts } from "./dev-proxy-restart";

/**
 * vitest setupFile for the tests that drive `wrangler dev` from Node: replays a request that
 * wrangler's own dev proxy failed before the collector answered it.
 *
 * `wrangler dev` puts a proxy Worker in front of the collector. When the proxy's pooled connection
 * to the collector is dropped under it (cloudflare/workers-sdk#14641: kj's keep-alive timeout, the
 * collector never restarted), the proxy answers 503 with a fixed plain-text sentence and retries
 * only GET and HEAD itself. That answer never comes from the collector, whose errors are JSON, so
 * a test that met it would be testing the dev server. Requests whose body can be sent again are
 * sent again, at most twice, and each replay is logged; anything else is returned as it came.
 * A replay cannot count twice: the proxy lost the request on its way in, and the ingest routes
 * deduplicate events and usage reports by their ids all the same.
 */

const stockFetch = globalThis.fetch;

function canReplay(input: Parameters<typeof fetch>[0], init: RequestInit | undefined): boolean {
  if (input instanceof Request) return !input.bodyUsed;
  return !(init?.body instanceof ReadableStream);
}

globalThis.fetch = async function fetchPastDevProxyRestarts(input, init) {
  if (!canReplay(input, init)) return stockFetch(input, init);
  const request = input instanceof Request ? `${input.method} ${input.url}` : `${init?.method ?? "GET"} ${input}`;
  return sendPastDevProxyRestarts(
    request,
    () => stockFetch(input instanceof Request ? input.clone() : input, init),
    // Only a 503 is read: the other answers' bodies stay the caller's.
    async (response) => response.status === 503 && isDevProxyRestart(response.status, await response.clone().text()),
  );
};
