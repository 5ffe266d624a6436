import { z } from "zod";
import { fromBase64, toBase64 } from "../../lib/bytes";
import { hmacKey, hmacSha256 } from "../../lib/crypto";
import { outboundUrl } from "../../lib/outbound-url";
import { varsReader } from "../../lib/vars";

/**
 * Where billing's webhooks go, and what signs them (docs/BILLING.md):
 * - `BILLING_WEBHOOK_URL` (wrangler.toml var): the deployment's endpoint (an invoicing system);
 *   https, or http to a loopback address; empty: no deployment endpoint;
 * - `BILLING_WEBHOOK_SECRET` (secret): `whsec_` + standard base64 of 24 to 64 random bytes, as
 *   Standard Webhooks has it. Required as soon as any endpoint exists: nothing is sent unsigned.
 * A tenant may have its own endpoint (its contract's `webhook_url`); its secret is derived from
 * the deployment's and the tenant id (tenantSecret), so no signing secret is ever stored in D1.
 * Error messages name the variables, never their values.
 */

export const SECRET_PREFIX = "whsec_";
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export interface WebhookConfig {
  /** The deployment's endpoint, or null. */
  url: string | null;
  /** The signing secret's bytes, or null when none is set. */
  secret: Uint8Array<ArrayBuffer> | null;
}

/** The bytes of a `whsec_` secret, or a reason it is not one (never the value). */
export function secretBytes(value: string): Uint8Array<ArrayBuffer> | string {
  if (!value.startsWith(SECRET_PREFIX)) return `must start with ${SECRET_PREFIX}`;
  const bytes = fromBase64(value.slice(SECRET_PREFIX.length));
  if (!bytes || bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES) {
    return `must be ${SECRET_PREFIX} and the standard base64 of ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} random bytes (e.g. ${SECRET_PREFIX}$(openssl rand -base64 32))`;
  }
  return bytes as Uint8Array<ArrayBuffer>;
}

export const webhookConfigOf = varsReader(
  "billing webhooks",
  z
    .object({
      BILLING_WEBHOOK_URL: z.string().default(""),
      BILLING_WEBHOOK_SECRET: z.string().default(""),
    })
    .transform((vars, ctx): WebhookConfig => {
      const rawUrl = vars.BILLING_WEBHOOK_URL.trim();
      const rawSecret = vars.BILLING_WEBHOOK_SECRET.trim();
      let url: string | null = null;
      if (rawUrl !== "") {
        const checked = outboundUrl(rawUrl);
        if (!checked.ok) {
          ctx.addIssue({
            code: "custom",
            message: "BILLING_WEBHOOK_URL must be an https URL (http only to a loopback address)",
          });
          return z.NEVER;
        }
        url = checked.url.href;
      }
      let secret: Uint8Array<ArrayBuffer> | null = null;
      if (rawSecret !== "") {
        const bytes = secretBytes(rawSecret);
        if (typeof bytes === "string") {
          ctx.addIssue({ code: "custom", message: `BILLING_WEBHOOK_SECRET ${bytes}` });
          return z.NEVER;
        }
        secret = bytes;
      }
      if (url !== null && secret === null) {
        ctx.addIssue({
          code: "custom",
          message:
            "BILLING_WEBHOOK_URL is set but BILLING_WEBHOOK_SECRET is not: npx wrangler secret put BILLING_WEBHOOK_SECRET",
        });
        return z.NEVER;
      }
      return { url, secret };
    }),
);

/** Checks a tenant's own endpoint: https, or http to a loopback address. */
export function tenantWebhookUrl(value: string): string | null {
  const checked = outboundUrl(value.trim());
  return checked.ok ? checked.url.href : null;
}

/**
 * A tenant endpoint's signing key: HMAC-SHA256(the deployment's secret, "edgehog tenant webhook
 * secret v1 " + tenant id). Rotating the deployment's secret rotates it.
 */
export async function tenantSecretBytes(
  deploymentSecret: Uint8Array<ArrayBuffer>,
  tenantId: string,
): Promise<Uint8Array<ArrayBuffer>> {
  return hmacSha256(await hmacKey(deploymentSecret), `edgehog tenant webhook secret v1 ${tenantId}`);
}

/** The same key as a Standard Webhooks secret (`whsec_` + base64), for the tenant's receiver. */
export async function tenantSecret(deploymentSecret: Uint8Array<ArrayBuffer>, tenantId: string): Promise<string> {
  return SECRET_PREFIX + toBase64(await tenantSecretBytes(deploymentSecret, tenantId));
}
