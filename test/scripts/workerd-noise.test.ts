import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dropWorkerdTeardownNotices, isWorkerdTeardownNotice } from "../workerd-noise.mjs";

/** The filter of the workers project's stderr (test/workerd-noise.mjs) drops one notice and nothing else. */
const NOTICE = "exception = workerd/api/web-socket.c++:821: disconnected: WebSocket peer disconnected\n";

describe("workerd's teardown notice", () => {
  it("is recognised whatever its source line, as text or bytes", () => {
    expect(isWorkerdTeardownNotice(NOTICE)).toBe(true);
    expect(isWorkerdTeardownNotice(NOTICE.replace("821", "1234"))).toBe(true);
    expect(isWorkerdTeardownNotice(new TextEncoder().encode(NOTICE))).toBe(true);
  });

  it("is the only thing dropped: any other write passes, the notice within other text too", () => {
    const others = [
      "exception = workerd/api/web-socket.c++:821: disconnected: WebSocket was aborted\n",
      "exception = workerd/io/worker.c++:100: failed: uncaught exception\n",
      `${NOTICE}Error: a real failure\n    at test.ts:1:1\n`,
      `stderr | test/x.test.ts\n${NOTICE}`,
      NOTICE.replace("exception", "error"),
    ];
    for (const text of others) expect(isWorkerdTeardownNotice(text), text).toBe(false);
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        fc.pre(before.length + after.length > 0 && `${before}${after}` !== "\n");
        expect(isWorkerdTeardownNotice(`${before}${NOTICE.trimEnd()}${after}`)).toBe(false);
      }),
      { seed: 20261206, numRuns: 300 },
    );
  });

  it("is dropped from a stream, whose other writes reach it unchanged", () => {
    const written: string[] = [];
    const stream = { write: (chunk: string) => written.push(chunk) > 0 };
    dropWorkerdTeardownNotices(stream);
    for (const chunk of ["first\n", NOTICE, "exception = workerd/io/worker.c++:1: failed\n", NOTICE])
      stream.write(chunk);
    expect(written).toEqual(["first\n", "exception = workerd/io/worker.c++:1: failed\n"]);
  });
});
