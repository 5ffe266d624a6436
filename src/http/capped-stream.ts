import { ApiError } from "./errors";

/**
 * Streams read under a cap: the body's bytes on the wire (`byteCap`), a whole stream
 * (`readCapped`), and inflation that can never run ahead of its cap (`inflateCapped`). Every
 * door that reads a body (http/read-body.ts, the prehog codec) reads through these.
 */

/**
 * Called once with the body's size on the wire, when it has been read and before it is parsed
 * (the request limiter charges for it: a large body costs more than a small one).
 */
export type BodyBytesHook = (bytes: number) => Promise<void>;

/**
 * Compressed input reaches the decompressor in slices of at most this many bytes, one slice at a
 * time, and the next slice only once the output of the last one has been read and counted.
 * The platform's decompressor inflates whatever it is given at once, with no regard for how
 * much of its output has been read: one 1 MB chunk of a maximal gzip bomb would become a
 * gigabyte in memory before the cap could be checked. Deflate inflates at most about 1,032
 * bytes per input byte, so no more than ~4 MiB can exist beyond what the cap has counted.
 */
export const INFLATE_SLICE_BYTES = 4096;

/** Inflates a gzip or deflate stream, reading (and keeping) at most `max` inflated bytes. */
export async function inflateCapped(
  compressed: ReadableStream<Uint8Array>,
  format: "gzip" | "deflate",
  max: number,
  tooLarge: () => ApiError,
): Promise<Uint8Array> {
  const decompressor = new DecompressionStream(format);
  const writer = decompressor.writable.getWriter();
  const output = readCapped(decompressor.readable, max, tooLarge, format);
  // If the output fails (over the cap, not valid gzip), stop feeding at once.
  let failed = false;
  output.catch(() => {
    failed = true;
  });
  const input = compressed.getReader();
  try {
    for (;;) {
      const { done, value } = await input.read();
      if (done) break;
      for (let at = 0; at < value.byteLength && !failed; at += INFLATE_SLICE_BYTES) {
        await writer.write(value.subarray(at, at + INFLATE_SLICE_BYTES));
        // A macrotask: every output chunk this slice produced is read (and counted) first.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      if (failed) break;
    }
    if (!failed) await writer.close();
  } catch (err) {
    if (!failed) {
      await writer.abort().catch(() => {});
      if (err instanceof ApiError) throw err;
      throw new ApiError("invalid_encoding", `the body is not valid ${format} data`);
    }
  } finally {
    if (failed) {
      await writer.abort().catch(() => {});
      await input.cancel().catch(() => {});
    }
  }
  return output;
}

/**
 * Reads a stream to the end, giving up (and cancelling it) once it passes `max` bytes. `onEnd`
 * is told how many bytes were read, at the end or once past the cap (as `byteCap` does).
 */
export async function readCapped(
  stream: ReadableStream<Uint8Array>,
  max: number,
  tooLarge: () => ApiError,
  encoding: string,
  onEnd?: BodyBytesHook,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        // The bytes were read all the same: they are paid for, whatever the hook says.
        await onEnd?.(total).catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError("invalid_encoding", `the body is not valid ${encoding} data`);
  }
  await onEnd?.(total);
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** A pass-through stream that errors once more than `max` bytes have gone through it. */
export function byteCap(
  max: number,
  error: () => Error,
  onEnd?: BodyBytesHook,
): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    async transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) {
        // The bytes were read all the same: they are paid for, whatever the hook says.
        await onEnd?.(seen).catch(() => {});
        controller.error(error());
      } else controller.enqueue(chunk);
    },
    // The whole body has arrived and nothing is parsed yet: the moment to charge for it.
    flush: async () => onEnd?.(seen),
  });
}
