import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { ApiError, backendUnavailable } from "../http/errors";
import { validJson, validQuery } from "../http/validation";
import { groupForSend } from "../lib/queue-send";
import { deleteParked, oldestParked, parkedSummary } from "./store";

/**
 * The operator's view of parked dead letters, and the re-drive: parked messages are sent back
 * to their queue, then deleted. Replaying is exactly-once for the aggregates, because the
 * consumer ignores event uuids and batch ids it has already stored; a re-drive interrupted
 * between the send and the delete only sends a message twice, which the consumer absorbs.
 */

/** The queues parked messages may be re-driven to, by name. */
const targets: Record<string, (env: Env) => Queue> = {
  "edgehog-events": (env) => env.EVENTS_QUEUE,
  "edgehog-forward": (env) => env.FORWARD_QUEUE,
};

const MAX_REDRIVE = 100;

export const deadLetterRoutes = new Hono<AppEnv>()
  .get(
    "/dead-letters",
    validQuery(
      z.object({
        queue: z.string().max(64).default("edgehog-events"),
        limit: z.coerce.number().int().min(1).max(MAX_REDRIVE).default(20),
      }),
      "?queue=<queue>&limit=1-100",
    ),
    async (c) => {
      const { queue, limit } = c.req.valid("query");
      const parked = await oldestParked(c.env.DB, queue, limit);
      return c.json({
        parked: (await parkedSummary(c.env.DB)).map((q) => ({
          ...q,
          oldest_parked_at: new Date(q.oldest_parked_at).toISOString(),
        })),
        oldest: parked.map((m) => ({
          id: m.id,
          queue: m.queue,
          attempts: m.attempts,
          parked_at: new Date(m.parked_at).toISOString(),
          bytes: m.body.length,
        })),
      });
    },
  )
  .post(
    "/dead-letters/redrive",
    validJson(
      z.object({
        queue: z.string().max(64).default("edgehog-events"),
        limit: z.number().int().min(1).max(MAX_REDRIVE).default(MAX_REDRIVE),
      }),
    ),
    async (c) => {
      const { queue, limit } = c.req.valid("json");
      const target = targets[queue];
      if (!target)
        throw new ApiError(400, "unknown_queue", `messages can be re-driven to: ${Object.keys(targets).join(", ")}`);
      const parked = await oldestParked(c.env.DB, queue, limit);
      let redriven = 0;
      for (const group of groupForSend(
        parked.map((m) => ({ id: m.id, body: m.body, bytes: new TextEncoder().encode(m.body).length + 100 })),
      )) {
        try {
          await target(c.env).sendBatch(
            group.map((m) => ({ body: JSON.parse(m.body) as unknown, contentType: "json" })),
          );
        } catch (err) {
          console.error("re-driving parked messages failed", err);
          throw backendUnavailable(
            "queue_unavailable",
            `the queue refused parked messages after ${redriven} were re-driven; the rest stay parked, retry later`,
          );
        }
        await deleteParked(
          c.env.DB,
          group.map((m) => m.id),
        );
        redriven += group.length;
      }
      const left = (await parkedSummary(c.env.DB)).find((s) => s.queue === queue)?.messages ?? 0;
      return c.json({ queue, redriven, still_parked: left });
    },
  );
