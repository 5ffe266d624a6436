import { HOUR_MS } from "../lib/time";

/** How far ahead of the collector's clock an event may claim to be before it is clamped. */
export const MAX_FUTURE_MS = 23 * HOUR_MS;

/**
 * Corrects a client's clock skew. When the client says when it sent the batch (`sentAt`), the
 * offset of each event from that moment is trusted, but not the client's absolute clock:
 * `timestamp = receivedAt + (timestamp - sentAt)`. Whatever still lands more than 23 h in the
 * future is clamped to `receivedAt` (the same rule as PostHog's capture).
 */
export function correctTimestamp(timestamp: number, receivedAt: number, sentAt: number | undefined): number {
  const corrected = sentAt === undefined ? timestamp : receivedAt + (timestamp - sentAt);
  return corrected - receivedAt > MAX_FUTURE_MS ? receivedAt : corrected;
}
