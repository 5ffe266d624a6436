import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { ApiError, storageUnavailable } from "../http/errors";
import { jsonResponse, routesApp } from "../http/openapi";
import { groupForSend } from "../lib/queue-send";
import { deleteParked, oldestParked, parkedSummary } from "./store";

/**
 * The operator's view of parked dead letters, and the re-drive: parked messages are sent back
 * to their queue, then deleted. Replaying is exactly-once for the aggregates, because the
 * consumer ignores event uuids and batch ids it has already stored; a re-drive interrupted
 * between the send and the delete only sends a message twice, which the consumer absorbs.
 * Before a message goes back, its queue's target strips the events of installs forgotten while
 * it was parked (tombstones are kept while messages are parked: src/forget/tombstones.ts), so a
 * forget holds for a re-driven message even once its tombstone is gone.
 */

/** One queue parked messages may be re-driven to (its consumer's folder knows its messages). */
export interface RedriveTarget {
  queue(env: Env): Queue;
  /**
   * The bodies without the events of forgotten installs, in order: a body as it was when it
   * holds none (or cannot be read), `null` when nothing of it is left to send. Throws when the
   * tombstones cannot be read.
   */
  withoutForgotten(env: Env, bodies: readonly unknown[]): Promise<unknown[]>;
}

const MAX_REDRIVE = 100;

const listRoute = createRoute({
  method: "get",
  path: "/dead-letters",
  tags: ["dead letters"],
  summary: "Parked messages per queue, and the oldest of one queue",
  security: OPERATOR_SECURITY,
  request: {
    query: z.object({
      queue: z.string().max(64).default("edgehog-events"),
      limit: z.coerce.number().int().min(1).max(MAX_REDRIVE).default(20),
    }),
  },
  responses: { 200: jsonResponse("the parked messages"), ...operatorErrorResponses("invalid_query") },
});

const redriveRoute = createRoute({
  method: "post",
  path: "/dead-letters/redrive",
  tags: ["dead letters"],
  summary: "Send the oldest parked messages of a queue back to it",
  security: OPERATOR_SECURITY,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({
            queue: z.string().max(64).default("edgehog-events"),
            limit: z.number().int().min(1).max(MAX_REDRIVE).default(MAX_REDRIVE),
          }),
        },
      },
    },
  },
  responses: {
    200: jsonResponse("how many were re-driven, how many are still parked"),
    ...operatorErrorResponses("invalid_body", "unknown_queue"),
  },
});

/** The operator's dead-letter routes, re-driving to `targets` (queue name → target). */
export function deadLetterRoutes(targets: Readonly<Record<string, RedriveTarget>>) {
  return routesApp<AppEnv>()
    .openapi(listRoute, async (c) => {
      const { queue, limit } = c.req.valid("query");
      const parked = await oldestParked(c.env.DB, queue, limit);
      return c.json(
        {
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
        },
        200,
      );
    })
    .openapi(redriveRoute, async (c) => {
      const { queue, limit } = c.req.valid("json");
      const target = Object.hasOwn(targets, queue) ? targets[queue] : undefined;
      if (!target)
        throw new ApiError("unknown_queue", `messages can be re-driven to: ${Object.keys(targets).join(", ")}`);
      const parked = await oldestParked(c.env.DB, queue, limit);
      const bodies = await target.withoutForgotten(
        c.env,
        parked.map((m) => JSON.parse(m.body) as unknown),
      );
      let redriven = 0;
      const sized = parked.map((m, i) => ({
        id: m.id,
        body: bodies[i],
        bytes: new TextEncoder().encode(m.body).length + 100,
      }));
      for (const group of groupForSend(sized)) {
        const sending = group.filter((m) => m.body !== null);
        try {
          if (sending.length > 0) {
            await target.queue(c.env).sendBatch(sending.map((m) => ({ body: m.body, contentType: "json" })));
          }
        } catch (err) {
          // The one rule's answer (http/errors.ts), saying how far the re-drive went.
          console.error("re-driving parked messages failed", err);
          throw storageUnavailable(
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
      return c.json({ queue, redriven, still_parked: left }, 200);
    });
}
