// Load generation: autocannon for the fixed-body ingest runs, and a small keep-alive HTTP
// client for runs whose bodies must differ (unique event uuids), closed- or open-loop.
import http from "node:http";
import autocannon from "autocannon";

/**
 * One autocannon run with a fixed body. Resolves with requests/s, latency percentiles (ms)
 * and the count of non-2xx answers and socket errors.
 */
export function cannon({ url, body, seconds, connections = 10, headers = {} }) {
  return new Promise((ok, fail) => {
    autocannon(
      {
        url,
        method: "POST",
        body,
        headers: { "content-type": "application/json", ...headers },
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
      },
      (err, r) => {
        if (err) return fail(err);
        ok({
          seconds: r.duration,
          requests: r.requests.total,
          requests_per_s: r.requests.total / r.duration,
          latency_ms: {
            p50: r.latency.p50,
            p90: r.latency.p90,
            p99: r.latency.p99,
            mean: r.latency.average,
            max: r.latency.max,
          },
          ok_2xx: r["2xx"],
          non_2xx: r.non2xx,
          // Answers by status code, e.g. { "202": 1200, "429": 3 }.
          statuses: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
          errors: r.errors,
          timeouts: r.timeouts,
        });
      },
    );
  });
}

/** A keep-alive POST returning { status, json }; rejects on socket errors or timeout. */
export function makePoster(baseUrl, { maxSockets = 16, timeoutMs = 30_000 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const { hostname, port } = new URL(baseUrl);
  const post = (path, body, headers = {}) =>
    new Promise((ok, fail) => {
      const req = http.request(
        {
          host: hostname,
          port,
          path,
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on("data", (c) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let json = null;
            try {
              json = JSON.parse(text);
            } catch {
              /* not JSON */
            }
            ok({ status: res.statusCode, json, text });
          });
          res.on("error", fail);
        },
      );
      req.on("timeout", () => req.destroy(new Error("request timed out")));
      req.on("error", fail);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

function newTally() {
  return { requests: 0, ok: 0, accepted: 0, failures: 0, statuses: {}, latencies: [] };
}

async function sendOne(poster, path, body, tally, headers) {
  const t = performance.now();
  try {
    const res = await poster.post(path, body, headers);
    tally.latencies.push(performance.now() - t);
    tally.requests++;
    tally.statuses[res.status] = (tally.statuses[res.status] ?? 0) + 1;
    if (res.status >= 200 && res.status < 300) {
      tally.ok++;
      tally.accepted += Number(res.json?.accepted ?? 0);
    } else {
      tally.failures++;
      // What the collector said, for the first few refusals of each status: the report prints it.
      tally.refusals ??= {};
      tally.refusals[res.status] ??= [];
      const seen = tally.refusals[res.status];
      if (seen.length < 3) seen.push(String(res.text ?? "").slice(0, 300));
    }
  } catch (err) {
    tally.requests++;
    tally.failures++;
    tally.statuses.error = (tally.statuses.error ?? 0) + 1;
    tally.lastError = String(err?.message ?? err);
  }
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarize(tally, startedAt, endedAt) {
  const sorted = tally.latencies.sort((a, b) => a - b);
  const { latencies: _latencies, ...rest } = tally;
  return {
    ...rest,
    started_at: startedAt,
    ended_at: endedAt,
    seconds: (endedAt - startedAt) / 1000,
    latency_ms: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) },
  };
}

const round = (x) => (x === null ? null : Math.round(x * 100) / 100);

/**
 * Closed loop: sends every body once, `concurrency` requests in flight, as fast as they are
 * answered. `deadlineMs` bounds the whole run (bodies not sent by then are skipped).
 */
export async function sendAll({
  baseUrl,
  path = "/v1/events",
  bodies,
  headers = {},
  concurrency = 12,
  deadlineMs = 300_000,
}) {
  const poster = makePoster(baseUrl, { maxSockets: concurrency });
  const tally = newTally();
  let next = 0;
  const startedAt = Date.now();
  const stopAt = startedAt + deadlineMs;
  const lane = async () => {
    while (next < bodies.length && Date.now() < stopAt) {
      const body = bodies[next++];
      await sendOne(poster, path, body, tally, headers);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const endedAt = Date.now();
  poster.close();
  return { ...summarize(tally, startedAt, endedAt), skipped: bodies.length - next };
}

/**
 * Open loop: starts `rate` requests per second for `seconds`, whatever the answers, with at
 * most `maxInFlight` outstanding (a start that would exceed it is counted as `missed`).
 */
export async function sendAtRate({
  baseUrl,
  path = "/v1/events",
  makeBody,
  headers = {},
  rate,
  seconds,
  maxInFlight = 64,
}) {
  const poster = makePoster(baseUrl, { maxSockets: maxInFlight });
  const tally = newTally();
  const inFlight = new Set();
  let missed = 0;
  let planned = 0;
  const startedAt = Date.now();
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  while (planned < total) {
    const due = startedAt + planned * interval;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    planned++;
    if (inFlight.size >= maxInFlight) {
      missed++;
      continue;
    }
    const p = sendOne(poster, path, makeBody(), tally, headers).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  const sendingEndedAt = Date.now();
  await Promise.all(inFlight);
  const endedAt = Date.now();
  poster.close();
  return {
    ...summarize(tally, startedAt, endedAt),
    planned,
    missed,
    target_rate: rate,
    sending_seconds: (sendingEndedAt - startedAt) / 1000,
  };
}
