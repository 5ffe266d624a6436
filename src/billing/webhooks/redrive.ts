import type { RedriveTarget } from "../../deadletters/routes";

/**
 * Re-driving parked messages of the webhook queue: they go back as they were parked. A webhook
 * names no install (figures, ids and digests only), so no forget can concern it; the consumer's
 * ledger posts nothing an endpoint already took.
 */
export const webhookRedrive: RedriveTarget = {
  queue: (env) => env.WEBHOOK_QUEUE,
  withoutForgotten: async (_env, bodies) => [...bodies],
};
