import { isLoopbackHost } from "./loopback";

/**
 * Where the collector may send data to (an upstream PostHog, a webhook endpoint): an https URL,
 * or http to a loopback address (a local test server). One rule for every path out, so that no
 * payload ever crosses the network in clear.
 */

export type OutboundUrl = { ok: true; url: URL } | { ok: false; reason: "not_a_url" | "not_https" };

export function outboundUrl(value: string): OutboundUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: "not_a_url" };
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) return { ok: true, url };
  return { ok: false, reason: "not_https" };
}
