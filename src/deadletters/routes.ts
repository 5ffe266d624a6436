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

/** The operator's dead-letter routes, re-driving to `targets` (queue name → target). */
export function deadLetterRoutes(targets: Readonly<Record<string, RedriveTarget>>) {
  return new Hono<AppEnv>()
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
        const target = Object.hasOwn(targets, queue) ? targets[queue] : undefined;
        if (!target)
          throw new ApiError(400, "unknown_queue", `messages can be re-driven to: ${Object.keys(targets).join(", ")}`);
        const parked = await oldestParked(c.env.DB, queue, limit);
        let bodies: unknown[];
        try {
          bodies = await target.withoutForgotten(
            c.env,
            parked.map((m) => JSON.parse(m.body) as unknown),
          );
        } catch (err) {
          console.error("reading the tombstones for a re-drive failed", err);
          throw backendUnavailable("storage_unavailable", "nothing was re-driven: D1 could not be read; retry later");
        }
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
}
