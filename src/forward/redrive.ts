import type { RedriveTarget } from "../deadletters/routes";
import { eventDatabases } from "../lib/event-databases";
import { withoutForgotten } from "../lib/forgotten";
import { forwardMessageSchema } from "./message";

/**
 * Re-driving parked messages of the forward queue: the events of installs forgotten while they
 * were parked are taken out before they go back (the consumer checks again at send time), and a
 * message left with none is not sent at all. A message that cannot be read goes back as it is,
 * to be parked again.
 */
export const forwardRedrive: RedriveTarget = {
  queue: (env) => env.FORWARD_QUEUE,
  async withoutForgotten(env, bodies) {
    const messages = bodies.map((body) => {
      const parsed = forwardMessageSchema.safeParse(body);
      return parsed.success ? parsed.data : undefined;
    });
    const kept = await withoutForgotten(
      eventDatabases(env),
      messages.map((message) => message?.events),
      (event) => event.distinct_id,
    );
    return bodies.map((body, i) => {
      const events = kept[i];
      const message = messages[i];
      if (!events || !message) return body;
      return events.length > 0 ? { ...message, events } : null;
    });
  },
};
