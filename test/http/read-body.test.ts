import { afterEach, describe, expect, it } from "vitest";
import { INFLATE_SLICE_BYTES, inflateCapped } from "../../src/http/capped-stream";
import { ApiError } from "../../src/http/errors";
import { compress } from "../helpers/harness";

const MiB = 1024 * 1024;

/** gzip of `size` zero bytes: the best ratio deflate achieves (about 1,030 to 1). */
async function zerosGzip(size: number): Promise<Uint8Array> {
  const zeros = new Uint8Array(MiB);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < size / MiB; i++) controller.enqueue(zeros);
      controller.close();
    },
  });
  return new Uint8Array(await new Response(stream.pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

const scope = globalThis as unknown as { DecompressionStream: typeof DecompressionStream };
const Native = scope.DecompressionStream;
afterEach(() => {
  scope.DecompressionStream = Native;
});

describe("inflating under a cap", () => {
  it("never lets the decompressor take more input than the cap needs, even from one huge chunk", async () => {
    const bomb = await zerosGzip(256 * MiB); // ~250 KB of gzip, 256 MiB inflated
    let fed = 0;
    // Count what the decompressor is given, whatever the code under test does with its output.
    scope.DecompressionStream = class extends Native {
      constructor(format: "gzip" | "deflate" | "deflate-raw") {
        super(format);
        const inner = this.writable.getWriter();
        const counted = new WritableStream<Uint8Array>({
          write: (chunk) => {
            fed += chunk.byteLength;
            return inner.write(chunk);
          },
          close: () => inner.close(),
          abort: (reason) => inner.abort(reason),
        });
        Object.defineProperty(this, "writable", { value: counted });
      }
    };
    const oneChunk = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bomb);
        controller.close();
      },
    });
    const cap = 4 * MiB;
    const tooLarge = () => new ApiError("payload_too_large", "over the cap");
    await expect(inflateCapped(oneChunk, "gzip", cap, tooLarge)).rejects.toMatchObject({ status: 413 });
    // 4 MiB of zeros need ~4 KiB of input; a few slices may be in flight when the cap is crossed.
    expect(bomb.byteLength).toBeGreaterThan(200_000);
    expect(fed).toBeLessThanOrEqual(cap / 1000 + 16 * INFLATE_SLICE_BYTES);
  });

  it("inflates a body under the cap exactly", async () => {
    const text = JSON.stringify({ hello: "world", n: [1, 2, 3] }).repeat(1000);
    const gz = await compress(text);
    const inflated = await inflateCapped(
      new Blob([gz]).stream(),
      "gzip",
      MiB,
      () => new ApiError("payload_too_large", "x"),
    );
    expect(new TextDecoder().decode(inflated)).toBe(text);
  });
});
