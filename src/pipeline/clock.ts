/** How far ahead of the collector's clock an event may claim to be before it is clamped. */
export const MAX_FUTURE_MS = 23 * 60 * 60 * 1000;

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

/** The UTC day (`YYYY-MM-DD`) of a time in ms. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
