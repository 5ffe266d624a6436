/**
 * Queues limits (KB = 1000 bytes): a message ≤ 128 KB including ~100 bytes of metadata, a
 * sendBatch ≤ 100 messages and ≤ 256 KB. Messages are packed below them with room to spare,
 * and grouped into as few sendBatch calls as the limits allow.
 */
export const MAX_MESSAGE_BYTES = 120_000;
export const MAX_SEND_BATCH_BYTES = 250_000;
export const MAX_SEND_BATCH_MESSAGES = 100;

/** A message body with an upper bound of its size as JSON. */
export interface SizedMessage<T> {
  body: T;
  bytes: number;
}

/** Groups messages into sendBatch calls that respect the per-call count and byte limits. */
export function groupForSend<T extends SizedMessage<unknown>>(messages: readonly T[]): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let groupBytes = 0;
  for (const message of messages) {
    if (
      group.length > 0 &&
      (group.length === MAX_SEND_BATCH_MESSAGES || groupBytes + message.bytes > MAX_SEND_BATCH_BYTES)
    ) {
      groups.push(group);
      group = [];
      groupBytes = 0;
    }
    group.push(message);
    groupBytes += message.bytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Splits items into consecutive runs whose sizes add up to at most `maxBytes` (an item larger
 * than that travels alone): how a list of events is packed into Queue messages.
 */
export function chunkBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let chunkBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (chunk.length > 0 && chunkBytes + size > maxBytes) {
      chunks.push(chunk);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push(item);
    chunkBytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
