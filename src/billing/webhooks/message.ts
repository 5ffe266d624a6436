import { z } from "zod";

/**
 * One message of the webhook queue: one event for one endpoint, carrying the body exactly as it
 * is signed and sent. `target` names the endpoint: the deployment's (BILLING_WEBHOOK_URL) or the
 * tenant's own (its contract's webhook_url), looked up when it is sent.
 */
export const WEBHOOK_TARGETS = ["deployment", "tenant"] as const;
export type WebhookTarget = (typeof WEBHOOK_TARGETS)[number];

export const webhookMessageSchema = z.object({
  v: z.literal(1),
  id: z.string().regex(/^evt_[0-9a-f]{32}$/),
  target: z.enum(WEBHOOK_TARGETS),
  tenant_id: z.string().min(1).max(64),
  payload: z.string().min(2),
});
export type WebhookMessage = z.infer<typeof webhookMessageSchema>;
