import { eventBuilder, type Properties, type WireEvent } from "./build-event.js";
import { deadlineIn, FLUSH_TIMEOUT_MS, FORGET_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS, settledBy, unref } from "./deadline.js";
import { addPendingForget, type Forgetting, pendingForgets, sendForgets } from "./forget.js";
import type { FetchLike } from "./http.js";
import { Outbox } from "./outbox.js";
import { browserSaysNo } from "./signals.js";
import { type KeyValueStorage, localStorageStorage, readJson, writeJson } from "./storage.js";
import type { AppName, BoundOptions, Client, ClientError, ClientOptions, Consent, FlushResult } from "./types.js";
import { isRandomUuid, randomUuid } from "./uuid.js";

export type { WireEvent } from "./build-event.js";

/**
 * `createClient`: events from a client app, with the user's consent only. Nothing is queued,
 * stored or sent before the user says yes; saying no drops the queue and its saved copy.
 * Anonymized properties arrive plain and leave as digests; only declared properties leave.
 */

export function createClient<A extends AppName>(options: ClientOptions<A> & { clusterKey: string }): Client<A, true>;
export function createClient<A extends AppName>(options: ClientOptions<A>): Client<A, false>;
export function createClient<A extends AppName>(options: ClientOptions<A>): Client<A> {
  const { app, flushAt = 50, flushIntervalMs = 10_000 } = options;
  const storage: KeyValueStorage = options.storage ?? localStorageStorage();
  const key = (name: string) => `edgehog.${app}.${name}`;
  const host = options.host.replace(/\/+$/, "");
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const retry = { baseMs: 1000, maxMs: 300_000, ...options.retry };
  const attempts = options.retry?.attempts ?? 5;
  const request = {
    fetch: fetchFn,
    timeoutMs: options.timeoutMs ?? 10_000,
    headers: {
      "content-type": "application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
  };
  const report = (error: ClientError) => options.onError?.(error);
  const build = eventBuilder(app, options.properties);

  let consent: Consent =
    options.consent === "granted" || options.consent === "denied"
      ? options.consent
      : ((readJson(storage, key("consent")) as Consent | undefined) ?? "unknown");
  if (consent !== "unknown") writeJson(storage, key("consent"), consent);
  // The browser's GPC or DNT: no, until the user grants in the app (not stored: it is the browser's answer).
  else if (browserSaysNo()) consent = "denied";
  const storedId = readJson(storage, key("id"));
  let distinctId = isRandomUuid(storedId) ? storedId : null;
  let epoch = 0; // bumped when consent is withdrawn or the install forgotten: captures in progress are void
  let closed = false;
  let droppedHere = 0;
  let captures: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;

  const outbox = new Outbox<WireEvent>({
    url: `${host}/v1/events`,
    request,
    body: (events) => JSON.stringify({ app, sent_at: new Date().toISOString(), events }),
    idOf: (event) => event.uuid,
    maxItems: options.maxBatchSize ?? 500,
    maxBytes: 512_000,
    maxQueue: options.maxQueue ?? 1000,
    retry,
    save: (events) => writeJson(storage, key("queue"), consent === "granted" && events.length > 0 ? events : undefined),
    onError: report,
  });

  const armTimer = () => {
    if (timer === undefined && !closed && outbox.size > 0) {
      timer = unref(
        setTimeout(() => {
          timer = undefined;
          void outbox.pump().then(armTimer);
        }, flushIntervalMs),
      );
    }
  };
  const pumpWhileFull = async () => {
    while (outbox.size >= flushAt && (await outbox.pump())) {}
    armTimer();
  };

  const setId = (id: string | null) => {
    distinctId = id;
    writeJson(storage, key("id"), id ?? undefined);
  };
  const stop = () => {
    epoch++;
    clearTimeout(timer);
    timer = undefined;
    outbox.clear();
  };

  if (consent === "granted") {
    if (!distinctId) setId(randomUuid());
    const saved = readJson(storage, key("queue"));
    if (Array.isArray(saved)) outbox.restore(saved.filter((e: Partial<WireEvent>) => isRandomUuid(e?.uuid)));
    armTimer();
  } else {
    writeJson(storage, key("queue"), undefined);
  }

  const onHide = () => {
    if (consent === "granted" && !closed) outbox.sendOnHide();
  };
  const page = globalThis as {
    addEventListener?: typeof addEventListener;
    removeEventListener?: typeof removeEventListener;
    document?: Document;
  };
  const onVisibility = () => page.document?.visibilityState === "hidden" && onHide();
  page.addEventListener?.("pagehide", onHide);
  page.document?.addEventListener("visibilitychange", onVisibility);

  const forgetting: Forgetting = { host, app, request, retry, attempts, storage, key: key("forget"), report };
  if (pendingForgets(forgetting).length > 0) void sendForgets(forgetting, deadlineIn(undefined, FORGET_TIMEOUT_MS));

  /** Delivers what was captured until now, by `deadline`; what is left stays queued and saved. */
  async function flushBy(deadline: number): Promise<FlushResult> {
    await settledBy(captures, deadline);
    if (consent === "granted") await outbox.drain(attempts, deadline);
    const tally = outbox.takeTally();
    const dropped = tally.dropped + droppedHere;
    droppedHere = 0;
    return { ...tally, dropped, pending: outbox.size };
  }

  const client: Client<A> = {
    get consent() {
      return consent;
    },
    get distinctId() {
      return distinctId;
    },

    capture(event: string, properties: Properties, captureOptions?: { clusterKey?: string; timestamp?: Date }) {
      if (consent !== "granted" || closed) return;
      const at = epoch;
      const timestamp = (captureOptions?.timestamp ?? new Date()).toISOString();
      const built = build(event, properties, captureOptions?.clusterKey ?? options.clusterKey);
      built.catch(() => {}); // handled below, in order; this only keeps it from being "unhandled"
      captures = captures
        .then(() => built)
        .then(
          (wire) => {
            if (at !== epoch || consent !== "granted") return;
            outbox.add({ ...wire, distinct_id: distinctId ?? "", timestamp });
            void pumpWhileFull();
          },
          (error: unknown) => {
            droppedHere++;
            const known = (error as Partial<ClientError>)?.error;
            report(
              typeof known === "string"
                ? (error as ClientError)
                : { error: "anonymize_failed", message: String(error) },
            );
          },
        );
    },

    setConsent(granted) {
      consent = granted ? "granted" : "denied";
      writeJson(storage, key("consent"), consent);
      if (granted) {
        if (!distinctId) setId(randomUuid());
      } else {
        stop();
      }
    },

    async flush(flushOptions?: BoundOptions): Promise<FlushResult> {
      return flushBy(deadlineIn(flushOptions?.timeoutMs, FLUSH_TIMEOUT_MS));
    },

    async forget(forgetOptions?: BoundOptions) {
      stop();
      const forgotten = distinctId;
      if (forgotten) {
        addPendingForget(forgetting, forgotten);
        setId(consent === "granted" ? randomUuid() : null);
      }
      return sendForgets(forgetting, deadlineIn(forgetOptions?.timeoutMs, FORGET_TIMEOUT_MS), true);
    },

    async shutdown(shutdownOptions?: BoundOptions) {
      const result = await flushBy(deadlineIn(shutdownOptions?.timeoutMs, SHUTDOWN_TIMEOUT_MS));
      closed = true;
      clearTimeout(timer);
      outbox.stop();
      page.removeEventListener?.("pagehide", onHide);
      page.document?.removeEventListener("visibilitychange", onVisibility);
      outbox.saveNow();
      return result;
    },
  } as Client<A>;
  return client;
}
