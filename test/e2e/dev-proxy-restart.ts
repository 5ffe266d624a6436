/**
 * wrangler dev's own 503 when its proxy's pooled connection to the collector was dropped under
 * it (cloudflare/workers-sdk#14641): a fixed plain-text sentence the collector never writes (its
 * errors are JSON). The tests that meet it send the request again through sendPastDevProxyRestarts
 * (dev-proxy-retry.ts for Node's fetch, posthog.ts's recording proxy for what a browser sends).
 */
const DEV_PROXY_RESTART = "Your worker restarted mid-request.";

/** Sends again at most this many times. */
const MAX_REPLAYS = 2;

/** Whether an answer is wrangler dev's proxy saying it lost the request. */
export function isDevProxyRestart(status: number, body: string): boolean {
  return status === 503 && body.startsWith(DEV_PROXY_RESTART);
}

/**
 * Sends a request with `send` and sends it again, each time logged, while `lost` says the
 * answer was wrangler dev's proxy losing it, at most MAX_REPLAYS times; resolves the last answer.
 * `what` names the request in the log ("POST /e/").
 */
export async function sendPastDevProxyRestarts<A>(
  what: string,
  send: () => Promise<A>,
  lost: (answer: A) => Promise<boolean>,
): Promise<A> {
  for (let replays = 0; ; replays += 1) {
    const answer = await send();
    if (replays === MAX_REPLAYS || !(await lost(answer))) return answer;
    console.warn(`wrangler dev's proxy dropped ${what}; sending it again`);
  }
}
