/**
 * Queues limits (KB = 1000 bytes): a message ≤ 128 KB including ~100 bytes of metadata, a
 * sendBatch ≤ 100 messages and ≤ 256 KB. Messages are packed below them with room to spare,
 * and grouped into as few sendBatch calls as the limits allow.
 */
export const MAX_MESSAGE_BYTES = 120_000;
export const MAX_SEND_BATCH_BYTES = 250_000;
export const MAX_SEND_BATCH_MESSAGES = 100;

/**
 * A message sent as a value ("v8", the Queues default) is serialised by V8's serialiser, and
 * the limits apply to those bytes. For what a message carries, V8's form is at most twice its
 * UTF-8 JSON: a string of n UTF-16 units takes at most 2n + 5 bytes (n + 4 when each unit fits
 * in a byte), where JSON takes n + 2 for printable ASCII and 2 or 3 per unit past U+00FF; a
 * number at most 9 bytes, where JSON writes at least one digit, and in a message a number is a
 * property's value behind its key (`"k":`) or one of an event's two times, beside its uuid and
 * names; a boolean one byte; an object or an array a few bytes of framing. Not so for any JSON
 * value: an array of short decimals ([0.5, 0.5, …]) takes up to 9 bytes an element against 4,
 * and no message holds one (properties are strings, numbers and booleans). So a bound of a
 * message's JSON size, doubled, bounds its V8 size. test/e2e/v8-size.test.ts holds V8's
 * serialiser (Node's, which writes the format workerd's does) to it on messages of any content.
 */
export const V8_BYTES_PER_JSON_BYTE = 2;

/** A message body with an upper bound of its size as the Queue carries it. */
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
