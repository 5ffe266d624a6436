import type { RedriveTarget } from "../deadletters/routes";
import { parseBatchMessage } from "../ingest/queue-message";
import { eventDatabases } from "../lib/event-databases";
import { withoutForgotten } from "../lib/forgotten";

/**
 * Re-driving parked messages of the events queue: each goes back as it was parked, except that
 * the events of installs forgotten meanwhile are taken out (the message then carries the rest
 * as version 1, which the consumer reads as well). Its per-request counters stay: they name no
 * install. A message that cannot be read goes back as it is, to be parked again.
 */
export const eventsRedrive: RedriveTarget = {
  queue: (env) => env.EVENTS_QUEUE,
  async withoutForgotten(env, bodies) {
    const messages = bodies.map((body) => {
      const parsed = parseBatchMessage(body);
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
      return events && message ? { ...message, events } : body;
    });
  },
};
