import { z } from "zod";
import { positiveInt, varsReader } from "../lib/vars";

/** The largest MAX_EVENT_BYTES an operator may set. */
export const MAX_EVENT_BYTES_CEILING = 50_000;

/**
 * The ingest core's caps on a batch (wrangler.toml vars); the body's own caps are
 * http/read-body's. RAW_EVENT_RETENTION_DAYS is also the oldest event accepted: an older one
 * could no longer be recognised as a duplicate, and would open days long closed.
 */
export const ingestLimitsOf = varsReader(
  "ingest limit",
  z.object({
    /** Events per request (Teleport sends up to 500). */
    MAX_EVENTS_PER_BATCH: positiveInt(1000),
    /**
     * One event, as JSON. At most 50,000: an event travels in one Queue message, whose V8 form
     * may take twice its JSON (src/lib/queue-send.ts), under the 128 KB a message may hold.
     */
    MAX_EVENT_BYTES: positiveInt(8192, MAX_EVENT_BYTES_CEILING),
    /** Ceiling on any string property, on top of the catalogue's own caps. */
    MAX_STRING_LENGTH: positiveInt(256),
    /** Raw events are kept this long, and no event older than this is accepted. */
    RAW_EVENT_RETENTION_DAYS: positiveInt(30),
  }),
);
export type IngestLimits = ReturnType<typeof ingestLimitsOf>;
