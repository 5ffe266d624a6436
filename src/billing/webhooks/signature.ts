import { toBase64 } from "../../lib/bytes";
import { hmacKey, hmacSha256 } from "../../lib/crypto";

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the signed content is
 * `<webhook-id>.<webhook-timestamp>.<body>`, the signature `v1,` + standard base64 of its
 * HMAC-SHA256 under the secret's bytes (what follows `whsec_`, base64-decoded). The timestamp is
 * that of the attempt, in Unix seconds, so a receiver can refuse replays of old attempts.
 */

export interface WebhookHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export async function signWebhook(
  secret: Uint8Array<ArrayBuffer>,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<WebhookHeaders> {
  const mac = await hmacSha256(await hmacKey(secret), `${id}.${timestampSeconds}.${body}`);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${toBase64(mac)}`,
  };
}
