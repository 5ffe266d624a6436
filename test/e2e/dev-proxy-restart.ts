/**
 * wrangler dev's own 503 when its proxy's pooled connection to the collector was dropped under
 * it (cloudflare/workers-sdk#14641): a fixed plain-text sentence the collector never writes (its
 * errors are JSON). The tests that meet it send the request again (dev-proxy-retry.ts for Node's
 * fetch, posthog.ts's recording proxy for what a browser sends), at most MAX_REPLAYS times.
 */
const DEV_PROXY_RESTART = "Your worker restarted mid-request.";

export const MAX_REPLAYS = 2;

/** Whether an answer is wrangler dev's proxy saying it lost the request. */
export function isDevProxyRestart(status: number, body: string): boolean {
  return status === 503 && body.startsWith(DEV_PROXY_RESTART);
}
