// @ts-check
/**
 * The workers project's output without workerd's teardown notice. When a test file ends, the
 * pool closes its WebSocket to the runner, and workerd logs
 * `exception = workerd/api/web-socket.c++:NNN: disconnected: WebSocket peer disconnected`; the
 * pool (@cloudflare/vitest-pool-workers 0.15) writes every workerd log line itself, from the
 * vitest process (this one at info level, to stdout), and takes no option to filter them (it
 * ignores a few such notices, not this one: later releases add it, cloudflare/workers-sdk#13833).
 * One line per test file, saying nothing about the tests.
 *
 * Exactly that line is dropped, and only when it is the whole write: anything else workerd or a
 * test prints, an exception with a stack, another disconnection, passes untouched.
 */
const TEARDOWN_NOTICE =
  /^exception = workerd\/api\/web-socket\.c\+\+:\d+: disconnected: WebSocket peer disconnected\n?$/;

/**
 * Whether one write is workerd's teardown notice and nothing else.
 * @param {string | Uint8Array} chunk
 */
export function isWorkerdTeardownNotice(chunk) {
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  return TEARDOWN_NOTICE.test(text);
}

/**
 * Drops the teardown notice from a stream of this process (the one the pool runs in).
 * @param {{ write: Function }} stream
 */
export function dropWorkerdTeardownNotices(stream) {
  const write = stream.write.bind(stream);
  stream.write = (/** @type {string | Uint8Array} */ chunk, /** @type {unknown[]} */ ...rest) => {
    if (!isWorkerdTeardownNotice(chunk)) return write(chunk, ...rest);
    const done = rest.find((arg) => typeof arg === "function");
    if (typeof done === "function") done();
    return true;
  };
}
