// @ts-check
// The launcher's checks of 127.0.0.1 (./wrangler-dev.mjs): free ports to start servers on, whether
// a port is taken (`npm start`), and the one readiness probe, which is bounded by its own timer
// rather than by an HTTP client's abort signal, so a wait for a server cannot hang on it.
import { get as httpGet } from "node:http";
import { createServer } from "node:net";

/** Ports handed out in this process: the OS may offer a released port again to the next caller. */
const handedOut = new Set();

/**
 * A free TCP port on 127.0.0.1 (asked from the OS, then released), never one this process
 * already handed out: servers starting in parallel would otherwise get the same port (one's
 * HTTP port, another's inspector), and the readiness check would reach the wrong server.
 * @returns {Promise<number>}
 */
export async function freePort() {
  for (;;) {
    /** @type {number} */
    const port = await new Promise((resolve, reject) => {
      const server = createServer();
      // Another process may connect to the port in the instant it is bound (a poller of a
      // server not listening yet): close() would wait for that connection to end.
      server.on("connection", (socket) => socket.destroy());
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() =>
          typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
        );
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * Whether something already listens on 127.0.0.1:`port`.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
export async function portInUse(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(true));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
}

/**
 * One GET of `url` on a connection of its own: resolves the status once the whole answer has
 * arrived, or what went wrong ("ECONNREFUSED", "no answer within 2000 ms"). It resolves within
 * `ms` whatever the server does (holds the request, stalls mid-body), by its own timer, which
 * destroys the request: the wait for a server must not hang on the client it polls with.
 * @param {string} url
 * @param {number} ms
 * @returns {Promise<number | string>}
 */
export function probe(url, ms) {
  return new Promise((resolve) => {
    /** @param {number | string} outcome */
    const settle = (outcome) => {
      clearTimeout(timer);
      request.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle(`no answer within ${ms} ms`), ms);
    const request = httpGet(url, { agent: false }, (res) => {
      res.on("error", (err) => settle(reason(err)));
      res.on("end", () => settle(res.statusCode ?? "no status"));
      res.resume();
    });
    request.on("error", (err) => settle(reason(err)));
  });
}

/** @param {Error & { code?: string }} err */
const reason = (err) => err.code ?? err.message;
