/**
 * The loopback host names (`wrangler dev` on this machine): where a weak operator token may be
 * used, where the session cookie cannot be Secure, and where data may be sent over plain HTTP
 * (an upstream PostHog, a webhook endpoint: outbound-url.ts).
 */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Whether a URL's hostname (as `URL.hostname` spells it) is this machine's. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}
